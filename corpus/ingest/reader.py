"""``read_input``: one input → documents, whatever the bytes hold. Never raises."""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator

from corpus.ingest import html
from corpus.ingest.config import InputConfig
from corpus.ingest.decode import binary_reason, decode
from corpus.ingest.documents import content_document, status_document
from corpus.ingest.jsonl import looks_like_jsonl, read_jsonl
from corpus.ingest.sources import InputRef
from corpus.ingest.streams import ByteSource, Rejected, open_failure, open_input
from corpus.records import Document, Source

_EXTENSIONS = {
    "text": (".txt", ".text", ".md", ".rst", ".log", ".srt", ".vtt", ".tsv", ".csv", ".eml"),
    "html": (".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx", ".jsp"),
    "jsonl": (".jsonl", ".ndjson", ".jl"),
}
_COMPRESSED = (".gz", ".gzip", ".tgz")


def format_by_extension(path: str) -> str | None:
    name = path.lower()
    for suffix in _COMPRESSED:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    ext = os.path.splitext(name)[1]
    for fmt, extensions in _EXTENSIONS.items():
        if ext in extensions:
            return fmt
    return None


def sniff_format(head: bytes) -> str:
    """``html``, ``jsonl`` or ``text`` from the first bytes of the (decompressed) content."""
    if looks_like_jsonl(head):
        return "jsonl"
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if head.startswith(bom):
            text = head[len(bom) :].decode(encoding, "ignore")
            break
    else:
        even_zeros, odd_zeros = head[0::2].count(0), head[1::2].count(0)
        enough = max(4, len(head) // 40)
        if odd_zeros >= enough and even_zeros <= odd_zeros // 10:
            text = head.decode("utf-16-le", "ignore")
        elif even_zeros >= enough and odd_zeros <= even_zeros // 10:
            text = head.decode("utf-16-be", "ignore")
        else:
            text = head.decode("latin-1")
    return "html" if html.looks_like_html(text) else "text"


def read_input(ref: InputRef, cfg: InputConfig | None = None) -> Iterator[Document]:
    """Documents for one input: one per file, one per JSONL record.

    Never raises for bad input: a failure is a document whose ``status`` says
    ``dropped:<reason>`` or ``error:<message>`` (see ``corpus.ingest`` for the list).
    """
    cfg = cfg or InputConfig()
    source = Source(path=ref.path)
    try:
        yield from _read(ref, cfg, source)
    except Exception as exc:  # the last guard: one input must never stop a run
        yield status_document(source, f"error:internal error: {type(exc).__name__}: {exc}")


def _read(ref: InputRef, cfg: InputConfig, source: Source) -> Iterator[Document]:
    if ref.problem:
        yield status_document(source, ref.problem)
        return
    try:
        with open_input(ref, cfg.max_file_bytes) as (f, sha256, size):
            source.sha256 = sha256
            if size == 0:
                source.format = cfg.format if cfg.format != "auto" else ""
                source.format = source.format or format_by_extension(ref.path) or ""
                yield status_document(source, "dropped:empty")
                return
            data = ByteSource(f, limit=cfg.max_decompressed_bytes)
            if data.compressed:
                source.compression = "gzip"
            head = data.peek(cfg.detect_bytes)
            fmt = cfg.format
            if fmt == "auto":
                fmt = format_by_extension(ref.path) or sniff_format(head)
            source.format = fmt
            if fmt == "jsonl":
                if why := binary_reason(head):
                    yield status_document(source, "dropped:binary", [why])
                else:
                    yield from read_jsonl(data, source, cfg)
                return
            yield _whole_document(data, source, fmt, cfg)
    except Rejected as rejected:
        yield status_document(source, rejected.status, rejected.notes)
    except OSError as exc:
        yield status_document(source, open_failure(ref, exc))


def _whole_document(data: ByteSource, source: Source, fmt: str, cfg: InputConfig) -> Document:
    raw = data.read_all()
    source.notes.extend(data.notes)
    if data.problem == "too_large":
        limit = f"decompressed size over {cfg.max_decompressed_mb} MB"
        return status_document(source, "dropped:too_large", [limit])
    if data.problem:
        what = "truncated gzip stream" if data.problem == "truncated" else f"gzip {data.problem}"
        if not raw:
            return status_document(source, f"error:{what}")
        source.notes.append(f"{what}: kept the first {len(raw)} decompressed bytes")
    if not raw:
        return status_document(source, "dropped:empty", ["empty after decompression"])
    declared = html.declared_charset(raw) if fmt == "html" else None
    forced = None if cfg.encoding == "auto" else cfg.encoding
    decoded = decode(raw, declared=declared, forced=forced, detect_bytes=cfg.detect_bytes)
    del raw
    source.encoding = decoded.encoding
    source.notes.extend(decoded.notes)
    if decoded.status:
        return status_document(source, decoded.status)
    return content_document(source, decoded.text, fmt, cfg)
