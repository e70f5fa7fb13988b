"""Building ``Document`` records: stable ids, status-only documents, text → segments."""

from __future__ import annotations

import hashlib
from typing import Any

from corpus.ingest import html
from corpus.ingest.config import InputConfig
from corpus.ingest.text import segment_text
from corpus.records import Document, Source

_HASH_SLICE = 1 << 20


def doc_id(path: str, record: int | None, text: str) -> str:
    """16 hex chars from path, record number and text: stable across runs, and distinct
    for identical content at different paths (the dedup step compares text, not ids)."""
    digest = hashlib.sha256(path.encode("utf-8", "surrogatepass"))
    digest.update(b"\0%d\0" % (record or 0))
    for start in range(0, len(text), _HASH_SLICE):  # no full-size copy of a huge text
        digest.update(text[start : start + _HASH_SLICE].encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:16]


def status_document(source: Source, status: str, notes: list[str] | None = None) -> Document:
    """A document with no text that records why (``dropped:…`` / ``error:…``)."""
    if notes:
        source.notes.extend(n for n in notes if n not in source.notes)
    return Document(id=doc_id(source.path, source.record, status), source=source, status=status)


def content_document(
    source: Source, text: str, fmt: str, cfg: InputConfig, meta: dict[str, Any] | None = None
) -> Document:
    """A document for decoded *text* in format *fmt* (``text`` or ``html``)."""
    meta = dict(meta or {})
    if not text.strip():
        return status_document(source, "dropped:whitespace_only")
    if fmt == "html":
        page = html.extract(text, main_content=cfg.html_main_content, url=meta.get("url"))
        source.notes.extend(page.notes)
        for key, value in page.meta.items():
            meta.setdefault(key, value)
        doc = Document(
            id=doc_id(source.path, source.record, page.text),
            source=source,
            text=page.text,
            meta=meta,
            segments=page.segments,
            origin="html",
            # a page inside a JSONL record is found by the record's line instead
            source_lines=page.source_lines if source.record is None else [],
        )
        if not page.segments:
            doc.drop("no_text")
        return doc
    segments = segment_text(text, join_wrapped=cfg.join_wrapped_lines)
    return Document(
        id=doc_id(source.path, source.record, text),
        source=source,
        text=text,
        meta=meta,
        segments=segments,
        origin=_text_origin(source, len(segments), cfg),
    )


def _text_origin(source: Source, n_segments: int, cfg: InputConfig) -> str:
    """A JSONL text record is a clean ``record`` or a ``text`` page (``record_layout``)."""
    if source.record is None or cfg.record_layout == "page":
        return "text"
    if cfg.record_layout == "record" or n_segments <= cfg.record_max_lines:
        return "record"
    return "text"
