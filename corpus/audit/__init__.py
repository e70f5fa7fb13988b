"""The language audit: which segments of a corpus are in which language, and what was dropped.

``run_audit`` computes the audit (a JSON-ready dict, layout in ``SCHEMA.md``) from build
outputs or raw inputs; ``render`` turns it into a terminal table, JSON or HTML;
``write_csv`` streams one row per segment; ``write_reports`` is what ``corpus build``
calls to leave ``audit.json`` and ``audit.html`` next to the corpus files.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from corpus.audit.sources import Group, input_groups, is_output_dir, output_groups, read_manifest
from corpus.audit.stats import SCHEMA, AuditStats, Filters
from corpus.errors import InputError

__all__ = [
    "SCHEMA",
    "AuditStats",
    "Filters",
    "groups",
    "is_output_dir",
    "render",
    "run_audit",
    "write_csv",
    "write_reports",
]


def groups(
    paths: Sequence[str | Path],
    *,
    pipeline: str | None = None,
    languages: list[str] | None = None,
    stats: AuditStats | None = None,
) -> Iterator[Group]:
    """Document groups of *paths*: all build outputs, or else all raw inputs.

    Raw inputs run through the pipeline (``pipeline`` file or the default) up to
    detection. Manifests and the translation target are handed to *stats* on the way.
    """
    dirs = [Path(p) for p in paths]
    outputs = [is_output_dir(p) for p in dirs]
    if all(outputs):
        for path in dirs:
            if stats is not None:
                stats.paths.append(str(path))
                stats.add_manifest(read_manifest(path))
            yield from output_groups(path)
        return
    if any(outputs):
        mixed = [str(p) for p, out in zip(dirs, outputs, strict=True) if out]
        raise InputError(
            f"{', '.join(mixed)}: build outputs cannot be audited together with raw inputs; "
            "audit them in separate runs"
        )
    from corpus.config import load_pipeline

    pipe = load_pipeline(pipeline, languages=languages)
    if stats is not None:
        stats.mode = "inputs"
        stats.paths.extend(str(p) for p in paths)
        stats.set_target(pipe.target)
    yield from input_groups([str(p) for p in paths], pipe)


def run_audit(
    paths: Sequence[str | Path],
    *,
    filters: Filters | None = None,
    low_prob: float = 0.5,
    max_rows: int = 1000,
    pipeline: str | None = None,
    languages: list[str] | None = None,
) -> dict[str, Any]:
    """The audit of *paths* (build output folders or raw inputs) as a JSON-ready dict."""
    stats = AuditStats(filters=filters or Filters(), low_prob=low_prob, max_rows=max_rows)
    _feed(stats, groups(paths, pipeline=pipeline, languages=languages, stats=stats))
    return stats.result()


def _feed(stats: AuditStats, items: Iterator[Group]) -> None:
    """Add every group; a row lacking a field of the corpus format is one clear error."""
    try:
        for doc, segs, sents in items:
            stats.add(doc, segs, sents)
    except (KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"a row lacks a field of the corpus format ({exc!r})") from None


def render(audit: dict[str, Any], fmt: str, *, limit: int = 20, width: int = 80) -> str:
    """The audit as ``table`` (terminal text), ``json`` or ``html``."""
    if fmt == "json":
        return dumps(audit)
    if fmt == "html":
        from corpus.audit.html import render_html

        return render_html(audit)
    if fmt == "table":
        from corpus.audit.table import render_table

        return render_table(audit, limit=limit, width=width)
    raise ValueError(f"unknown audit format {fmt!r}")


def dumps(audit: dict[str, Any]) -> str:
    """Stable JSON: keys in the documented order, UTF-8, two-space indent."""
    return json.dumps(audit, ensure_ascii=False, indent=2) + "\n"


def write_csv(
    paths: Sequence[str | Path],
    out: IO[str],
    *,
    filters: Filters | None = None,
    pipeline: str | None = None,
    languages: list[str] | None = None,
) -> int:
    """One CSV row per segment chosen by *filters*; returns the number of rows written."""
    from corpus.audit.csvout import write_segments

    stats = AuditStats()  # collects the target language; rows are not counted
    items = groups(paths, pipeline=pipeline, languages=languages, stats=stats)
    try:
        return write_segments(items, out, filters or Filters())
    except (KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"a row lacks a field of the corpus format ({exc!r})") from None


def write_reports(staging_dir: Path, manifest: dict[str, Any]) -> None:
    """Write ``audit.json`` and ``audit.html`` for the build staged in *staging_dir*.

    Called by ``corpus.pipeline`` after the JSONL files are closed and before the
    manifest is written, so *manifest* is passed in rather than read.
    """
    from corpus.audit.html import render_html

    stats = AuditStats()
    stats.paths.append(str(staging_dir.parent))
    stats.add_manifest(manifest)
    _feed(stats, output_groups(staging_dir))
    audit = stats.result()
    for name, text in (("audit.json", dumps(audit)), ("audit.html", render_html(audit))):
        with open(staging_dir / name, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
