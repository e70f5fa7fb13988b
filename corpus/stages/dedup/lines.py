"""Step ``repeated_lines``: a line that recurs on many pages of one site is furniture.

CCNet's idea: a line seen on ``min_pages`` earlier pages of the same source (folder, or
URL host for JSONL/HTML with a URL) is site furniture however article-like it looks.
Corpus-wide and order-dependent, so it runs in the main process on keys the workers
hashed (``prehash``).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

import numpy as np

from corpus.limits import check_memory_mb
from corpus.records import Document
from corpus.registry import BatchStep, register
from corpus.stages.dedup.index import OwnsRunStore, RunStore, budget_bytes


def source_group(doc: Document) -> str:
    """Pages of one site: the URL's host when known, else the input's folder."""
    url = doc.meta.get("url")
    if isinstance(url, str) and url:
        host = urlsplit(url).hostname
        if host:
            return host
    return os.path.dirname(doc.source.path) + (f"#{doc.source.path}" if doc.source.record else "")


@register("repeated_lines", version=1)
@dataclass
class RepeatedLines(OwnsRunStore, BatchStep):
    """Drop kept lines already seen on ``min_pages`` earlier pages of the same source.

    Streaming and order-dependent by design. Only lines of at most ``max_words`` words
    count: a long paragraph repeated verbatim is a duplicate, for the dedup step to judge,
    not furniture. Each page's line keys (a 64-bit hash of the source and the case-folded
    line) are computed where the page is processed (``prehash``); the main process looks
    them up a batch at a time in a :class:`~corpus.stages.dedup.index.RunStore` of 16 bytes per
    distinct line per source, bounded by ``memory_mb`` (beyond it, the counts spill to
    ``OUT/.corpus-state/``; decisions stay the same).
    """

    min_pages: int = 3
    max_words: int = 12
    memory_mb: float = 64.0
    per_document = False
    requires = frozenset({"segment.normalized"})
    transient: ClassVar[frozenset[str]] = frozenset({"_state_base"})
    store_attr: ClassVar[str] = "_counts"
    dropped: int = field(default=0, init=False, repr=False)
    _counts: RunStore = field(init=False, repr=False)  # line key -> pages seen on
    _state_base: Path | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.min_pages < 1:
            raise ValueError("min_pages must be >= 1")
        check_memory_mb(self.memory_mb)
        self._counts = RunStore(unique=True, value_dtype=np.int64,
                                memory_bytes=budget_bytes(self.memory_mb), prefix="lines")

    @property
    def prehash_key(self) -> str:
        return f"repeated_lines:{self.max_words}"

    def prehash(self, doc: Document) -> tuple[bytes, bytes]:
        """(segment indices as int32, line keys as uint64) of the lines that count.

        A line counts once per page (its first occurrence), titles and lines of more than
        ``max_words`` words not at all. Depends on the segments' text and kind only, which
        corpus-wide steps do not change, so a worker can compute it.
        """
        group = source_group(doc).encode("utf-8", "surrogatepass") + b"\0"
        indices: list[int] = []
        keys: list[bytes] = []
        page_lines: set[bytes] = set()
        for i, seg in enumerate(doc.segments):
            if seg.kind == "title" or len(seg.text.split()) > self.max_words:
                continue
            key = hashlib.blake2b(
                group + seg.text.casefold().encode("utf-8", "surrogatepass"), digest_size=8
            ).digest()
            if key in page_lines:
                continue
            page_lines.add(key)
            indices.append(i)
            keys.append(key)
        return np.array(indices, dtype=np.int32).tobytes(), b"".join(keys)


    def decide(self, batch: list[Document]) -> list[Document]:
        """Sequential semantics, a batch at a time: a line's count on a page is what the
        index holds plus its occurrences on earlier pages of the batch."""
        live = [d for d in batch if d.kept]
        if not live:
            return batch
        owners, indices, keys = [], [], []
        for n, doc in enumerate(live):
            pre = self.prehashed(doc)
            idx, key = self.prehash(doc) if pre is None else pre
            indices.append(np.frombuffer(idx, dtype=np.int32))
            keys.append(np.frombuffer(key, dtype=np.uint64))
            owners.append(np.full(len(indices[-1]), n, dtype=np.int32))
        all_keys = np.concatenate(keys)
        if len(all_keys):
            uniq, inverse, counts = np.unique(all_keys, return_inverse=True, return_counts=True)
            _, stored = self._counts.get(uniq)  # 0 where never seen
            order = np.argsort(inverse, kind="stable")  # by key, then page order
            rank = np.empty(len(all_keys), dtype=np.int64)
            rank[order] = np.arange(len(all_keys)) - np.repeat(np.cumsum(counts) - counts, counts)
            seen_before = stored[inverse] + rank
            all_owners, all_indices = np.concatenate(owners), np.concatenate(indices)
            for hit in np.flatnonzero(seen_before >= self.min_pages).tolist():
                seg = live[all_owners[hit]].segments[all_indices[hit]]
                if seg.kept:
                    seg.drop("repeated_across_pages")
                    self.dropped += 1
            self._counts.add(uniq, stored + counts)
        for doc in live:
            if not any(s.kept for s in doc.segments):
                doc.drop("only_boilerplate")
        return batch

    def stats(self) -> dict[str, Any]:
        return {"dropped": self.dropped}
