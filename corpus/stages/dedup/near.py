"""Step ``near_dedup``: documents that are near-copies of an earlier document are dropped.

Exact ``dedup`` catches byte-for-byte copies; scraped corpora are full of pages that
differ only by a date, a counter, a re-ordered paragraph or the site's navigation. Those
are found with MinHash + LSH (:mod:`corpus.stages.dedup.minhash`) over the document's *kept*
segments, so boilerplate already removed does not make two copies look different.

A dropped document is recorded as ``dropped:near-duplicate of <id>``, the id of the most
similar earlier kept document. Deterministic: the same input order gives the same
decisions (seeded hashing, ties to the earliest document).

Each document's signature is computed where the document is processed (``prehash``, in
a worker), over the segments kept at that point, and carried with the kept flags it was
computed on; the main process recomputes it only for the documents whose kept segments
changed since (``repeated_lines`` dropped a line), and otherwise only queries the index.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np

from corpus.limits import check_at_most, check_memory_mb
from corpus.records import Document
from corpus.registry import BatchStep, RunContext, register
from corpus.stages.dedup.index import SpillDir
from corpus.stages.dedup.minhash import NearDupIndex, text_signature

MAX_NUM_PERM = 1024  # datasketch's and the literature's settings are 64-512
MAX_BATCH = 100_000
MAX_NGRAM = 64


def document_text(doc: Document) -> str:
    """The text near-dedup compares: kept segments, one per line."""
    return "\n".join(seg.text for seg in doc.segments if seg.kept and seg.text)


def kept_mask(doc: Document) -> bytes:
    """Which segments are kept: what a precomputed signature depends on besides text."""
    return bytes(seg.kept for seg in doc.segments)


@register("near_dedup", version=1)
@dataclass
class NearDedup(BatchStep):
    """Drop documents whose estimated Jaccard similarity to an earlier one is >= threshold.

    ``shingle`` is ``word`` (n-grams of words; the default) or ``char`` (n-grams of
    characters; for scripts written without spaces). ``ngram`` = 0 picks 5 words or 9
    characters. More ``num_perm`` means a finer estimate and a bigger index.
    ``memory_mb`` bounds the index held in memory (about ``2*num_perm + 8`` bytes plus
    12 per band for each kept document); beyond it, signatures and then band runs spill
    to ``OUT/.corpus-state/``, and decisions stay the same.
    """

    threshold: float = 0.6
    shingle: Literal["word", "char"] = "word"
    ngram: int = 0
    num_perm: int = 128
    seed: int = 1
    batch_size: int = 256  # documents held back to hash and query together
    memory_mb: float = 256.0

    per_document = False
    requires = frozenset({"segment.normalized"})
    provides = frozenset({"document.near_unique"})
    transient: ClassVar[frozenset[str]] = frozenset({"_state_base", "_slot"})

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        if self.ngram < 0 or self.num_perm < 8 or self.batch_size < 1:
            raise ValueError("ngram must be >= 0, num_perm >= 8 and batch_size >= 1")
        check_at_most(self.num_perm, MAX_NUM_PERM, "num_perm",
                      "8 bytes per permutation per document, in every batch and the index")
        check_at_most(self.batch_size, MAX_BATCH, "batch_size", "documents held back at once")
        check_at_most(self.ngram, MAX_NGRAM, "ngram", "words or characters per shingle")
        check_memory_mb(self.memory_mb)
        # Not dataclass fields: the manifest records parameters, not the index.
        self._index: NearDupIndex | None = None
        self._seen = 0
        self._dropped = 0
        self._state_base: Path | None = None
        self._slot = "near_dedup"

    @property
    def prehash_key(self) -> str:
        return f"near_dedup:{self.shingle}:{self.ngram}:{self.num_perm}:{self.seed}"

    def prehash(self, doc: Document) -> tuple[bytes, bytes | None]:
        """(kept mask, signature bytes or None) of *doc* as its segments are kept now."""
        sig = text_signature(document_text(doc), self.shingle, self.ngram, self.num_perm,
                             self.seed)
        return kept_mask(doc), None if sig is None else sig.tobytes()

    def _signature(self, doc: Document) -> np.ndarray | None:
        pre = self.prehashed(doc)
        if pre is not None and pre[0] == kept_mask(doc):
            return None if pre[1] is None else np.frombuffer(pre[1], dtype=np.uint32)
        return self.index.signature(document_text(doc))  # kept segments changed since

    @property
    def index(self) -> NearDupIndex:
        if self._index is None:
            self._index = NearDupIndex(
                self.threshold,
                num_perm=self.num_perm,
                shingle=self.shingle,
                ngram=self.ngram,
                seed=self.seed,
                memory_mb=self.memory_mb,
                spill=SpillDir(self._slot),
            )
            self._index.spill.attach(self._state_base)
        return self._index

    def batch_len(self) -> int:
        return self.batch_size

    def decide(self, batch: list[Document]) -> list[Document]:
        live = [d for d in batch if d.kept]
        index = self.index
        verdicts = index.add_signatures([d.id for d in live], [self._signature(d) for d in live])
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

    # -- state on disk --------------------------------------------------------------
    def attach(self, context: RunContext) -> None:
        """Where the index spills: the runner's ``OUT/.corpus-state``, in the step's slot."""
        self._state_base, self._slot = context.state_dir, context.slot
        if self._index is not None:
            self._index.spill.attach(context.state_dir, context.slot)

    def state(self) -> dict[str, Any]:
        if self._index is not None:
            self._index.mark_saved()
        return super().state()

    def restore(self, state: dict[str, Any]) -> None:
        super().restore(state)
        if self._index is not None:
            self._index.spill.attach(self._state_base)

    def close(self) -> None:
        spill = self._index.spill if self._index is not None else SpillDir(self._slot)
        if self._index is not None:
            self._index.close()
        spill.attach(self._state_base)
        spill.remove_others()  # earlier runs' files: the final state no longer names them
        self._index = None
