"""A document of any size is processed in parts of bounded size, each recorded as such."""

from __future__ import annotations

import gzip
import itertools
import json
from pathlib import Path

import pytest

from corpus.config import pipeline_from_dict
from corpus.ingest import InputConfig
from corpus.ingest.documents import part_cuts
from corpus.run.runner import run_build

PARAGRAPH = ("The river rose after a week of rain in the hills above the town, and the "
             "council met on Tuesday to plan for the spring. ")


def long_text(chars: int) -> str:
    paragraphs, total, n = [], 0, 0
    while total < chars:
        para = f"{n}. " + PARAGRAPH * (1 + n % 5)
        paragraphs.append(para)
        total += len(para) + 2
        n += 1
    return "\n\n".join(paragraphs) + "\n"


def pipe():
    return pipeline_from_dict(
        {"input": {"max_document_mb": 1},
         "steps": [{"use": "normalize"}, {"use": "sentences"}, {"use": "dedup"}]},
        where="t")


def rows(out: Path, name: str) -> list[dict]:
    return [json.loads(line) for line in (out / name).open(encoding="utf-8")]


def test_part_cuts_end_at_line_breaks_and_cover_the_text():
    text = long_text(3_500_000)
    cuts = part_cuts(text, 1_000_000)
    assert cuts[0] == 0 and cuts[-1] == len(text) and len(cuts) == 5
    assert all(b - a <= 1_000_000 for a, b in itertools.pairwise(cuts))
    assert all(text[c - 2:c] == "\n\n" for c in cuts[1:-1])  # at a paragraph break
    assert part_cuts("x" * 2500, 1000) == [0, 1000, 2000, 2500]  # no break: the size
    assert InputConfig(max_document_mb=8).max_document_chars == 8_000_000
    # the same cuts when the text comes in pieces of any size (a value decoded piecewise)
    for size in (77_777, 999_999, 1_000_001, 2_500_000):
        pieces = (text[i:i + size] for i in range(0, len(text), size))
        assert part_cuts(pieces, 1_000_000) == cuts
    assert part_cuts(iter(["x" * 700, "x" * 700, "x" * 1100]), 1000) == [0, 1000, 2000, 2500]


@pytest.mark.parametrize("layout", ["text", "jsonl", "jsonl.gz"])
def test_a_large_document_is_split_into_parts_with_the_same_bytes_at_any_workers(
        tmp_path, layout):
    text = long_text(2_600_000)
    src = tmp_path / "in"
    src.mkdir()
    if layout == "text":
        (src / "book.txt").write_text(text, encoding="utf-8")
    else:
        line = json.dumps({"id": "one", "text": text}) + "\n"
        small = json.dumps({"id": "two", "text": "A small record about rivers."}) + "\n"
        data = (line + small).encode("utf-8")
        if layout == "jsonl":
            (src / "export.jsonl").write_bytes(data)
        else:
            (src / "export.jsonl.gz").write_bytes(gzip.compress(data))
    outs = [run_build([str(src)], tmp_path / f"out{j}", pipe(), workers=j).out for j in (1, 2)]
    for name in ("documents.jsonl", "segments.jsonl", "sentences.jsonl"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name
    docs = rows(outs[0], "documents.jsonl")
    parts = [d for d in docs if d.get("parts")]
    assert [d["part"] for d in parts] == [1, 2, 3] and {d["parts"] for d in parts} == {3}
    assert all(d["status"] == "kept" for d in docs)
    assert any("part 1 of 3" in n for n in parts[0]["source"].get("notes", []))
    # nothing lost: every paragraph of the text is a segment of some part
    segs = rows(outs[0], "segments.jsonl")
    assert sum(s["kept"] for s in segs) == text.count("\n\n") + 1 + (layout != "text")
    manifest = json.loads((outs[0] / "manifest.json").read_text())
    assert manifest["inputs"][0]["documents"] == 3 + (layout != "text")
    if layout == "text":  # a segment's source_line is its line in the file, in any part
        lines = text.split("\n")
        for seg in segs:
            assert lines[seg["source_line"] - 1].strip() == seg["text"], seg
        assert max(s["source_line"] for s in segs) > text.count("\n") * 2 // 3


def test_parts_read_for_the_workers_are_cut_into_segments_by_them(tmp_path):
    """The main process reads a huge input and hands its parts out without segments (a
    part's segments weighed 76 MB there); the worker's cut gives the same document."""
    from corpus.ingest import InputRef, read_input
    from corpus.ingest.documents import SEGMENT_LATER, segmented
    from corpus.run.local import _segments_later

    path = tmp_path / "book.txt"
    path.write_text(long_text(2_600_000), encoding="utf-8")
    cfg = InputConfig(max_document_mb=1)
    ref = InputRef(path=str(path), fspath=str(path))
    later = list(_segments_later(read_input(ref, cfg)))
    now = list(read_input(ref, cfg))
    assert len(later) == len(now) == 3
    assert all(d.segments == [] and d.meta[SEGMENT_LATER] for d in later)
    for a, b in zip(later, now, strict=True):
        segmented(a, cfg)
        assert (a.id, a.meta, a.origin, a.segments) == (b.id, b.meta, b.origin, b.segments)
    # outside the reader the flag is off: a document made now has its segments
    from corpus.ingest.documents import content_document
    from corpus.records import Source
    assert content_document(Source(path="x"), "a line\n", "text", cfg).segments
