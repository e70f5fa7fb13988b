"""The manifest's numbers: counters merged from the workers, translation counts, timings.

One place for what a build and ``corpus translate`` both record, so the two cannot drift.
"""

from __future__ import annotations

import copy
import platform
from collections.abc import Iterable
from typing import Any

from corpus import __version__


def merge_stats(total: dict[str, Any], more: dict[str, Any]) -> dict[str, Any]:
    """Add counters: numbers are summed, dicts merged recursively, lists unioned."""
    for key, value in more.items():
        have = total.get(key)
        if isinstance(value, bool) or have is None:
            total[key] = copy.deepcopy(value)
        elif isinstance(value, (int, float)) and isinstance(have, (int, float)):
            total[key] = have + value
        elif isinstance(value, dict) and isinstance(have, dict):
            merge_stats(have, value)
        elif isinstance(value, list) and isinstance(have, list):
            total[key] = sorted(set(have) | set(value), key=str)
        else:
            total[key] = value
    return total


def translation_counts(
    written: dict[str, dict[str, Any]], step_stats: Iterable[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The manifest's ``counts.translation``: per pair, what the writer wrote (``translated``,
    ``pending``, ``flagged`` and the ``flags`` behind it) with what the translate steps
    say of it (``new``: sent to a model in this run, ``cached``: found in the cache,
    ``model``)."""
    out = {pair: dict(entry) for pair, entry in written.items()}
    for stats in step_stats:
        for pair, numbers in stats.get("pairs", {}).items():
            entry = out.setdefault(pair, {})
            entry["new"] = entry.get("new", 0) + numbers.get("translated", 0)
            entry["cached"] = entry.get("cached", 0) + numbers.get("cached", 0)
            if numbers.get("model"):
                entry["model"] = numbers["model"]
    for pair, entry in out.items():
        for key in ("translated", "pending", "new", "cached", "flagged"):
            entry.setdefault(key, 0)
        entry.setdefault("flags", {})
        out[pair] = dict(sorted(entry.items()))
    return dict(sorted(out.items()))


def step_sections(names: Iterable[str], all_stats: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The manifest's ``steps``: each step's counters under its bare name (``name#N`` for a
    second step of the same name; the versions are in ``pipeline.steps``), so readers of
    the counters do not break when a step's version changes; steps that count nothing are
    left out."""
    out: dict[str, Any] = {}
    for name, stats in zip(names, all_stats, strict=True):
        if stats:
            out[name if name not in out else f"{name}#{len(out)}"] = stats
    return out


def header() -> dict[str, Any]:
    """What every manifest starts with: which tool wrote it, on which Python."""
    return {"tool": "corpus", "version": __version__, "python": platform.python_version()}
