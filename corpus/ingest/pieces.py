"""A large JSONL file as pieces of whole records, so several workers can read one file.

A read task used to be whole input files: one big export, or a few big shards, kept one
worker busy while the others waited. :func:`plan` cuts a plain (uncompressed) JSONL file
larger than a piece into byte ranges that start and end on line boundaries, in one pass
that also hashes the file (every record carries the whole file's sha256) and counts the
lines before each cut (every record keeps its line number). :func:`read_piece` reads one
range to exactly the documents :func:`~corpus.ingest.reader.read_input` gives for those
lines of the whole file, so ``--workers N`` writes the bytes ``--workers 1`` writes.

Gzipped files are read whole (a gzip stream cannot be entered in the middle); stdin and
what is not a regular file too.
"""

from __future__ import annotations

import hashlib
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass

from corpus.ingest.config import InputConfig
from corpus.ingest.decode import binary_reason
from corpus.ingest.documents import status_document
from corpus.ingest.jsonl import iter_lines, read_records
from corpus.ingest.reader import format_by_extension, sniff_format
from corpus.ingest.sources import InputRef
from corpus.ingest.streams import CHUNK, GZIP_MAGIC, open_failure
from corpus.records import Document, Source


@dataclass(frozen=True, slots=True)
class Piece:
    """Lines ``first_line…`` of one JSONL input, bytes ``[start, end)``."""

    ref: InputRef
    start: int
    end: int
    first_line: int
    sha256: str  # of the whole file
    last: bool  # the input's last piece (the input is done when it is)


def plan(ref: InputRef, cfg: InputConfig, piece_bytes: int) -> list[Piece] | None:
    """The pieces of *ref*, or None when it is read whole (small, compressed, not JSONL,
    not a regular file, or anything unusual that the whole-file reader reports on)."""
    if ref.problem is not None or ref.fspath is None:
        return None
    try:
        size = os.path.getsize(ref.fspath)
        if size <= piece_bytes or size > cfg.max_file_bytes:
            return None
        with open(ref.fspath, "rb") as f:
            if not os.path.isfile(ref.fspath):
                return None
            head = f.read(cfg.detect_bytes)
            if head[:2] == GZIP_MAGIC or not head.strip() or binary_reason(head):
                return None
            fmt = cfg.format if cfg.format != "auto" else (
                format_by_extension(ref.path) or sniff_format(head))
            if fmt != "jsonl":
                return None
            f.seek(0)
            return _cut(ref, f, size, piece_bytes)
    except OSError:
        return None


def _cut(ref: InputRef, f, size: int, piece_bytes: int) -> list[Piece] | None:
    """One pass: hash, count lines, and cut after the first newline past each target."""
    digest = hashlib.sha256()
    cuts: list[tuple[int, int]] = [(0, 1)]  # (byte offset, line number) where pieces start
    lines = 0
    pos = 0
    target = piece_bytes
    while block := f.read(CHUNK):
        digest.update(block)
        end = pos + len(block)
        start = 0
        while target < end:
            nl = block.find(b"\n", max(target - pos, start))
            if nl < 0:
                break
            lines += block.count(b"\n", start, nl + 1)
            start = nl + 1
            if pos + start < size:
                cuts.append((pos + start, lines + 1))
            target = pos + start + piece_bytes
        lines += block.count(b"\n", start)
        pos = end
    if pos != size or len(cuts) < 2:
        return None  # the file changed under us, or has no line to cut at
    sha = digest.hexdigest()
    bounds = [*cuts, (size, 0)]
    return [Piece(ref, a, b, line, sha, i == len(cuts) - 1)
            for i, ((a, line), (b, _)) in enumerate(itertools.pairwise(bounds))]


def read_piece(piece: Piece, cfg: InputConfig) -> Iterator[Document]:
    """The documents of one piece, as the whole file's reader makes them. Never raises."""
    source = Source(path=piece.ref.path, sha256=piece.sha256, format="jsonl")
    try:
        with open(piece.ref.fspath or "", "rb") as f:
            f.seek(piece.start)
            yield from read_records(
                iter_lines(_range(f, piece.end - piece.start), first_line=piece.first_line,
                           first_offset=piece.start),
                source, cfg, [0, 0])
    except OSError as exc:
        yield status_document(source, open_failure(piece.ref, exc))


def _range(f, length: int) -> Iterator[bytes]:
    while length > 0 and (block := f.read(min(CHUNK, length))):
        length -= len(block)
        yield block
