"""Upper bounds for values that would otherwise exhaust memory or time.

A value is checked where it is configured (a step's ``__post_init__``, ``[input]``, a
flag), so it fails before any work with the limit in the message:
``near_dedup num_perm = 100000000`` used to be accepted and to die 47 s later in a
48 GiB allocation. Limits are generous (far beyond any useful setting); where a value
is a memory budget, the bound is this machine's memory.
"""

from __future__ import annotations

import os
from functools import lru_cache

UNKNOWN_MEMORY_MB = 1 << 20  # 1 TiB, where the system does not say


@lru_cache(maxsize=1)
def physical_memory_mb() -> int:
    """This machine's memory in MB (1 MB = 2**20 bytes)."""
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return UNKNOWN_MEMORY_MB
    return max(1, pages * size >> 20) if pages > 0 and size > 0 else UNKNOWN_MEMORY_MB


def check_at_most(value: float, limit: float, key: str, why: str) -> None:
    """``ValueError`` naming *key*, the *limit* and *why* it exists, if *value* is above."""
    if value > limit:
        raise ValueError(f"{key} = {_number(value)} is too large: at most {_number(limit)} "
                         f"({why})")


def _number(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


def check_memory_mb(value: float, key: str = "memory_mb") -> None:
    """A memory budget: above 0 and at most this machine's memory."""
    if not value > 0:
        raise ValueError(f"{key} must be > 0")
    check_at_most(value, physical_memory_mb(), key, "this machine's memory in MB")
