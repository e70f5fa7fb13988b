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
  per document), queried with ``searchsorted``;
* every LSH candidate is *verified* on the full signature (16-bit b-bit MinHash, 2 bytes
  per permutation), so precision does not depend on the banding, and only kept documents
  are indexed, so the index grows with the number of distinct documents.

Semantics are sequential: a document is a near-duplicate when its estimated Jaccard
similarity with an *earlier kept* document reaches ``threshold``; it then carries the id of
the most similar such document (the earliest on ties). Documents are processed in batches
for speed, but the outcome is exactly that of one-by-one processing in input order.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

Shingle = Literal["word", "char"]

DEFAULT_NGRAM = {"word": 5, "char": 9}
_WORD = re.compile(r"\w+")
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

    ``word``: n-grams of ``\\w+`` tokens (punctuation and spacing are ignored, so
    re-wrapped or re-punctuated copies still match). ``char``: n-grams of characters with
    runs of whitespace collapsed; the better choice for scripts written without spaces.
    An empty array means the text has nothing to compare (no words).
    """
    n = ngram or DEFAULT_NGRAM[shingle]
    folded = text.casefold()
    if shingle == "word":
        words = _WORD.findall(folded)
        if not words:
            return np.empty(0, dtype=np.uint64)
        units = np.fromiter(
            (zlib.crc32(w.encode("utf-8")) for w in words), dtype=np.uint64, count=len(words)
        )
    elif shingle == "char":
        flat = _SPACE.sub(" ", folded).strip()
        if not _WORD.search(flat):
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

    Only kept items are indexed. Memory per kept item: ``2*num_perm`` bytes of signature,
    12 bytes per band, and its key.
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
    ) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError("threshold must be in (0, 1]")
        if shingle not in DEFAULT_NGRAM:
            raise ValueError(f"shingle must be 'word' or 'char', not {shingle!r}")
        self.threshold = threshold
        self.shingle: Shingle = shingle
        self.ngram = ngram or DEFAULT_NGRAM[shingle]
        self.hasher = MinHasher(num_perm, seed)
        if bands:
            self.bands, self.rows = bands, num_perm // bands
        else:
            self.bands, self.rows = lsh_params(threshold, num_perm)
        self.num_perm = num_perm
        self._band_salt = _mix(np.arange(1, self.bands + 1, dtype=np.uint64))
        self._row_mult = _mix(np.arange(101, 101 + self.rows, dtype=np.uint64)) | np.uint64(1)
        self._sigs = np.empty((1024, num_perm), dtype=np.uint16)  # kept items' b-bit sigs
        self._keys: list[str] = []
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []  # sorted band keys -> item

    def __len__(self) -> int:
        return len(self._keys)

    @property
    def nbytes(self) -> int:
        """Bytes held in numpy arrays (keys' strings not included)."""
        return int(self._sigs.nbytes + sum(k.nbytes + v.nbytes for k, v in self._runs))

    def signature(self, text: str) -> np.ndarray | None:
        hashes = shingle_hashes(text, self.shingle, self.ngram)
        return self.hasher.signature(hashes) if len(hashes) else None

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
        stored = self._stored_candidates(bkeys)
        in_batch = _batch_candidates(bkeys)
        batch_index: dict[int, int] = {}  # batch row -> index of the kept item
        new_rows: list[int] = []
        for r, i in enumerate(rows):
            best_sim, best_key = 0.0, None
            cands = stored.get(r)
            if cands is not None:
                sims = (self._sigs[cands] == small[r]).mean(axis=1)
                j = int(np.argmax(sims))  # argmax: first (earliest) among equals
                best_sim, best_key = float(sims[j]), self._keys[int(cands[j])]
            earlier = [q for q in in_batch.get(r, ()) if q in batch_index]
            if earlier:
                sims = (small[earlier] == small[r]).mean(axis=1)
                j = int(np.argmax(sims))
                if sims[j] > best_sim:
                    best_sim, best_key = float(sims[j]), self._keys[batch_index[earlier[j]]]
            if best_key is not None and best_sim >= self.threshold:
                verdicts[i] = Verdict(best_key, round(best_sim, 4))
                continue
            batch_index[r] = len(self._keys)
            self._keys.append(keys[i])
            new_rows.append(r)
        if new_rows:
            self._store(small[new_rows], bkeys[new_rows], len(self._keys) - len(new_rows))
        return verdicts

    def _stored_candidates(self, bkeys: np.ndarray) -> dict[int, np.ndarray]:
        """batch row -> distinct indexed items sharing at least one band with it."""
        q = bkeys.ravel()
        qrow = np.repeat(np.arange(len(bkeys)), self.bands)
        found_rows, found_items = [], []
        for keys, items in self._runs:
            lo = np.searchsorted(keys, q, side="left")
            hi = np.searchsorted(keys, q, side="right")
            counts = np.minimum(hi - lo, _MAX_CANDIDATES)
            total = int(counts.sum())
            if not total:
                continue
            starts = np.repeat(lo, counts)
            offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
            found_rows.append(np.repeat(qrow, counts))
            found_items.append(items[starts + offsets])
        if not found_rows:
            return {}
        pairs = np.unique(
            np.stack([np.concatenate(found_rows), np.concatenate(found_items)], axis=1), axis=0
        )
        out: dict[int, np.ndarray] = {}
        bounds = np.flatnonzero(np.diff(pairs[:, 0])) + 1
        for chunk in np.split(pairs, bounds):
            out[int(chunk[0, 0])] = chunk[:, 1]  # items ascending: earliest first
        return out

    def _store(self, small: np.ndarray, bkeys: np.ndarray, first: int) -> None:
        end = first + len(small)
        if end > len(self._sigs):
            grown = np.empty((max(end, len(self._sigs) * 3 // 2), self.num_perm), np.uint16)
            grown[:first] = self._sigs[:first]
            self._sigs = grown
        self._sigs[first:end] = small
        keys = bkeys.ravel()
        items = np.repeat(np.arange(first, end, dtype=np.int32), self.bands)
        order = np.argsort(keys, kind="stable")
        self._runs.append((keys[order], items[order]))
        # Binary-counter merging: at most log2(n) runs, each insert costs O(log n) amortised.
        while len(self._runs) > 1 and len(self._runs[-1][0]) * 2 >= len(self._runs[-2][0]):
            newer, older = self._runs.pop(), self._runs.pop()
            self._runs.append(_merge(older, newer))


def _merge(
    older: tuple[np.ndarray, np.ndarray], newer: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Merge two sorted runs in O(n) without an argsort's 8-byte-per-key temporary.

    Equal keys keep the older run's items first, so items stay ascending within a key.
    """
    (k1, v1), (k2, v2) = older, newer
    at = np.searchsorted(k1, k2, side="right") + np.arange(len(k2))
    keys = np.empty(len(k1) + len(k2), dtype=k1.dtype)
    items = np.empty(len(keys), dtype=v1.dtype)
    rest = np.ones(len(keys), dtype=bool)
    rest[at] = False
    keys[at], items[at] = k2, v2
    keys[rest], items[rest] = k1, v1
    return keys, items


def _batch_candidates(bkeys: np.ndarray) -> dict[int, list[int]]:
    """batch row -> earlier rows of the same batch sharing a band (earliest first)."""
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
