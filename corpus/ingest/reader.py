"""``read_input``: one input → documents, whatever the bytes hold. Never raises."""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator
from dataclasses import replace
from typing import BinaryIO

from corpus.ingest import html
from corpus.ingest.config import InputConfig
from corpus.ingest.decode import BOMS, binary_reason, decode
from corpus.ingest.documents import (
    content_document,
    content_documents,
    cut_point,
    part_of,
    status_document,
)
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
            if fmt == "text" and not data.compressed and size > cfg.max_document_chars:
                yield from _streamed_text(f, size, head, source, cfg)
                return
            yield from _whole_document(data, source, fmt, cfg)
    except Rejected as rejected:
        yield status_document(source, rejected.status, rejected.notes)
    except OSError as exc:
        yield status_document(source, open_failure(ref, exc))


def _whole_document(
    data: ByteSource, source: Source, fmt: str, cfg: InputConfig
) -> Iterator[Document]:
    raw = data.read_all()
    source.notes.extend(data.notes)
    if data.problem == "too_large":
        limit = f"decompressed size over {cfg.max_decompressed_mb} MB"
        yield status_document(source, "dropped:too_large", [limit])
        return
    if data.problem:
        what = "truncated gzip stream" if data.problem == "truncated" else f"gzip {data.problem}"
        if not raw:
            yield status_document(source, f"error:{what}")
            return
        source.notes.append(f"{what}: kept the first {len(raw)} decompressed bytes")
    if not raw:
        yield status_document(source, "dropped:empty", ["empty after decompression"])
        return
    declared = html.declared_charset(raw) if fmt == "html" else None
    forced = None if cfg.encoding == "auto" else cfg.encoding
    decoded = decode(raw, declared=declared, forced=forced, detect_bytes=cfg.detect_bytes)
    del raw
    source.encoding = decoded.encoding
    source.notes.extend(decoded.notes)
    if decoded.status:
        yield status_document(source, decoded.status)
        return
    text = decoded.text
    del decoded  # the parts below hold the text once, not twice
    yield from content_documents(source, text, fmt, cfg)


def _streamed_text(
    f: BinaryIO, size: int, head: bytes, source: Source, cfg: InputConfig
) -> Iterator[Document]:
    """A plain-text file larger than ``max_document_mb``: its parts, decoded one at a time.

    The whole text is never held: the encoding is decided from the file's first bytes
    (as :func:`decode` decides it), one pass cuts the bytes at line breaks into parts of
    at most the limit, and each part is read, decoded and made a document in turn. An
    encoding that is not ASCII-compatible (UTF-16/32), where a byte 0x0A is no line
    break, is read whole instead.
    """
    trimmed = head[: head.rfind(b"\n") + 1] or head
    forced = None if cfg.encoding == "auto" else cfg.encoding
    probe = decode(trimmed, forced=forced, detect_bytes=cfg.detect_bytes)
    if probe.status:
        yield status_document(source, probe.status, probe.notes)
        return
    codec = probe.encoding
    bom = next((b for b, _ in BOMS if head.startswith(b)), b"")
    if not _ascii_compatible(codec):
        f.seek(0)
        yield from _whole_document(ByteSource(f, limit=cfg.max_decompressed_bytes), source,
                                   "text", cfg)
        return
    source.encoding = codec
    cuts = _byte_cuts(f, size, cfg.max_document_chars, len(bom))
    n = len(cuts) - 1
    chars = lines = 0
    replaced = False
    for i in range(n):
        f.seek(cuts[i])
        raw = f.read(cuts[i + 1] - cuts[i])
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            text = raw.decode(codec, "replace")
            replaced = True
        del raw
        base = replace(source, notes=[*source.notes, *probe.notes])
        if replaced:
            base.notes.append(f"replaced bytes that are not {codec} with U+FFFD")
        part_source, meta = part_of(base, None, i, n, chars, lines, cfg,
                                    ", read a part at a time")
        chars += len(text)
        lines += text.count("\n")
        yield content_document(part_source, text, "text", cfg, meta)


def _byte_cuts(f: BinaryIO, size: int, limit: int, start: int) -> list[int]:
    """Byte offsets ``[start, …, size]`` cutting the file into parts of at most *limit*
    bytes (so characters), by :func:`cut_point`'s rule."""
    cuts = [start]
    while size - cuts[-1] > limit:
        f.seek(cuts[-1])
        cuts.append(cuts[-1] + cut_point(f.read(limit), limit))
    cuts.append(size)
    return cuts


def _ascii_compatible(codec: str) -> bool:
    try:
        return "\n".encode(codec) == b"\n" and "a".encode(codec) == b"a"
    except (LookupError, UnicodeError):
        return False
