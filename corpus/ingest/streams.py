"""Bytes in: open an input, hash it, and stream its (possibly gzip-compressed) content.

Nothing here raises for a bad input except ``Rejected``, which carries the status the
reader records (``dropped:too_large``, ``error:unreadable: …``). Partial gzip streams are
not errors at this level: ``ByteSource.problem`` says what happened and the reader
decides whether the good part is worth keeping.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import sys
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import BinaryIO

from corpus.ingest.sources import InputRef

CHUNK = 1 << 20
GZIP_MAGIC = b"\x1f\x8b"
SPOOL_IN_MEMORY = 64 << 20


class Rejected(Exception):
    """This input cannot be read; ``status`` is what the manifest records for it."""

    def __init__(self, status: str, notes: list[str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.notes = notes or []


def open_failure(ref: InputRef, exc: OSError) -> str:
    """The status for an ``OSError`` raised while opening or reading *ref*."""
    if exc.errno == errno.ELOOP:
        return "dropped:symlink_loop"
    if exc.errno == errno.ENOENT:
        if ref.fspath is not None and os.path.islink(ref.fspath):
            return f"error:broken symlink to {os.readlink(ref.fspath)!r}"
        return "error:vanished: the file disappeared before it was read"
    if exc.errno == errno.EISDIR:
        return "error:is a directory"
    return f"error:unreadable: {exc.strerror or exc}"


@contextmanager
def open_input(ref: InputRef, max_bytes: int) -> Iterator[tuple[BinaryIO, str, int]]:
    """Yield ``(seekable binary file at 0, sha256 of its bytes, size)``.

    The hash is taken in a first pass so that records streamed later (JSONL) can carry
    the whole file's checksum. Stdin, pipes and devices are spooled to a temporary file
    first (bounded by *max_bytes*) so they can be read twice too.
    """
    if ref.is_stdin:
        with _spooled(sys.stdin.buffer, max_bytes) as spooled:
            yield spooled
        return
    assert ref.fspath is not None
    try:
        f = open(ref.fspath, "rb")  # noqa: SIM115 - closed by the with below
    except OSError as exc:
        raise Rejected(open_failure(ref, exc)) from None
    with f:
        try:
            st = os.fstat(f.fileno())
            if stat.S_ISDIR(st.st_mode):
                raise Rejected("error:is a directory")
            if not stat.S_ISREG(st.st_mode):
                with _spooled(f, max_bytes) as spooled:
                    yield spooled
                return
            if st.st_size > max_bytes:
                raise Rejected(
                    "dropped:too_large",
                    [f"file is {st.st_size} bytes, over the {max_bytes}-byte limit"],
                )
            digest = hashlib.sha256()
            size = 0
            while block := f.read(CHUNK):
                digest.update(block)
                size += len(block)
            f.seek(0)
        except OSError as exc:
            raise Rejected(open_failure(ref, exc)) from None
        yield f, digest.hexdigest(), size


@contextmanager
def _spooled(src: BinaryIO, max_bytes: int) -> Iterator[tuple[BinaryIO, str, int]]:
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as tmp:
        digest = hashlib.sha256()
        size = 0
        try:
            while block := src.read(CHUNK):
                size += len(block)
                if size > max_bytes:
                    raise Rejected(
                        "dropped:too_large", [f"stream is over the {max_bytes}-byte limit"]
                    )
                digest.update(block)
                tmp.write(block)
        except OSError as exc:
            raise Rejected(f"error:unreadable: {exc.strerror or exc}") from None
        tmp.seek(0)
        yield tmp, digest.hexdigest(), size  # type: ignore[misc]


class ByteSource:
    """The content of one input as a stream of chunks, decompressed when it is gzip.

    ``peek(n)`` looks ahead without consuming (for format sniffing). After iteration,
    ``problem`` is ``None`` or one of ``truncated``, ``corrupt: <zlib message>``,
    ``too_large``; ``notes`` holds remarks that are not problems (trailing garbage).
    """

    def __init__(self, f: BinaryIO, *, limit: int) -> None:
        self.limit = limit
        self.problem: str | None = None
        self.notes: list[str] = []
        self.total = 0
        self._file = f
        self.compressed = f.read(2) == GZIP_MAGIC
        f.seek(0)
        self._chunks = self._gunzip(f) if self.compressed else self._plain(f)
        self._head: list[bytes] = []

    def _plain(self, f: BinaryIO) -> Iterator[bytes]:
        while block := f.read(CHUNK):
            self.total += len(block)
            yield block

    def _gunzip(self, f: BinaryIO) -> Iterator[bytes]:
        decomp = zlib.decompressobj(wbits=31)
        pending = b""
        while True:
            if not pending:
                pending = f.read(CHUNK)
                if not pending:
                    break
            try:
                out = decomp.decompress(pending, CHUNK)
            except zlib.error as exc:
                self.problem = f"corrupt: {exc}"
                return
            pending = decomp.unconsumed_tail
            if out:
                self.total += len(out)
                if self.total > self.limit:
                    self.problem = "too_large"
                    return
                yield out
            if decomp.eof:
                rest = decomp.unused_data + pending
                if rest[:2] == GZIP_MAGIC:  # a further gzip member follows
                    decomp = zlib.decompressobj(wbits=31)
                    pending = rest
                    continue
                tail = rest + f.read(CHUNK)
                if tail.strip(b"\0"):
                    self.notes.append("ignored data after the end of the gzip stream")
                return
        if not decomp.eof:
            self.problem = "truncated"

    def peek(self, n: int) -> bytes:
        have = sum(len(b) for b in self._head)
        while have < n:
            block = next(self._chunks, None)
            if block is None:
                break
            self._head.append(block)
            have += len(block)
        return b"".join(self._head)[:n]

    def __iter__(self) -> Iterator[bytes]:
        while self._head:
            yield self._head.pop(0)
        yield from self._chunks

    def read_all(self) -> bytes:
        """Everything (bounded by ``limit`` for gzip, by the file-size check otherwise).

        Plain files are re-read in one call so a huge file is not held twice (chunks and
        their join) at once.
        """
        if not self.compressed:
            self._head.clear()
            self._file.seek(0)
            data = self._file.read()
            self.total = len(data)
            return data
        chunks = list(self)
        if len(chunks) == 1:
            return chunks[0]
        return b"".join(chunks)
