"""Step ``sentence_dedup``: each sentence is kept once across the corpus.

Like the other dedup steps it remembers 64-bit keys in a
:class:`~corpus.stages.dedup.index.RunStore` bounded by ``memory_mb`` (9 bytes per
distinct sentence; beyond the budget the runs spill to ``OUT/.corpus-state/`` and the
decisions stay the same), and decides a batch of documents at a time with the sequential
semantics inside the batch: the first occurrence in input order is the one kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from corpus.limits import check_at_most, check_memory_mb
from corpus.records import Document, Sentence
from corpus.registry import BatchStep, register
from corpus.stages.dedup.index import OwnsRunStore, RunStore, budget_bytes
from corpus.stages.filters import checks
from corpus.stages.filters.base import Counting, filter_sentences

MAX_REJECTS = 100_000


@register("sentence_dedup", version=1)
@dataclass
class SentenceDedup(OwnsRunStore, BatchStep, Counting):
    """Keep the first occurrence of each sentence across the corpus.

    Sentences compare after case-folding and dropping punctuation and spacing
    (``"Hello, world!"`` = ``"hello world"``) unless ``exact`` is true.
    """

    exact: bool = False
    max_rejects: int = 100
    memory_mb: float = 64.0

    requires = frozenset({"segment.sentences"})
    transient: ClassVar[frozenset[str]] = frozenset({"_state_base"})
    store_attr: ClassVar[str] = "_seen"
    _seen: RunStore = field(init=False, repr=False)  # sentence key -> 1
    _state_base: Path | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        check_memory_mb(self.memory_mb)
        check_at_most(self.max_rejects, MAX_REJECTS, "max_rejects", "examples kept in memory")
        self._seen = RunStore(unique=True, value_dtype=np.uint8,
                              memory_bytes=budget_bytes(self.memory_mb), prefix="sentences")
        self._distinct = 0
        self._reset()

    def _key(self, sent: Sentence) -> int:
        text = sent.text if self.exact else checks.comparable(sent.text) or sent.text
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        return int.from_bytes(digest, "little")

    def _candidates(self, doc: Document) -> Iterator[Sentence]:
        """The sentences :func:`filter_sentences` will look at, in its order."""
        for seg in doc.segments:
            if seg.kept and seg.sentences:
                yield from (s for s in seg.sentences if s.kept)

    def decide(self, batch: list[Document]) -> list[Document]:
        live = [d for d in batch if d.kept]
        keys = [self._key(s) for d in live for s in self._candidates(d)]
        if not keys:
            return batch
        uniq = np.unique(np.array(keys, dtype=np.uint64))
        found, _ = self._seen.get(uniq)
        seen = set(uniq[found].tolist())
        new = len(seen)
        order = iter(keys)

        def check(_: Sentence) -> str | None:
            key = next(order)
            if key in seen:
                return "duplicate_sentence"
            seen.add(key)
            return None

        for doc in live:
            self._in += filter_sentences(doc, check, self._reject)
        fresh = uniq[~found]
        self._seen.add(fresh, np.ones(len(fresh), dtype=np.uint8))
        self._distinct += len(seen) - new
        return batch

    def stats(self) -> dict[str, Any]:
        return {**self._counts(), "distinct": self._distinct}
