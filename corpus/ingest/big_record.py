"""A JSONL record whose text is too long to decode whole: the text decoded a part at a time.

``json.loads`` of a 200 MB line holds the line's bytes and the decoded text at once, and
a text with one character beyond Latin-1 (or beyond the BMP: an emoji) takes two or four
bytes a character as a Python string: a 204 MB record held 1.8 GB in the main process.
Here the line is scanned for its text field instead; the record is decoded without that
value (its other fields: id, url, language), and the value is decoded in pieces cut where
no escape sequence can be split. A first pass over the pieces checks them and finds the
part boundaries (:func:`~corpus.ingest.documents.part_cuts` over the pieces: the cuts of
the whole text, so the parts are the same documents); a second decodes them again, a part at
a time, so no more than a part and a piece are held as text.

Anything unusual (a dotted ``text_field``, a key written with escapes or twice, a text
that is not a string, invalid JSON or UTF-8 anywhere) is left to the whole-record reader,
which reports it as it always has: :func:`streamed_record` then answers None.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from corpus.ingest.config import InputConfig
from corpus.ingest.documents import content_document, part_cuts, parts_documents
from corpus.records import Document, Source

PIECE_BYTES = 1 << 22  # raw bytes of the value decoded at a time
SENTINEL = "\u0000corpus:streamed-text"  # stands in for the value when the rest is decoded
_SENTINEL_RAW = json.dumps(SENTINEL).encode("ascii")
_WS = re.compile(rb"[ \t\r\n]*")
_STRUCT = re.compile(rb'["\[\]{}]')
_SCALAR_END = re.compile(rb"[,}\]]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LOW_SURROGATE = re.compile(rb"\\u[dD][c-fC-F]")
SEARCH_BYTES = 1 << 16  # how far back from a piece's size a place to cut is looked for


Fields = Callable[[dict[str, Any], Source, InputConfig],
                  "Document | tuple[Source, str, dict[str, Any]]"]


def streamed_record(
    source: Source, line: bytes, cfg: InputConfig, record_fields: Fields
) -> Iterator[Document] | None:
    """The documents of record *line* (one per part), or None to read it whole.

    *record_fields* is the whole-record reader's (``jsonl.record_fields``): given the
    record decoded with :data:`SENTINEL` for its text, the source and metadata (id,
    url, title, language) its documents carry.
    """
    span = text_span(line, cfg.text_field)
    if span is None:
        return None
    start, end = span
    try:
        obj = json.loads(line[:start] + _SENTINEL_RAW + line[end:])
    except (ValueError, RecursionError):
        return None
    if not isinstance(obj, dict) or obj.get(cfg.text_field) != SENTINEL:
        return None  # e.g. the key written a second time with escapes: json keeps the last
    pieces = _pieces(line, start + 1, end - 1)
    try:
        cuts, lone = _first_pass(line, pieces, cfg.max_document_chars)
    except ValueError:  # invalid JSON or UTF-8 inside the value: the whole reader says so
        return None
    got = record_fields(obj, source, cfg)
    if isinstance(got, Document):  # pragma: no cover - the text field is there, a string
        return None
    source, _, meta = got
    if lone:
        source.notes.append(LONE_SURROGATES)
    texts = _part_texts(line, pieces, cuts)
    if len(cuts) == 2:  # not over the limit after all (several bytes a character)
        return iter([content_document(source, next(texts), cfg.record_format, cfg, meta)])
    return parts_documents(source, meta, cfg.record_format, cfg, cuts, texts)


LONE_SURROGATES = "replaced lone surrogate escapes with U+FFFD"


def _decode(line: bytes, a: int, b: int) -> str:
    return json.loads(b'"' + line[a:b] + b'"')  # type: ignore[no-any-return]


def _first_pass(line: bytes, pieces: list[tuple[int, int]], limit: int) -> tuple[list[int], bool]:
    """Part boundaries in characters (``part_cuts`` of the decoded pieces, the same as of
    the whole text), and whether there is a lone surrogate escape."""
    lone = False

    def decoded() -> Iterator[str]:
        nonlocal lone
        for a, b in pieces:
            text = _decode(line, a, b)
            lone = lone or _SURROGATE.search(text) is not None
            yield text

    cuts = part_cuts(decoded(), limit)
    return cuts, lone


def _part_texts(line: bytes, pieces: list[tuple[int, int]], cuts: list[int]) -> Iterator[str]:
    """The text of each part, the value decoded again piece by piece."""
    buffer = ""
    at = 0  # characters before the buffer
    last = len(cuts) - 2  # index of the last part
    part = 0
    for a, b in pieces:
        text = _decode(line, a, b)
        buffer += _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text
        while part < last and at + len(buffer) >= cuts[part + 1]:
            size = cuts[part + 1] - at
            yield buffer[:size]
            buffer = buffer[size:]
            at += size
            part += 1
    yield buffer


def _pieces(line: bytes, start: int, end: int) -> list[tuple[int, int]]:
    """Byte ranges of ``line[start:end]`` (a JSON string's inside) of about PIECE_BYTES,
    each cut where no escape and no UTF-8 sequence can be split (:func:`_safe_cut`)."""
    out: list[tuple[int, int]] = []
    a = start
    while end - a > PIECE_BYTES:
        b = _safe_cut(line, max(a + 1, a + PIECE_BYTES - SEARCH_BYTES), a + PIECE_BYTES)
        if b < 0:  # nowhere to cut (64 kB without a space, a letter or an escape)
            break
        out.append((a, b))
        a = b
    out.append((a, end))
    return out


def _safe_cut(line: bytes, lo: int, hi: int) -> int:
    """The last position in ``[lo, hi]`` where a JSON string may be cut, or -1: before a
    space or a UTF-8 lead byte (never inside an escape, which is ASCII, nor inside a
    character), or before a backslash that opens an escape other than the low half of a
    surrogate pair (``\\ude00`` of ``\\ud83d\\ude00``)."""
    for p in range(hi, lo - 1, -1):
        c = line[p]
        if c == 0x20 or c >= 0xC0:
            return p
        if c == 0x5C and not _LOW_SURROGATE.match(line, p):
            q = p - 1  # the run goes back at most to the value's opening quote
            while line[q] == 0x5C:
                q -= 1
            if (p - 1 - q) % 2 == 0:  # an even run before it: this one opens an escape
                return p
    return -1


# -- finding the value ---------------------------------------------------------------------
def _string_end(b: bytes, i: int) -> int:
    """The index after the string that opens at ``b[i] == '"'``, or -1."""
    j = i + 1
    while True:
        k = b.find(b'"', j)
        if k < 0:
            return -1
        m = k - 1
        while m > i and b[m] == 0x5C:  # backslashes before the quote
            m -= 1
        if (k - 1 - m) % 2 == 0:
            return k + 1
        j = k + 1


def _value_end(b: bytes, i: int) -> int:
    """The index after the JSON value that starts at *i*, or -1 (checked by json later)."""
    if i >= len(b):
        return -1
    c = b[i : i + 1]
    if c == b'"':
        return _string_end(b, i)
    if c in (b"[", b"{"):
        depth, j = 0, i
        while m := _STRUCT.search(b, j):
            k = m.start()
            ch = b[k : k + 1]
            if ch == b'"':
                j = _string_end(b, k)
                if j < 0:
                    return -1
                continue
            depth += 1 if ch in (b"[", b"{") else -1
            j = k + 1
            if depth == 0:
                return j
        return -1
    m = _SCALAR_END.search(b, i)
    return m.start() if m else len(b)


def _members(b: bytes) -> Iterator[tuple[bytes, int, int]]:
    """``(raw key with its quotes, value start, value end)`` of a one-line JSON object's
    top-level members; stops (yielding nothing more) at anything it does not expect."""
    i = _WS.match(b, 0).end()  # type: ignore[union-attr]
    if b[i : i + 1] != b"{":
        return
    i = _WS.match(b, i + 1).end()  # type: ignore[union-attr]
    while b[i : i + 1] == b'"':
        key_end = _string_end(b, i)
        if key_end < 0:
            return
        key = b[i:key_end]
        i = _WS.match(b, key_end).end()  # type: ignore[union-attr]
        if b[i : i + 1] != b":":
            return
        i = _WS.match(b, i + 1).end()  # type: ignore[union-attr]
        value_end = _value_end(b, i)
        if value_end < 0:
            return
        yield key, i, value_end
        i = _WS.match(b, value_end).end()  # type: ignore[union-attr]
        if b[i : i + 1] != b",":
            return
        i = _WS.match(b, i + 1).end()  # type: ignore[union-attr]


def text_span(line: bytes, field: str) -> tuple[int, int] | None:
    """``(start, end)`` of the string value of top-level key *field* in *line* (quotes
    included), or None: no such key written plainly, written twice, or not a string."""
    want = json.dumps(field, ensure_ascii=False).encode("utf-8")
    found = None
    for key, start, end in _members(line):
        if key == want:
            if found is not None or line[start : start + 1] != b'"':
                return None
            found = (start, end)
    return found
