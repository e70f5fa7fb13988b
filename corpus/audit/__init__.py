"""The language audit: which segments of a corpus are in which language, and what was dropped.

``run_audit`` computes the audit (a JSON-ready dict, layout in ``SCHEMA.md``) from build
outputs, ``audit_documents`` from documents processed in memory (``corpus.api.audit``
runs raw inputs up to detection and hands them here); ``render`` turns it into a
terminal table, JSON or HTML; ``write_csv`` streams one row per segment;
``write_reports`` is what ``corpus build`` calls to leave ``audit.json`` and
``audit.html`` next to the corpus files. The audit reads files and rows only: it never
runs a pipeline.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import orjson

from corpus.audit.sources import (
    Group,
    document_groups,
    is_output_dir,
    output_groups,
    read_manifest,
)
from corpus.audit.stats import SCHEMA, AuditStats, Filters
from corpus.errors import InputError
from corpus.records import Document

# The HTML report lists up to HTML_MAX_ROWS rows per list (paged in the page) and, for
# its per-document view, segments up to a budget; beyond, the page says so and names the
# command that lists the rest. Sized for memory and a page a browser opens: at 100,000
# rows and 300,000 segments a 200 MB corpus gave an 82 MB page and 1.3 GB to write it.
HTML_MAX_ROWS = 20_000
HTML_SEGMENTS = 100_000

__all__ = [
    "HTML_MAX_ROWS",
    "HTML_SEGMENTS",
    "SCHEMA",
    "AuditStats",
    "Filters",
    "audit_documents",
    "document_groups",
    "is_output_dir",
    "output_dir_groups",
    "render",
    "report_stats",
    "run_audit",
    "write_csv",
    "write_reports",
]


def output_dir_groups(paths: Sequence[str | Path], stats: AuditStats | None = None
                      ) -> Iterator[Group]:
    """Document groups of the build output folders *paths*; their manifests (and so the
    translation target) go to *stats* on the way."""
    for path in map(Path, paths):
        if not is_output_dir(path):
            raise InputError(f"{path}: not a corpus build output (no documents.jsonl and "
                             "segments.jsonl)")
        if stats is not None:
            stats.paths.append(str(path))
            stats.add_manifest(read_manifest(path))
        yield from output_groups(path)


def run_audit(
    paths: Sequence[str | Path],
    *,
    filters: Filters | None = None,
    low_prob: float = 0.5,
    max_rows: int = 1000,
    segment_budget: int = 0,
) -> dict[str, Any]:
    """The audit of the build output folders *paths* as a JSON-ready dict (with
    ``document_segments`` for the HTML report when *segment_budget* > 0)."""
    stats = AuditStats(filters=filters or Filters(), low_prob=low_prob, max_rows=max_rows,
                       segment_budget=segment_budget)
    _feed(stats, output_dir_groups(paths, stats))
    return stats.result()


def audit_documents(
    docs: Iterable[Document],
    *,
    target: str,
    paths: Sequence[str],
    filters: Filters | None = None,
    low_prob: float = 0.5,
    max_rows: int = 1000,
    segment_budget: int = 0,
) -> dict[str, Any]:
    """The audit of documents processed in memory (raw inputs run up to detection)."""
    stats = AuditStats(filters=filters or Filters(), low_prob=low_prob, max_rows=max_rows,
                       segment_budget=segment_budget)
    stats.mode = "inputs"
    stats.paths.extend(paths)
    stats.set_target(target)
    _feed(stats, document_groups(docs))
    return stats.result()


def _feed(stats: AuditStats, items: Iterator[Group]) -> None:
    """Add every group; a row lacking a field of the corpus format is one clear error."""
    try:
        for doc, segs, sents in items:
            stats.add(doc, segs, sents)
    except (KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"a row lacks a field of the corpus format ({exc!r})") from None


def render(audit: dict[str, Any], fmt: str, *, limit: int = 20, width: int = 80,
           report_dir: Path | None = None) -> str:
    """The audit as ``table`` (terminal text), ``json`` or ``html`` (whose links to the
    input files are relative to *report_dir*, where the page will be; ``None``: the
    current directory)."""
    if fmt == "json":
        return dumps({k: v for k, v in audit.items() if k != "document_segments"})
    if fmt == "html":
        from corpus.audit.html import render_html

        return render_html(audit, report_dir=report_dir)
    if fmt == "table":
        from corpus.audit.table import render_table

        return render_table(audit, limit=limit, width=width)
    raise ValueError(f"unknown audit format {fmt!r}")


def dumps(audit: dict[str, Any]) -> str:
    """Stable JSON: keys in the documented order, UTF-8, two-space indent.

    orjson writes what ``json.dumps(audit, ensure_ascii=False, indent=2)`` writes (but
    for small floats: ``0.00001`` where json writes ``1e-05``), eight times faster: with
    ``indent`` the standard library falls back to its pure-Python encoder, which took a
    tenth of a build's CPU on an audit of every foreign segment.
    """
    return orjson.dumps(audit, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS
                        ).decode("utf-8") + "\n"


def write_csv(groups: Iterable[Group], out: IO[str], *, filters: Filters | None = None) -> int:
    """One CSV row per segment of *groups* chosen by *filters*; returns the rows written."""
    from corpus.audit.csvout import write_segments

    try:
        return write_segments(groups, out, filters or Filters())
    except (KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"a row lacks a field of the corpus format ({exc!r})") from None


def report_stats() -> AuditStats:
    """Empty figures sized for the reports ``corpus build`` leaves (fed by the writer)."""
    return AuditStats(max_rows=HTML_MAX_ROWS, segment_budget=HTML_SEGMENTS)


def write_reports(staging_dir: Path, manifest: dict[str, Any],
                  stats: AuditStats | None = None) -> None:
    """Write ``audit.json`` and ``audit.html`` for the build staged in *staging_dir*.

    Called by ``corpus.run.runner`` after the JSONL files are closed and before the
    manifest is written, so *manifest* is passed in rather than read. *stats* are the
    figures the writer gathered from every row it wrote (:func:`report_stats`); without
    them the staged files are read back.
    """
    from corpus.audit.html import iter_html

    if stats is None:
        stats = report_stats()
        _feed(stats, output_groups(staging_dir))
    stats.paths.append(str(staging_dir.parent))
    stats.add_manifest(manifest)
    audit = stats.result()
    with open(staging_dir / "audit.html", "w", encoding="utf-8", newline="\n") as fh:
        for piece in iter_html(audit, report_dir=staging_dir.parent):
            fh.write(piece)
    del audit["document_segments"]  # the report's document view only; JSON has the files
    with open(staging_dir / "audit.json", "w", encoding="utf-8", newline="\n") as fh:
        fh.write(dumps(audit))
