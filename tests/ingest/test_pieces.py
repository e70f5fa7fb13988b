"""A large JSONL file read in pieces gives exactly the documents of reading it whole."""

from __future__ import annotations

import codecs
import itertools
import json
from pathlib import Path

import pytest

import corpus.run.local as local
from corpus.config import pipeline_from_dict
from corpus.ingest import InputConfig, InputRef, read_input
from corpus.ingest.pieces import plan, read_piece
from corpus.run.runner import run_build


def records(n: int) -> list[bytes]:
    lines = []
    for i in range(n):
        if i % 17 == 5:
            lines.append(b"")  # blank lines count as lines but are no record
        elif i % 29 == 7:
            lines.append(b'{"id": "broken", "text": "unterminated')
        else:
            text = f"Record {i} tells of rivers and towns, line {i}. " * (1 + i % 4)
            line = json.dumps({"id": f"r{i}", "text": text}, ensure_ascii=False).encode()
            lines.append(line + (b"\r" if i % 11 == 3 else b""))  # some CRLF lines
    return lines


def write(path: Path, n: int) -> Path:
    path.write_bytes(codecs.BOM_UTF8 + b"\n".join(records(n)) + b"\n")
    return path


def as_rows(docs) -> list[tuple]:
    return [(d.id, d.status, d.source.as_dict(), d.text, [(s.text, s.span) for s in d.segments])
            for d in docs]


@pytest.mark.parametrize("piece_bytes", [1, 500, 4096, 50_000])
def test_pieces_read_to_the_whole_files_documents(tmp_path, piece_bytes):
    path = write(tmp_path / "big.jsonl", 400)
    ref, cfg = InputRef.file(str(path)), InputConfig()
    pieces = plan(ref, cfg, piece_bytes)
    assert pieces is not None and len(pieces) > 1
    assert pieces[0].start == 0 and pieces[-1].end == path.stat().st_size
    assert all(a.end == b.start for a, b in itertools.pairwise(pieces))
    assert [p.last for p in pieces] == [False] * (len(pieces) - 1) + [True]
    whole = as_rows(read_input(ref, cfg))
    assert as_rows(d for p in pieces for d in read_piece(p, cfg)) == whole
    assert any("error:invalid JSON" in row[1] for row in whole)


def test_what_is_not_a_plain_jsonl_file_is_read_whole(tmp_path):
    cfg = InputConfig()
    small = write(tmp_path / "small.jsonl", 3)
    assert plan(InputRef.file(str(small)), cfg, 10**6) is None
    text = tmp_path / "page.txt"
    text.write_text("A plain page of text.\n" * 500, encoding="utf-8")
    assert plan(InputRef.file(str(text)), cfg, 100) is None
    import gzip

    zipped = tmp_path / "big.jsonl.gz"
    zipped.write_bytes(gzip.compress(write(tmp_path / "x.jsonl", 300).read_bytes()))
    assert plan(InputRef.file(str(zipped)), cfg, 100) is None


def test_one_big_file_over_two_workers_writes_the_bytes_of_one(tmp_path, monkeypatch):
    src = tmp_path / "in"
    src.mkdir()
    write(src / "export.jsonl", 3000)
    assert (src / "export.jsonl").stat().st_size > 256_000  # big enough for workers
    pipe = pipeline_from_dict({"steps": [{"use": "normalize"}, {"use": "dedup"}]}, where="t")
    one = run_build([str(src)], tmp_path / "one", pipe, workers=1)
    monkeypatch.setattr(local, "PIECE_BYTES", 20_000)  # many pieces, several per worker
    pipe = pipeline_from_dict({"steps": [{"use": "normalize"}, {"use": "dedup"}]}, where="t")
    two = run_build([str(src)], tmp_path / "two", pipe, workers=2)
    for name in ("documents.jsonl", "segments.jsonl", "sentences.jsonl"):
        assert (one.out / name).read_bytes() == (two.out / name).read_bytes(), name
    inputs = [json.loads((r.out / "manifest.json").read_text())["inputs"] for r in (one, two)]
    assert inputs[0] == inputs[1]
    assert inputs[0][0]["documents"] == sum(i % 17 != 5 for i in range(3000))
