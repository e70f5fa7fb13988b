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
