"""Deterministic train/dev/test assignment by document.

A sentence's split is decided by hashing its *document* id, so a document never straddles
two sets (sentences of one page share names, topics and phrasing: split by sentence and
the test set leaks into training). The hash is BLAKE2b of ``seed + doc_id``: the same
corpus and seed give the same split on every machine, and adding documents never moves
an existing document to another set.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from corpus.errors import ConfigError

DEFAULT_RATIOS = "train=0.98,dev=0.01,test=0.01"
WEIGHTS_EXAMPLE = "train=98,dev=1,test=1"
RATIO_TOLERANCE = 1e-6


def parse_ratios(text: str) -> tuple[tuple[str, float], ...]:
    """``"train=0.9,dev=0.05,test=0.05"`` → normalised ((name, share), ...) in that order.

    Shares are fractions that add up to 1, or weights (any share above 1: ``train=8,test=2``)
    that are normalised.
    """
    parts: list[tuple[str, float]] = []
    for item in text.split(","):
        if not item.strip():
            continue
        name, sep, value = item.partition("=")
        name = name.strip()
        try:
            share = float(value) if sep else float("nan")
        except ValueError:
            share = float("nan")
        if not name.isidentifier() or not share >= 0 or not math.isfinite(share):
            raise ConfigError(f"bad split ratio {item.strip()!r}; expected e.g. {DEFAULT_RATIOS}")
        if any(name == n for n, _ in parts):
            raise ConfigError(f"split {name!r} named twice in {text!r}")
        parts.append((name, share))
    total = sum(s for _, s in parts)
    if not parts or total <= 0:
        raise ConfigError(f"split ratios {text!r} must name at least one split with a share > 0")
    if all(s <= 1 for _, s in parts) and abs(total - 1) > RATIO_TOLERANCE:
        # Fractions that do not add up to 1 (train=0.5,dev=0.6) are a typo, not weights:
        # normalising them silently gave splits nobody asked for.
        raise ConfigError(
            f"split ratios {text!r} add up to {total:g}, not 1: write fractions that add "
            f"up to 1 ({DEFAULT_RATIOS}) or weights ({WEIGHTS_EXAMPLE})"
        )
    return tuple((n, s / total) for n, s in parts)


@dataclass(frozen=True)
class Splitter:
    ratios: tuple[tuple[str, float], ...]
    seed: str = ""

    @classmethod
    def parse(cls, text: str = DEFAULT_RATIOS, seed: str = "") -> Splitter:
        return cls(parse_ratios(text), seed)

    @property
    def names(self) -> list[str]:
        return [n for n, _ in self.ratios]

    def point(self, doc_id: str) -> float:
        """Where *doc_id* falls in [0, 1): uniform, fixed by the id and the seed."""
        digest = hashlib.blake2b(f"{self.seed}\0{doc_id}".encode(), digest_size=8).digest()
        return int.from_bytes(digest, "big") / 2.0**64

    def __call__(self, doc_id: str) -> str:
        x, edge = self.point(doc_id), 0.0
        for name, share in self.ratios:
            edge += share
            if x < edge:
                return name
        return self.ratios[-1][0]  # rounding: the sum of shares can be 0.9999999
