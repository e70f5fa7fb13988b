"""Building ``Document`` records: stable ids, status-only documents, text → segments."""

from __future__ import annotations

import contextvars
import hashlib
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any, AnyStr

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
    source: Source, text: str, fmt: str, cfg: InputConfig, meta: dict[str, Any] | None = None,
    *, main_content: bool | None = None,
) -> Document:
    """A document for decoded *text* in format *fmt* (``text`` or ``html``)."""
    meta = dict(meta or {})
    if not text.strip():
        return status_document(source, "dropped:whitespace_only")
    if fmt == "html":
        use_main = cfg.html_main_content if main_content is None else main_content
        page = html.extract(text, main_content=use_main, url=meta.get("url"))
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
    doc = Document(id=doc_id(source.path, source.record, text), source=source, text=text,
                   meta=meta)
    if LATER.get():
        doc.meta[SEGMENT_LATER] = True
        return doc
    return segmented(doc, cfg)


# Set while the main process reads an input it hands to the workers in parts (a huge
# document, a gzip file): a text document is then made without its segments, which its
# worker makes (:func:`segmented`). Cut in the main process, a 4 MB part's segments were
# 76 MB of objects held there and pickled to the worker, and serial work for -j N.
LATER: contextvars.ContextVar[bool] = contextvars.ContextVar("segment_later", default=False)
SEGMENT_LATER = "_segment_later"  # meta key of a document whose segments are not made yet


def segmented(doc: Document, cfg: InputConfig) -> Document:
    """*doc* (a text document) with its lines cut into segments, and its origin."""
    doc.meta.pop(SEGMENT_LATER, None)
    doc.segments = segment_text(doc.text, join_wrapped=cfg.join_wrapped_lines)
    doc.origin = _text_origin(doc.source, len(doc.segments), cfg)
    return doc


def content_documents(
    source: Source, text: str, fmt: str, cfg: InputConfig, meta: dict[str, Any] | None = None
) -> Iterator[Document]:
    """:func:`content_document`, or its parts when *text* is over ``max_document_mb``.

    Parts end at line breaks (a blank line when there is one in the last tenth of the
    part, else any line break, else the size itself), are made one at a time, and keep
    the document's source with a note and ``meta["part"]``/``meta["parts"]``; each part's
    spans and line numbers index its own text; ``meta["part_offset"]`` is where that text
    starts in the document's, ``meta["part_line"]`` how many lines come before it.
    """
    limit = cfg.max_document_chars
    if len(text) <= limit:
        yield content_document(source, text, fmt, cfg, meta)
        return
    cuts = part_cuts(text, limit)
    yield from parts_documents(source, meta, fmt, cfg, cuts,
                               (text[a:b] for a, b in itertools.pairwise(cuts)))


def parts_documents(
    source: Source, meta: dict[str, Any] | None, fmt: str, cfg: InputConfig,
    cuts: list[int], texts: Iterable[str],
) -> Iterator[Document]:
    """The documents of the parts of a text cut at *cuts* (:func:`part_cuts`), whose
    texts *texts* yields in order: the text may be one string, or decoded a part at a
    time (:mod:`corpus.ingest.big_record`)."""
    n = len(cuts) - 1
    lines = 0  # line breaks before the part: its line numbers are the document's
    for i, part in enumerate(texts):
        part_source, part_meta = part_of(source, meta, i, n, cuts[i], lines, cfg)
        if fmt == "html" and i == 0:
            part_source.notes.append("a page this large is read by its structure, "
                                     "without trafilatura")
        lines += part.count("\n")
        yield content_document(part_source, part, fmt, cfg, part_meta,
                               main_content=False if fmt == "html" else None)


def part_cuts(text: str | Iterable[str], limit: int) -> list[int]:
    """Offsets ``[0, …, len(text)]`` cutting *text* into parts of at most *limit* chars.

    *text* may come as pieces, in order (a JSONL value decoded a piece at a time): a cut
    is decided once more than *limit* characters follow the last one, so the cuts are
    those of the pieces joined, and only the text after the last cut is held.
    """
    cuts = [0]
    held = ""  # the text from offset `base` on
    base = 0
    for piece in [text] if isinstance(text, str) else text:
        held = held + piece if held else piece
        at = cuts[-1] - base
        while len(held) - at > limit:
            at += cut_point(held[at:at + limit], limit)
            cuts.append(base + at)
        held, base = held[at:], base + at
    cuts.append(base + len(held))
    return cuts


def cut_point(block: AnyStr, limit: int) -> int:
    """Where a part that starts at *block* ends: after a blank line in its last tenth,
    else after its last line break, else at its end. The one rule for text
    (:func:`part_cuts`) and for the bytes of a file read a part at a time."""
    blank, newline = ("\n\n", "\n") if isinstance(block, str) else (b"\n\n", b"\n")
    cut = block.rfind(blank, len(block) - limit // 10, len(block) - 1)  # type: ignore[arg-type]
    if cut >= 0:
        return cut + 2
    cut = block.rfind(newline)  # type: ignore[arg-type]
    return cut + 1 if cut > 0 else len(block)


def part_of(
    source: Source, meta: dict[str, Any] | None, i: int, n: int, offset: int, lines: int,
    cfg: InputConfig, how: str = "",
) -> tuple[Source, dict[str, Any]]:
    """The source and meta of part *i* of *n*: a note that says so, and ``part``,
    ``parts``, ``part_offset`` (characters before it), ``part_line`` (lines before it)."""
    note = f"part {i + 1} of {n}: text over {cfg.max_document_mb} M characters{how}"
    part_meta = {**(meta or {}), "part": i + 1, "parts": n, "part_offset": offset,
                 "part_line": lines}
    return replace(source, notes=[*source.notes, note]), part_meta


def _text_origin(source: Source, n_segments: int, cfg: InputConfig) -> str:
    """A JSONL text record is a clean ``record`` or a ``text`` page (``record_layout``)."""
    if source.record is None or cfg.record_layout == "page":
        return "text"
    if cfg.record_layout == "record" or n_segments <= cfg.record_max_lines:
        return "record"
    return "text"
