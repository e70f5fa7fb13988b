"""Step ``dedup``: exact duplicate documents are kept once.

The key is the document's normalised text (all segments, in order), so copies that
differ only in encoding, line endings, invisible characters or Unicode composition are
caught. A copy is recorded as ``dropped:duplicate of <id>`` — never silently lost.

The key is hashed where the document is processed (a worker, see ``prehash``); the main
process only looks keys up, a batch at a time, in a :class:`~corpus.stages.dedup.index.RunStore`
of 16 bytes per distinct document (key and id) that spills to ``OUT/.corpus-state/``
beyond ``memory_mb``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from corpus.limits import check_memory_mb
from corpus.records import Document
from corpus.registry import BatchStep, register
from corpus.stages.dedup.index import OwnsRunStore, RunStore, budget_bytes, id_to_int, int_to_id


def text_key(doc: Document) -> int:
    """64-bit hash of the normalised text of every segment, in order."""
    h = hashlib.blake2b(digest_size=8)
    for seg in doc.segments:
        h.update(seg.text.encode("utf-8", "surrogatepass"))
        h.update(b"\n")
    return int.from_bytes(h.digest(), "little")


@register("dedup", version=1)
@dataclass
class ExactDedup(OwnsRunStore, BatchStep):
    """Drop documents whose normalised text equals an earlier document's.

    ``memory_mb`` bounds the index held in memory (16 bytes per distinct document;
    merging two halves of it briefly takes as much again); beyond it the index spills
    to ``OUT/.corpus-state/`` and decisions stay the same.
    """

    memory_mb: float = 64.0

    per_document = False
    requires = frozenset({"segment.normalized"})
    provides = frozenset({"document.unique"})
    transient: ClassVar[frozenset[str]] = frozenset({"_state_base"})
    duplicates: int = field(default=0, init=False, repr=False)
    _index: RunStore = field(init=False, repr=False)
    # ids that are not 16 hex digits (never made by ingest; hand-built documents) by key
    _odd: dict[int, str] = field(default_factory=dict, init=False, repr=False)
    _state_base: Path | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        check_memory_mb(self.memory_mb)
        self._index = RunStore(unique=True, value_dtype=np.uint64,
                               memory_bytes=budget_bytes(self.memory_mb), prefix="first")

    @property
    def prehash_key(self) -> str:
        return "dedup"

    def prehash(self, doc: Document) -> int:
        """What the main process needs of *doc*, computed where the document is processed."""
        return text_key(doc)


    def _key(self, doc: Document) -> int:
        pre = self.prehashed(doc)
        return text_key(doc) if pre is None else pre

    def decide(self, batch: list[Document]) -> list[Document]:
        live = [d for d in batch if d.kept]
        if not live:
            return batch
        keys = np.fromiter((self._key(d) for d in live), dtype=np.uint64, count=len(live))
        uniq, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        found, stored = self._index.get(uniq)
        for doc, u in zip(live, inverse.tolist(), strict=True):
            if found[u]:
                earliest = int_to_id(int(stored[u]))
            elif self._odd and (odd := self._odd.get(int(uniq[u]))) is not None:
                earliest = odd
            else:
                earliest = live[first[u]].id
            if earliest != doc.id:
                doc.drop(f"duplicate of {earliest}")
                self.duplicates += 1
        new_keys, new_ids = [], []
        for u in np.flatnonzero(~found).tolist():
            key = int(uniq[u])
            if key in self._odd:
                continue
            doc_id = live[first[u]].id
            value = id_to_int(doc_id)
            if value is None:
                self._odd[key] = doc_id
            else:
                new_keys.append(key)
                new_ids.append(value)
        self._index.add(np.array(new_keys, dtype=np.uint64), np.array(new_ids, dtype=np.uint64))
        return batch

    def stats(self) -> dict[str, Any]:
        return {"duplicates": self.duplicates}
