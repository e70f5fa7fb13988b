"""A JSONL record too long to decode whole gives the documents the whole-record reader
gives, decoded a part at a time: the same ids, texts, parts, metadata and notes."""

from __future__ import annotations

import json
import random

import pytest
from paths import SEEDS

from corpus.ingest import big_record, jsonl
from corpus.ingest.config import InputConfig
from corpus.ingest.documents import content_documents
from corpus.records import Source

CFG = InputConfig(max_document_mb=1)
# what makes JSON strings hard to cut: escapes of every kind, characters of one to four
# UTF-8 bytes (surrogate pairs when escaped), text without spaces
ODD = ["", ' "quoted" ', "C:\\\\path\\\\", "\t", "😀 emoji", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\n\n",
       "日本語の文章です。", "\\u2028", "\u2028"]


def seed_text(chars: int) -> str:
    """The seed pages (real scraped text in five languages), shuffled, with odd pieces."""
    pages = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(SEEDS.glob("*.txt"))]
    rnd = random.Random(7)
    out, size = [], 0
    while size < chars:
        piece = rnd.choice(pages) + rnd.choice(ODD)
        out.append(piece)
        size += len(piece)
    return "\n".join(out)


def whole(line: bytes) -> list:
    """The documents of *line* read the way records were read before: decoded whole."""
    got = jsonl._record_or_text(1, 0, line, Source(path="x.jsonl", format="jsonl"), CFG)
    if isinstance(got, tuple):
        source, text, meta = got
        return list(content_documents(source, text, CFG.record_format, CFG, meta))
    return [got]


def streamed(line: bytes) -> list:
    return list(jsonl._record(1, 0, line, Source(path="x.jsonl", format="jsonl"), CFG))


@pytest.fixture(autouse=True)
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    # pieces of 100 kB, so a 3 MB value is decoded in thirty and every cut rule is met
    monkeypatch.setattr(big_record, "PIECE_BYTES", 100_003)
    monkeypatch.setattr(big_record, "SEARCH_BYTES", 5_000)


TEXT = seed_text(2_700_000)
RECORDS = [
    {"id": "a", "url": "https://example.org/a", "text": TEXT, "meta": {"tags": ["}", "]"]}},
    {"meta": "first", "text": TEXT[:900_000] + "ж" * 60_000, "lang": "ru"},  # 1 part
    {"text": TEXT + "\ud800 a lone surrogate escape", "id": 7},
]


@pytest.mark.parametrize("ensure_ascii", [False, True], ids=["utf8", "ascii-escaped"])
@pytest.mark.parametrize("record", range(len(RECORDS)))
def test_streamed_record_is_the_whole_record(record: int, ensure_ascii: bool) -> None:
    rec = RECORDS[record]
    if not ensure_ascii and "\ud800" in rec["text"]:
        pytest.skip("a lone surrogate is only written escaped")
    line = json.dumps(rec, ensure_ascii=ensure_ascii).encode("utf-8")
    assert len(line) > CFG.max_document_chars
    parts = big_record.streamed_record(Source(path="x"), line, CFG, jsonl.record_fields)
    assert parts is not None  # streamed, not read whole
    expected, got = whole(line), streamed(line)
    assert len(got) == len(expected) == (1 if record == 1 else 3)
    for a, b in zip(expected, got, strict=True):
        assert (a.id, a.text, a.meta, a.source) == (b.id, b.text, b.meta, b.source)
        assert [(s.text, s.line, s.span) for s in a.segments] == [
            (s.text, s.line, s.span) for s in b.segments]
    if record == 2:
        assert "replaced lone surrogate escapes with U+FFFD" in got[0].source.notes


@pytest.mark.parametrize("line", [
    b'{"doc": {"text": "nested"}, "x": 1}',  # no top-level text
    b'{"text": "a", "text": "b"}',  # twice: json keeps the last
    b'{"text": "a", "te\\u0078t": "b"}',  # the same key written with an escape
    b'{"text": 42}',  # not a string
    b'{"text": "unterminated',
    b'{"text": "bad \\q escape"}',
    b'[1, 2]',
])
def test_what_the_scanner_does_not_vouch_for_is_read_whole(line: bytes) -> None:
    padded = line.replace(b'"a"', b'"' + b"a " * 600_000 + b'"')
    assert big_record.streamed_record(Source(path="x"), padded, CFG, jsonl.record_fields) is None
    assert [d.status for d in streamed(padded)] == [d.status for d in whole(padded)]


def test_text_span_skips_nested_values_and_strings_with_quotes() -> None:
    line = b'{"a": {"text": 1, "s": "}\\""}, "b": [1, {"c": "]"}], "text" : "x\\"y", "n": null}'
    start, end = big_record.text_span(line, "text")
    assert json.loads(line[start:end]) == 'x"y'
