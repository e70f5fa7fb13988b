"""Step ``near_dedup``: documents that are near-copies of an earlier document are dropped.

Exact ``dedup`` catches byte-for-byte copies; scraped corpora are full of pages that
differ only by a date, a counter, a re-ordered paragraph or the site's navigation. Those
are found with MinHash + LSH (:mod:`corpus.train.neardup`) over the document's *kept*
segments, so boilerplate already removed does not make two copies look different.

A dropped document is recorded as ``dropped:near-duplicate of <id>``, the id of the most
similar earlier kept document. Deterministic: the same input order gives the same
decisions (seeded hashing, ties to the earliest document).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from corpus.records import Document
from corpus.registry import Step, register
from corpus.train.neardup import NearDupIndex


def document_text(doc: Document) -> str:
    """The text near-dedup compares: kept segments, one per line."""
    return "\n".join(seg.text for seg in doc.segments if seg.kept and seg.text)


@register("near_dedup")
@dataclass
class NearDedup(Step):
    """Drop documents whose estimated Jaccard similarity to an earlier one is >= threshold.

    ``shingle`` is ``word`` (n-grams of words; the default) or ``char`` (n-grams of
    characters; for scripts written without spaces). ``ngram`` = 0 picks 5 words or 9
    characters. More ``num_perm`` means a finer estimate and a bigger index.
    """

    threshold: float = 0.6
    shingle: Literal["word", "char"] = "word"
    ngram: int = 0
    num_perm: int = 128
    seed: int = 1
    batch_size: int = 256  # documents held back to hash and query together

    per_document = False
    requires = frozenset({"segment.normalized"})
    provides = frozenset({"document.near_unique"})

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        if self.ngram < 0 or self.num_perm < 8 or self.batch_size < 1:
            raise ValueError("ngram must be >= 0, num_perm >= 8 and batch_size >= 1")
        # Not dataclass fields: the manifest records parameters, not the index.
        self._index: NearDupIndex | None = None
        self._seen = 0
        self._dropped = 0

    @property
    def index(self) -> NearDupIndex:
        if self._index is None:
            self._index = NearDupIndex(
                self.threshold,
                num_perm=self.num_perm,
                shingle=self.shingle,
                ngram=self.ngram,
                seed=self.seed,
            )
        return self._index

    def __call__(self, docs: Iterable[Document]) -> Iterator[Document]:
        batch: list[Document] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= self.batch_size:
                yield from self._decide(batch)
                batch = []
        yield from self._decide(batch)

    def _decide(self, batch: list[Document]) -> list[Document]:
        live = [d for d in batch if d.kept]
        verdicts = self.index.add_batch([(d.id, document_text(d)) for d in live])
        self._seen += len(live)
        for doc, verdict in zip(live, verdicts, strict=True):
            if verdict.duplicate_of is None:
                continue
            # Same id = same content (ids are content hashes): an exact copy after all.
            exact = verdict.duplicate_of == doc.id
            doc.drop(f"{'duplicate' if exact else 'near-duplicate'} of {verdict.duplicate_of}")
            self._dropped += 1
        return batch

    def stats(self) -> dict[str, Any]:
        index = self._index
        return {
            "documents": self._seen,
            "near_duplicates": self._dropped,
            "bands": index.bands if index else None,
            "rows": index.rows if index else None,
        }

    def close(self) -> None:
        self._index = None
