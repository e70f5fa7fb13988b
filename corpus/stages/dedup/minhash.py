"""Near-duplicate documents: MinHash signatures and an LSH index, in numpy.

Why not datasketch's ``MinHashLSH``? It keeps every band of every document as a Python
``bytes`` key in a dict of sets (several kilobytes per document) and has no verification
step, so a corpus of a few hundred thousand pages costs gigabytes and the answer is only as
good as the banding. Here (``bench/dedup.py`` measures both on the same corpus):

* shingles are hashed in bulk (one CRC-32 per word or a code point per character, then
  n-grams combined with vectorised multiply-add and a SplitMix64 finaliser), so hashing is
  deterministic across processes (Python's ``hash`` is salted) and fast;
* MinHash uses a multiply-shift family ``(a·x + b) >> 32`` over 64-bit shingle hashes,
  with ``a``/``b`` drawn from a seeded generator, so signatures are reproducible;
* band keys live in sorted ``uint64`` runs merged like a binary counter (12 bytes per band
  per document), queried with ``searchsorted`` (:class:`corpus.stages.dedup.index.RunStore`);
* every LSH candidate is *verified* on the full signature (16-bit b-bit MinHash, 2 bytes
  per permutation), so precision does not depend on the banding, and only kept documents
  are indexed, so the index grows with the number of distinct documents;
* with ``memory_mb`` the index stays within a budget: signatures (with the document ids,
  :class:`corpus.stages.dedup.index.RowStore`) and then the largest band runs move to disk, and
  the decisions do not change.

Semantics are sequential: a document is a near-duplicate when its estimated Jaccard
similarity with an *earlier kept* document reaches ``threshold``; it then carries the id of
the most similar such document (the earliest on ties). Documents are processed in batches
for speed, but the outcome is exactly that of one-by-one processing in input order.
"""

from __future__ import annotations

import functools
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from corpus.stages.dedup.index import (
    RowStore,
    RunStore,
    SpillDir,
    budget_bytes,
    id_to_int,
    int_to_id,
)
from corpus.words import has_word
from corpus.words import words as word_list

Shingle = Literal["word", "char"]

DEFAULT_NGRAM = {"word": 5, "char": 9}
_SPACE = re.compile(r"\s+")
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_ROLL = np.uint64(0x100000001B3)  # FNV-64 prime: a fine odd multiplier for n-gram mixing
_MAX_CANDIDATES = 256  # per bucket: a bucket shared by hundreds of kept documents is a template
_MAX_BATCH_PAIRS = 32  # per shared band inside one batch: the earliest members suffice


def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64 finaliser: turns structured 64-bit values into well-spread ones."""
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


def _ngrams(units: np.ndarray, n: int) -> np.ndarray:
    """64-bit hashes of every run of *n* consecutive units (the whole text if shorter)."""
    n = max(1, min(n, len(units)))
    count = len(units) - n + 1
    h = np.zeros(count, dtype=np.uint64)
    for j in range(n):
        h = h * _ROLL + units[j : j + count]
    return _mix(h + np.uint64(n))


def shingle_hashes(text: str, shingle: Shingle = "word", ngram: int = 0) -> np.ndarray:
    """Distinct 64-bit hashes of the shingles of *text*, case-folded.

    ``word``: n-grams of words (:mod:`corpus.words`; punctuation and spacing are ignored, so
    re-wrapped or re-punctuated copies still match). ``char``: n-grams of characters with
    runs of whitespace collapsed; the better choice for scripts written without spaces.
    An empty array means the text has nothing to compare (no words).
    """
    n = ngram or DEFAULT_NGRAM[shingle]
    folded = text.casefold()
    if shingle == "word":
        words = word_list(folded)
        if not words:
            return np.empty(0, dtype=np.uint64)
        units = np.fromiter(
            map(zlib.crc32, map(str.encode, words)), dtype=np.uint64, count=len(words)
        )
    elif shingle == "char":
        flat = _SPACE.sub(" ", folded).strip()
        if not has_word(flat):
            return np.empty(0, dtype=np.uint64)
        units = np.frombuffer(flat.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    else:
        raise ValueError(f"shingle must be 'word' or 'char', not {shingle!r}")
    return np.unique(_ngrams(units, n))


class MinHasher:
    """MinHash signatures of shingle-hash sets; the same seed always gives the same ones."""

    def __init__(self, num_perm: int = 128, seed: int = 1) -> None:
        if num_perm < 8:
            raise ValueError("num_perm must be at least 8")
        rng = np.random.default_rng(seed)
        self.num_perm = num_perm
        self._a = rng.integers(1, 2**63, size=num_perm, dtype=np.uint64) * np.uint64(2) + 1
        self._b = rng.integers(0, 2**63, size=num_perm, dtype=np.uint64)

    def signature(self, hashes: np.ndarray) -> np.ndarray:
        """``uint32[num_perm]``: per permutation, the smallest hash of the set."""
        sig = np.full(self.num_perm, np.iinfo(np.uint32).max, dtype=np.uint64)
        for start in range(0, len(hashes), 2048):  # bounds the n x num_perm temporary
            chunk = hashes[start : start + 2048, None]
            vals = (chunk * self._a + self._b) >> np.uint64(32)
            np.minimum(sig, vals.min(axis=0), out=sig)
        return sig.astype(np.uint32)


@functools.lru_cache(maxsize=8)
def minhasher(num_perm: int, seed: int) -> MinHasher:
    """One shared hasher per (num_perm, seed): its tables are drawn once per process."""
    return MinHasher(num_perm, seed)


def text_signature(
    text: str, shingle: Shingle = "word", ngram: int = 0, num_perm: int = 128, seed: int = 1
) -> np.ndarray | None:
    """The MinHash signature :class:`NearDupIndex` computes for *text* (None: no words).

    A pure function of the text and the parameters, so a worker can compute it and the
    index only look it up (``near_dedup``'s ``prehash``).
    """
    hashes = shingle_hashes(text, shingle, ngram)
    return minhasher(num_perm, seed).signature(hashes) if len(hashes) else None


def false_rates(threshold: float, bands: int, rows: int) -> tuple[float, float]:
    """Areas under the LSH S-curve: (false-positive area below, false-negative above)."""
    xs = np.linspace(0.0, 1.0, 2001)
    p = 1.0 - (1.0 - xs**rows) ** bands
    below, above = xs <= threshold, xs >= threshold
    return (
        float(np.trapezoid(p[below], xs[below])),
        float(np.trapezoid(1.0 - p[above], xs[above])),
    )


def lsh_params(threshold: float, num_perm: int, fn_weight: float = 0.9) -> tuple[int, int]:
    """(bands, rows) with ``bands*rows <= num_perm`` minimising weighted error areas.

    Candidates are verified afterwards, so a false positive of the banding only costs a
    comparison while a false negative is a missed duplicate: misses weigh ``fn_weight``.
    """
    best: tuple[float, int, int] | None = None
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            fp, fn = false_rates(threshold, bands, rows)
            err = (1.0 - fn_weight) * fp + fn_weight * fn
            if best is None or err < best[0] - 1e-12:
                best = (err, bands, rows)
    assert best is not None
    return best[1], best[2]


@dataclass(frozen=True, slots=True)
class Verdict:
    """``duplicate_of`` is the earlier kept key this item near-duplicates, else None."""

    duplicate_of: str | None
    similarity: float = 0.0


class NearDupIndex:
    """Sequential near-duplicate detection over a stream of (key, text) items.

    Only kept items are indexed. Memory per kept item: ``2*num_perm + 8`` bytes of
    signature and id, and 12 bytes per band. With ``memory_mb`` > 0 the part held in
    memory stays within that budget (half for signatures, half for band runs; merging
    band runs briefly takes as much again); the rest is on disk under *spill* (a
    temporary folder if none is given). Decisions do not depend on the budget.
    """

    def __init__(
        self,
        threshold: float = 0.7,
        *,
        num_perm: int = 128,
        shingle: Shingle = "word",
        ngram: int = 0,
        seed: int = 1,
        bands: int = 0,
        memory_mb: float = 0.0,
        spill: SpillDir | None = None,
    ) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        if shingle not in DEFAULT_NGRAM:
            raise ValueError(f"shingle must be 'word' or 'char', not {shingle!r}")
        self.threshold = threshold
        self.shingle: Shingle = shingle
        self.ngram = ngram or DEFAULT_NGRAM[shingle]
        self.seed = seed
        self.hasher = minhasher(num_perm, seed)
        if bands:
            self.bands, self.rows = bands, num_perm // bands
        else:
            self.bands, self.rows = lsh_params(threshold, num_perm)
        self.num_perm = num_perm
        self._band_salt = _mix(np.arange(1, self.bands + 1, dtype=np.uint64))
        self._row_mult = _mix(np.arange(101, 101 + self.rows, dtype=np.uint64)) | np.uint64(1)
        budget = budget_bytes(memory_mb)
        self.spill = spill if spill is not None else SpillDir()
        # kept items: b-bit signature, then the id as 4 uint16 columns
        self._items = RowStore(num_perm + 4, budget // 2, self.spill, "signatures")
        self._bands = RunStore(unique=False, value_dtype=np.int32, memory_bytes=budget // 2,
                               spill=self.spill, prefix="bands")
        self._odd_ids: dict[int, str] = {}  # item -> id, for ids that are not 16 hex digits

    def __len__(self) -> int:
        return len(self._items)

    @property
    def nbytes(self) -> int:
        """Bytes held in memory by numpy arrays (ids that are not 16 hex digits aside)."""
        return self._items.nbytes + self._bands.nbytes

    def signature(self, text: str) -> np.ndarray | None:
        return text_signature(text, self.shingle, self.ngram, self.num_perm, self.seed)

    def _band_keys(self, sigs: np.ndarray) -> np.ndarray:
        """``uint64[n, bands]``: one hash per band of each signature."""
        n = len(sigs)
        used = sigs[:, : self.bands * self.rows].astype(np.uint64)
        per_band = used.reshape(n, self.bands, self.rows) * self._row_mult
        return _mix(per_band.sum(axis=2, dtype=np.uint64) ^ self._band_salt)

    def add_batch(self, items: Sequence[tuple[str, str]]) -> list[Verdict]:
        """Decide a batch of (key, text) in order; kept items join the index."""
        sigs: list[np.ndarray | None] = [self.signature(text) for _, text in items]
        return self.add_signatures([k for k, _ in items], sigs)

    def add_signatures(
        self, keys: Sequence[str], sigs: Sequence[np.ndarray | None]
    ) -> list[Verdict]:
        rows = [i for i, s in enumerate(sigs) if s is not None]
        verdicts = [Verdict(None)] * len(keys)
        if not rows:
            return verdicts
        full = np.stack([sigs[i] for i in rows])  # type: ignore[misc]
        small = full.astype(np.uint16)  # low 16 bits: b-bit MinHash
        bkeys = self._band_keys(full)
        stored_sim, stored_item, stored_row = self._best_stored(bkeys, small)
        in_batch = _BatchBands()
        band_rows = bkeys.tolist()
        new_rows: list[int] = []
        for r, i in enumerate(rows):
            best_sim, best_key = 0.0, None
            if stored_item[r] >= 0:
                best_sim = float(stored_sim[r])
                best_key = self._id(int(stored_item[r]), stored_row[r])
            earlier, slots = in_batch.candidates(band_rows[r])
            if earlier:
                ordered = sorted(earlier)
                sims = (small[ordered] == small[r]).mean(axis=1)
                j = int(np.argmax(sims))
                if sims[j] > best_sim:
                    best_sim, best_key = float(sims[j]), keys[rows[ordered[j]]]
            if best_key is not None and best_sim >= self.threshold:
                verdicts[i] = Verdict(best_key, round(best_sim, 4))
                continue
            in_batch.keep(r, slots)
            new_rows.append(r)
        if new_rows:
            self._store([keys[rows[r]] for r in new_rows], small[new_rows], bkeys[new_rows])
        return verdicts

    def _id(self, item: int, row: np.ndarray) -> str:
        odd = self._odd_ids.get(item) if self._odd_ids else None
        return odd if odd is not None else int_to_id(int(row[self.num_perm :].view(np.uint64)[0]))

    def _best_stored(
        self, bkeys: np.ndarray, small: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each batch row, the most similar indexed item sharing a band with it.

        (similarity, item or -1, that item's stored row): the earliest item among equally
        similar ones, as ``argmax`` over the candidates in item order would pick. All
        (row, candidate) pairs of the batch are verified at once, in bounded slices.
        """
        n = len(bkeys)
        best_sim = np.zeros(n)
        best_item = np.full(n, -1, dtype=np.int64)
        best_row = np.zeros((n, self.num_perm + 4), dtype=np.uint16)
        q = bkeys.ravel()
        qrow = np.repeat(np.arange(n), self.bands)
        found, items = self._bands.candidates(q, _MAX_CANDIDATES)
        if not len(found):
            return best_sim, best_item, best_row
        pairs = np.unique(np.stack([qrow[found], items.astype(np.int64)], axis=1), axis=0)
        rows, cands = pairs[:, 0], pairs[:, 1]
        needed, where = np.unique(cands, return_inverse=True)
        table = self._items.take(needed)
        sims = np.empty(len(pairs))
        step = max(1, (1 << 22) // self.num_perm)  # ~4 MB of comparisons at a time
        for start in range(0, len(pairs), step):
            part = slice(start, start + step)
            sims[part] = (table[where[part], : self.num_perm] == small[rows[part]]).mean(axis=1)
        order = np.lexsort((cands, -sims, rows))  # by row; most similar, then earliest first
        first = order[np.r_[True, rows[order][1:] != rows[order][:-1]]]
        best_sim[rows[first]] = sims[first]
        best_item[rows[first]] = cands[first]
        best_row[rows[first]] = table[where[first]]
        return best_sim, best_item, best_row

    def _store(self, keys: list[str], small: np.ndarray, bkeys: np.ndarray) -> None:
        first = len(self)
        ids = np.zeros(len(keys), dtype=np.uint64)
        for j, key in enumerate(keys):
            value = id_to_int(key)
            if value is None:
                self._odd_ids[first + j] = key
            else:
                ids[j] = value
        records = np.empty((len(keys), self.num_perm + 4), dtype=np.uint16)
        records[:, : self.num_perm] = small
        records[:, self.num_perm :] = ids.view(np.uint16).reshape(len(keys), 4)
        self._items.append(records)
        items = np.repeat(np.arange(first, first + len(keys), dtype=np.int32), self.bands)
        self._bands.add(bkeys.ravel(), items)

    # -- state on disk --------------------------------------------------------------
    def mark_saved(self) -> None:
        """A checkpoint names the index's files now (see RunStore.mark_saved)."""
        self._bands.mark_saved()

    def close(self) -> None:
        """After the final state is saved: delete files it does not name."""
        self._bands.close()
        self._items.close()


class _BatchBands:
    """:func:`_batch_candidates` restricted to kept rows, found row by row.

    Rows come in order. For each band key: how many (row, band) entries of the batch had
    it so far, and which *kept* rows were among its first ``_MAX_BATCH_PAIRS`` entries.
    The candidates of a row are those kept rows: exactly the earlier rows that
    ``_batch_candidates`` lists and that were kept, without building every pair of the
    batch (in a batch of near-copies that was the main process's largest cost).
    """

    def __init__(self) -> None:
        self._seen: dict[int, int] = {}
        self._kept: dict[int, list[int]] = {}

    def candidates(self, band_keys: list[int]) -> tuple[set[int], list[int]]:
        """(kept earlier rows sharing a band, the keys where this row is among the first)."""
        out: set[int] = set()
        slots: list[int] = []
        for key in band_keys:
            count = self._seen.get(key, 0)
            self._seen[key] = count + 1
            if count < _MAX_BATCH_PAIRS:
                slots.append(key)
            kept = self._kept.get(key)
            if kept:
                out.update(kept)
        return out, slots

    def keep(self, row: int, slots: list[int]) -> None:
        for key in slots:
            self._kept.setdefault(key, []).append(row)


def _batch_candidates(bkeys: np.ndarray) -> dict[int, list[int]]:
    """batch row -> earlier rows of the same batch sharing a band (earliest first).

    The definition :class:`_BatchBands` implements incrementally (tests compare them).
    """
    bands = bkeys.shape[1]
    flat = bkeys.ravel()
    order = np.argsort(flat, kind="stable")  # stable: rows ascending within a key
    sorted_keys = flat[order]
    starts = np.flatnonzero(np.r_[True, sorted_keys[1:] != sorted_keys[:-1]])
    sizes = np.diff(np.r_[starts, len(flat)])
    out: dict[int, set[int]] = {}
    for start, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist(), strict=True):
        group = (order[start : start + size] // bands).tolist()
        for pos, later in enumerate(group[1:], 1):
            for earlier in group[: min(pos, _MAX_BATCH_PAIRS)]:
                if earlier != later:
                    out.setdefault(later, set()).add(earlier)
    return {k: sorted(v) for k, v in out.items()}
