"""How sentences are cut into CTranslate2 batches, and how many threads decode them.

Measured on a base-size Argos-architecture model that stops like a real one
(``bench/translate.py``): batches holding only sources of one token length (what the
engine did to stay bit-identical to argostranslate) hold a handful of real sentences
each, and ran at half of what CTranslate2 reaches with mixed-length batches. So the
default is mixed-length, length-sorted batches bounded in padded tokens; ``one_length``
keeps the old plan for runs that must equal argostranslate exactly (padding a shorter
source changes CTranslate2's arithmetic in the last bits, and beam search can then pick
another hypothesis; the bench prints how often that happens).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

# Padded source tokens per batch, by device. CPU: several batches per replica keep every
# core busy to the end of a buffer (a replica runs one batch at a time); a GPU wants
# large batches to fill its cores.
CPU_BATCH_TOKENS = 512
GPU_BATCH_TOKENS = 8192
MIN_BATCH_TOKENS = 64
BATCHES_PER_REPLICA = 4  # small jobs: smaller batches, so no replica idles at the end


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def thread_plan(device: str, inter: int, intra: int, cores: int | None = None) -> tuple[int, int]:
    """(replicas, threads per replica) where left at 0.

    CPU: one replica per core up to 4 cores (measured on 2 cores: 2 × 1 beats 1 × 2, as
    a replica's single-threaded GEMMs are efficient and replicas never wait on each
    other); beyond that replicas of 4 threads, so a small job still has work for every
    core. GPU: one replica (one CUDA stream) and big batches instead.
    """
    if device == "cuda":
        return inter or 1, intra or 1
    cores = cores or available_cores()
    intra = intra or (1 if cores <= 4 else 4)
    inter = inter or max(1, cores // intra)
    return inter, intra


def batch_tokens(device: str, configured: int) -> int:
    """The padded-token bound of one batch: *configured*, or the device's default."""
    if configured:
        return configured
    return GPU_BATCH_TOKENS if device == "cuda" else CPU_BATCH_TOKENS


def plan_batches(
    lengths: Mapping[str, int],
    max_tokens: int,
    *,
    one_length: bool = False,
    replicas: int = 1,
) -> list[list[str]]:
    """The lines of *lengths* (line → source tokens, none empty) in batches.

    Lines are sorted by (length, text), so the plan depends only on the set of lines,
    never on the order they arrived in. A batch holds at most *max_tokens* padded tokens
    (lines × its longest line; a longer line goes alone). When the job is small, the
    bound shrinks so each of *replicas* gets several batches. Batches come longest first:
    the longest jobs start early and the short ones fill the tail.
    """
    if not lengths:
        return []
    ordered = sorted(lengths, key=lambda line: (lengths[line], line))
    total = sum(lengths.values())
    bound = min(max_tokens, max(MIN_BATCH_TOKENS, total // (replicas * BATCHES_PER_REPLICA)))
    batches: list[list[str]] = []
    current: list[str] = []
    for line in ordered:
        size = lengths[line]  # ascending: the longest line of the batch
        if current and (
            (one_length and lengths[current[0]] != size) or (len(current) + 1) * size > bound
        ):
            batches.append(current)
            current = []
        current.append(line)
    batches.append(current)
    batches.reverse()
    return batches


def padded_tokens(batch: Sequence[Sequence[str]]) -> int:
    """What a batch of token lists costs the decoder: rows × the longest row."""
    return len(batch) * max((len(t) for t in batch), default=0)
