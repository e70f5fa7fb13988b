"""JSONL: one document per line, streamed (memory flat in file size).

A bad line is a document of its own with ``status="error:invalid JSON at line N: …"``
and ``source.record = N``; the good lines around it are kept. Problems of the file as a
whole that show up only at its end (a truncated gzip stream, the size limit) add one
more document without a record number.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any

from corpus.ingest.big_record import LONE_SURROGATES, streamed_record
from corpus.ingest.config import InputConfig
from corpus.ingest.documents import content_document, content_documents, status_document
from corpus.ingest.streams import ByteSource
from corpus.records import Document, Source

_MISSING = object()
_SURROGATE = re.compile("[\ud800-\udfff]")


def iter_lines(
    chunks: Iterable[bytes], *, first_line: int = 1, first_offset: int = 0
) -> Iterator[tuple[int, int, bytes]]:
    """``(line number, byte offset, line without its terminator)`` for every line; a
    piece of a file starts counting at its own first line and offset."""
    number = first_line - 1
    offset = first_offset
    parts: list[bytes] = []
    for chunk in chunks:
        start = 0
        while True:
            nl = chunk.find(b"\n", start)
            if nl < 0:
                if start < len(chunk):
                    parts.append(chunk[start:] if start else chunk)
                break
            piece = chunk[start:nl]
            if parts:
                parts.append(piece)
                piece = b"".join(parts)
                parts = []
            number += 1
            yield number, offset, piece
            offset += len(piece) + 1
            start = nl + 1
    if parts:
        yield number + 1, offset, b"".join(parts)


def looks_like_jsonl(head: bytes) -> bool:
    """Content sniffing: the first non-blank line is (the start of) a JSON object."""
    head = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if not head.startswith(b"{"):
        return False
    line, newline, _ = head.partition(b"\n")
    if not newline:
        return head.startswith((b'{"', b"{ "))
    try:
        return isinstance(json.loads(line), dict)
    except (ValueError, RecursionError):
        return False


def _field(obj: Mapping[str, Any], name: str) -> Any:
    """``obj[name]``, or a dotted path (``doc.body``) when no such key exists."""
    if name in obj:
        return obj[name]
    value: Any = obj
    for part in name.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _scalar(value: Any) -> str | None:
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _without_lone_surrogates(text: str, notes: list[str]) -> str:
    """JSON ``\\ud800`` escapes decode to lone surrogates, which UTF-8 cannot hold."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        notes.append(LONE_SURROGATES)
        return _SURROGATE.sub("\ufffd", text)
    return text


def _record(
    number: int, offset: int, line: bytes, base: Source, cfg: InputConfig
) -> Iterator[Document]:
    """The document of one line (its parts if its text is very long; none if blank)."""
    if len(line) > cfg.max_document_chars:  # perhaps too long to decode whole
        source, clean = _record_source(number, offset, line, base)
        parts = streamed_record(source, clean, cfg, record_fields)
        if parts is not None:
            yield from parts
            return
    doc = _record_or_text(number, offset, line, base, cfg)
    if isinstance(doc, tuple):
        source, text, meta = doc
        yield from content_documents(source, text, cfg.record_format, cfg, meta)
    elif doc is not None:
        yield doc


def _record_or_text(
    number: int, offset: int, line: bytes, base: Source, cfg: InputConfig
) -> Document | tuple[Source, str, dict[str, Any]] | None:
    source, line = _record_source(number, offset, line, base)
    if not line.strip():
        return None
    try:
        try:
            obj = json.loads(line)
        except UnicodeDecodeError:
            decoded = line.decode("utf-8", "replace")
            source.notes.append("replaced undecodable bytes with U+FFFD")
            obj = json.loads(decoded)
    except json.JSONDecodeError as exc:
        return status_document(
            source, f"error:invalid JSON at line {number}: {exc.msg} (column {exc.colno})"
        )
    except (ValueError, RecursionError) as exc:
        return status_document(source, f"error:invalid JSON at line {number}: {exc}")
    if not isinstance(obj, dict):
        kind = type(obj).__name__
        return status_document(
            source, f"error:invalid JSON at line {number}: expected an object, got {kind}"
        )
    return record_fields(obj, source, cfg)


def _record_source(number: int, offset: int, line: bytes, base: Source) -> tuple[Source, bytes]:
    """The source of record *number*, and its line without a CR or (first line) a BOM."""
    source = replace(base, record=number, offset=offset, length=len(line), notes=list(base.notes))
    if line.endswith(b"\r"):
        line = line[:-1]
    if number == 1:
        line = line.removeprefix(codecs.BOM_UTF8)
    return source, line


def record_document(obj: Mapping[str, Any], source: Source, cfg: InputConfig) -> Document:
    """The document of one decoded record: its text, id, url, title and language taken
    from the fields *cfg* names. ``corpus.api.process`` hands Python dicts (a pandas row,
    a Hugging Face example) here, so they are read exactly as a JSONL line would be, but
    whole: one document per item, whatever its size (a JSONL line over
    ``max_document_mb`` is cut into parts)."""
    got = record_fields(obj, source, cfg)
    if isinstance(got, Document):
        return got
    source, text, meta = got
    return content_document(source, text, cfg.record_format, cfg, meta)


def record_fields(
    obj: Mapping[str, Any], source: Source, cfg: InputConfig
) -> Document | tuple[Source, str, dict[str, Any]]:
    """A status document, or (source, text, meta) of a record with a text."""
    meta: dict[str, Any] = {}
    fields = (("id", cfg.id_field), ("url", cfg.url_field), ("title", cfg.title_field),
              ("lang", cfg.lang_field))
    for key, name in fields:
        value = _scalar(_field(obj, name))
        if value is not None:
            meta[key] = _without_lone_surrogates(value, source.notes)
    text = _field(obj, cfg.text_field)
    if text is _MISSING or not isinstance(text, str):
        what = "no" if text is _MISSING else f"a {type(text).__name__} in"
        doc = status_document(source, "dropped:no_text_field", [f"{what} field {cfg.text_field!r}"])
        doc.meta = meta
        return doc
    return source, _without_lone_surrogates(text, source.notes), meta


def read_records(
    lines: Iterable[tuple[int, int, bytes]], base: Source, cfg: InputConfig, tally: list[int]
) -> Iterator[Document]:
    """A document for every non-blank line; *tally* gets ``[records, last line]``."""
    base.encoding = "utf-8"
    records = 0
    last = 0
    for number, offset, line in lines:
        last = number
        for doc in _record(number, offset, line, base, cfg):
            records += 1
            yield doc
    tally[:] = [records, last]


def read_jsonl(data: ByteSource, base: Source, cfg: InputConfig) -> Iterator[Document]:
    """Documents for every record of a JSONL stream (see the module docstring)."""
    tally = [0, 0]
    yield from read_records(iter_lines(data), base, cfg, tally)
    records, last = tally
    tail = replace(base, notes=[*base.notes, *data.notes])
    if data.problem == "too_large":
        yield status_document(
            tail,
            "dropped:too_large",
            [f"decompressed size over {cfg.max_decompressed_mb} MB; stopped after line {last}"],
        )
    elif data.problem:
        what = "truncated gzip stream" if data.problem == "truncated" else f"gzip {data.problem}"
        yield status_document(tail, f"error:{what} after line {last} ({records} records read)")
    elif records == 0:
        yield status_document(tail, "dropped:empty", ["no JSONL records"])
