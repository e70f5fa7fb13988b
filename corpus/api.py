"""The library's front door: what the command line does, callable from Python.

Each function composes the packages below it (config, run, audit) the way the matching
command does, so the CLI stays a thin parser and the packages never reach upwards: the
audit reads rows, the runner runs pipelines, and only this module knows that auditing
raw inputs means running the pipeline up to detection first.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from corpus import audit as audit_pkg
from corpus.audit import Filters
from corpus.config import Pipeline, load_pipeline
from corpus.errors import InputError
from corpus.ingest.documents import content_document
from corpus.records import Segment, Source
from corpus.registry import Step, base_name
from corpus.run.stream import process
from corpus.stages.boilerplate.classify import classify_page
from corpus.textnorm import normalize_text


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


# ---- main content -------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _page_steps() -> tuple[Pipeline, tuple[Step, ...]]:
    """The default pipeline's per-document steps, prepared once per process.

    Only the per-document steps: the corpus-wide ones (dedup, repeated lines) judge a
    page against the pages before it, which a one-page function does not have, and
    would carry that memory from one call to the next.
    """
    pipe = load_pipeline()
    steps = tuple(s for s in pipe.steps if s.per_document)
    for step in steps:
        step.prepare()
    return pipe, steps


def page_segments(html: str, url: str | None = None) -> list[Segment]:
    """Every segment of one HTML page after the default pipeline's per-document steps,
    kept or not, each with its kind and (if dropped) its reason."""
    pipe, steps = _page_steps()
    meta = {"url": url} if url else {}
    doc = content_document(Source(path=url or "<html>", format="html"), html, "html",
                           pipe.input, meta)
    for step in steps:
        doc = next(iter(step([doc])))
    if not doc.kept:
        for seg in doc.segments:
            seg.kept = False
    return doc.segments


def clean_html(html: str, url: str | None = None) -> str:
    """The text ``corpus build`` keeps of one HTML page with the default pipeline: its kept
    segments (headline, paragraphs, subheadings, list items, table rows…) joined by
    newlines, each as the corpus has it (normalised). ``""`` when nothing is kept.

    *url* is the page's address, if known (it helps tell the site's name from the
    headline). Fast for repeated calls: the pipeline is built and its data loaded once.
    """
    return "\n".join(seg.text for seg in page_segments(html, url) if seg.kept)


def keep_lines(lines: Sequence[str], lang: str | None = None) -> list[bool]:
    """For each line of a page dumped as plain text, whether ``corpus build`` keeps it
    with the default pipeline (the line classifier and the default ``keep_kinds``).

    *lang* is the page's language if known (ISO 639-1); else it is estimated.
    """
    _, steps = _page_steps()
    keep = next((frozenset(s.keep_kinds) for s in steps  # type: ignore[attr-defined]
                 if base_name(s.name) == "boilerplate"), frozenset())
    texts = [normalize_text(line) for line in lines]
    present = [i for i, t in enumerate(texts) if t]
    verdicts = classify_page([texts[i] for i in present], lang=lang)
    out = [False] * len(lines)
    for i, verdict in zip(present, verdicts, strict=True):
        out[i] = verdict.reason is None and verdict.kind in keep
    return out
