"""The library's front door: what the command line does, callable from Python.

Each function composes the packages below it (config, run, audit) the way the matching
command does, so the CLI stays a thin parser and the packages never reach upwards: the
audit reads rows, the runner runs pipelines, and only this module knows that auditing
raw inputs means running the pipeline up to detection first.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from corpus import audit as audit_pkg
from corpus.audit import Filters
from corpus.config import Pipeline, load_pipeline
from corpus.errors import InputError
from corpus.run.stream import process


def _output_dirs(paths: Sequence[str | Path]) -> bool:
    """True when every path is a build output, False when none is; mixed is an error."""
    flags = [audit_pkg.is_output_dir(Path(p)) for p in paths]
    if all(flags):
        return True
    if any(flags):
        mixed = [str(p) for p, out in zip(paths, flags, strict=True) if out]
        raise InputError(
            f"{', '.join(mixed)}: build outputs cannot be audited together with raw inputs; "
            "audit them in separate runs"
        )
    return False


def _raw_pipeline(pipeline: str | Path | None, languages: list[str] | None) -> Pipeline:
    return load_pipeline(pipeline, languages=languages)


def audit(
    paths: Sequence[str | Path],
    *,
    filters: Filters | None = None,
    low_prob: float = 0.5,
    max_rows: int = 1000,
    pipeline: str | Path | None = None,
    languages: list[str] | None = None,
) -> dict[str, Any]:
    """The language audit of *paths*: build output folders, or raw inputs (files,
    folders, globs), which are run through *pipeline* up to detection, nothing written."""
    if _output_dirs(paths):
        return audit_pkg.run_audit(paths, filters=filters, low_prob=low_prob, max_rows=max_rows)
    pipe = _raw_pipeline(pipeline, languages)
    docs = process([str(p) for p in paths], pipe, skip={"translate"})
    return audit_pkg.audit_documents(docs, target=pipe.target, paths=[str(p) for p in paths],
                                     filters=filters, low_prob=low_prob, max_rows=max_rows)


def audit_csv(
    paths: Sequence[str | Path],
    out: IO[str],
    *,
    filters: Filters | None = None,
    pipeline: str | Path | None = None,
    languages: list[str] | None = None,
) -> int:
    """One CSV row per chosen segment of *paths* (as :func:`audit` reads them) into *out*."""
    if _output_dirs(paths):
        groups = audit_pkg.output_dir_groups(paths)
    else:
        pipe = _raw_pipeline(pipeline, languages)
        groups = audit_pkg.document_groups(
            process([str(p) for p in paths], pipe, skip={"translate"}))
    return audit_pkg.write_csv(groups, out, filters=filters)
