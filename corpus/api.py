"""The library's front door: what the command line does, callable from Python.

Each function composes the packages below it (config, run, audit) the way the matching
command does, so the CLI stays a thin parser and the packages never reach upwards: the
audit reads rows, the runner runs pipelines, and only this module knows that auditing
raw inputs means running the pipeline up to detection first.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from corpus import audit as audit_pkg
from corpus.audit import Filters
from corpus.config import Pipeline, load_pipeline
from corpus.errors import ConfigError, InputError, ModelError
from corpus.ingest.documents import content_document, status_document
from corpus.ingest.jsonl import record_document
from corpus.records import Document, Segment, Source
from corpus.registry import Step, base_name
from corpus.run.stream import process as process_stream
from corpus.stages.boilerplate.classify import classify_page
from corpus.textnorm import normalize_text

if TYPE_CHECKING:
    from corpus.run.runner import RunResult
    from corpus.stages.langid import LangGuess

PipelineArg = Pipeline | str | Path | None
# What a Python item becomes: one document each, read as a JSONL record would be.
PROCESS_PATH = "<python>"


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
    segment_budget: int = 0,
) -> dict[str, Any]:
    """The language audit of *paths*: build output folders, or raw inputs (files,
    folders, globs), which are run through *pipeline* up to detection, nothing written.

    *segment_budget* > 0 adds ``document_segments`` (every listed document's segments,
    up to that many in all, each document's as compact JSON text) for the HTML report's
    document view."""
    if _output_dirs(paths):
        return audit_pkg.run_audit(paths, filters=filters, low_prob=low_prob, max_rows=max_rows,
                                   segment_budget=segment_budget)
    pipe = _raw_pipeline(pipeline, languages)
    docs = process_stream([str(p) for p in paths], pipe, skip={"translate"})
    return audit_pkg.audit_documents(docs, target=pipe.target, paths=[str(p) for p in paths],
                                     filters=filters, low_prob=low_prob, max_rows=max_rows,
                                     segment_budget=segment_budget)


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
            process_stream([str(p) for p in paths], pipe, skip={"translate"}))
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


# ---- building and processing ----------------------------------------------------------
BUILD_OPTIONS = ("workers", "resume", "append", "restart", "executor", "address",
                 "shard_files", "shard_mb", "progress")


def _pipeline(
    pipeline: PipelineArg,
    *,
    target: str | None = None,
    languages: Sequence[str] | None = None,
    device: str | None = None,
    models_dir: str | Path | None = None,
) -> Pipeline:
    """A loaded pipeline: *pipeline* itself when it is one (flags must then be unset:
    its steps are already validated), else the file (or the packaged default) loaded
    with the flags merged in before validation, exactly as ``corpus build`` does."""
    if isinstance(pipeline, Pipeline):
        if target or languages or device or models_dir:
            raise ConfigError("target, languages, device and models_dir apply when a "
                              "pipeline is loaded; pass a path (or None) instead of a Pipeline")
        return pipeline
    overrides = {"translate": {"device": device,
                               "models_dir": None if models_dir is None else str(models_dir)}}
    return load_pipeline(pipeline, target=target,
                         languages=list(languages) if languages else None,
                         step_overrides=overrides)


def build(
    inputs: Sequence[str | Path] | str | Path,
    out: str | Path,
    pipeline: PipelineArg = None,
    *,
    target: str | None = None,
    languages: Sequence[str] | None = None,
    device: str | None = None,
    models_dir: str | Path | None = None,
    **options: Any,
) -> RunResult:
    """Build the corpus of *inputs* into *out*: what ``corpus build INPUTS -o OUT`` does.

    *inputs* are files, folders, globs or ``"-"``; *pipeline* a TOML file (``None``: the
    packaged default). *target*, *languages*, *device* and *models_dir* are the flags of
    the same names. *options* are the remaining build flags: ``workers`` (default 1, so
    a call from a notebook starts no pool unless asked), ``resume``, ``append``,
    ``restart``, ``executor`` (``"local"``/``"ray"``), ``address``, ``shard_files``,
    ``shard_mb``, ``progress``. Returns the :class:`~corpus.run.runner.RunResult` (its
    ``manifest`` is what ``OUT/manifest.json`` holds). Raises the errors the command
    maps to exit codes (:mod:`corpus.errors`), never exits.
    """
    from corpus.run.runner import run_build

    unknown = sorted(set(options) - set(BUILD_OPTIONS))
    if unknown:
        raise ConfigError(f"build(): unknown option {', '.join(map(repr, unknown))} "
                          f"(known: {', '.join(BUILD_OPTIONS)})")
    specs = [inputs] if isinstance(inputs, (str, Path)) else list(inputs)
    pipe = _pipeline(pipeline, target=target, languages=languages, device=device,
                     models_dir=models_dir)
    return run_build([str(p) for p in specs], Path(out), pipe, **options)


def _documents(items: Iterable[Any], pipe: Pipeline) -> Iterator[Document]:
    """One document per item, lazily: a ``str`` is a record's text, a mapping a record
    (its fields named by the pipeline's ``[input]`` table), a ``Document`` itself.

    A text becomes exactly what a JSONL line ``{"text": ...}`` becomes in a build (a
    clean record when it is a few lines long, a page dumped as text when longer), so
    ``process`` and ``corpus build`` agree. Anything else (``None``, a pandas ``NaN``)
    is a ``dropped:no_text`` document, so the output stays one-to-one with the input.
    """
    cfg = pipe.input
    for number, item in enumerate(items, start=1):
        source = Source(path=PROCESS_PATH, record=number, format="python")
        if isinstance(item, Document):
            yield item
        elif isinstance(item, str):
            yield content_document(source, item, cfg.record_format, cfg)
        elif isinstance(item, Mapping):
            yield record_document(item, source, cfg)
        else:
            yield status_document(source, "dropped:no_text",
                                  [f"item {number} is a {type(item).__name__}, not a text "
                                   "or a record"])


def process(
    texts_or_records: Iterable[str] | Iterable[Mapping[str, Any]] | Iterable[Document],
    pipeline: PipelineArg = None,
    *,
    target: str | None = None,
    languages: Sequence[str] | None = None,
    skip: Collection[str] = (),
    device: str | None = None,
    models_dir: str | Path | None = None,
) -> Iterator[Document]:
    """The documents of *texts_or_records* after the pipeline's steps, nothing written.

    For notebooks, pandas and Hugging Face ``datasets.map``: each item is a text, a
    record (a dict with the ``[input]`` table's fields: ``text``, ``id``, ``url``,
    ``title``, ``lang``) or a :class:`~corpus.records.Document`. Exactly one document
    comes out per item, in input order, dropped ones included (``doc.status`` says why,
    ``doc.kept`` whether it is in), so results zip back onto the input.

    This runs the steps the runner runs (``corpus.run.stream``, the code ``corpus build``
    runs per shard), in this process, corpus-wide steps included: duplicates are
    judged within one call's items. *skip* leaves steps out by bare name, e.g.
    ``{"translate"}`` to stop at detection; sentences a missing model could not
    translate carry ``pending`` as in a build. Lazy: items are read as documents are
    taken, so an iterable larger than memory works (translation holds a buffer of
    sentences).
    """
    if isinstance(texts_or_records, (str, bytes, Mapping)):
        raise TypeError("process() takes an iterable of texts or records; wrap one text "
                        "in a list: process([text])")
    pipe = _pipeline(pipeline, target=target, languages=languages, device=device,
                     models_dir=models_dir)
    return process_stream(_documents(texts_or_records, pipe), pipe, skip=skip)


# ---- single engines --------------------------------------------------------------------
def detect(
    text: str,
    *,
    hint: str | None = None,
    languages: Sequence[str] | None = None,
) -> LangGuess:
    """The language of *text*: ``LangGuess(lang, prob, script)``, ``lang`` an ISO 639-1
    code or ``"und"`` when unsure (what ``corpus detect`` prints).

    *hint* is a prior (the page's language) that settles short ambiguous lines but never
    overrides the script; *languages* restricts the answers. The detector the
    ``langid`` step uses, deterministic.
    """
    from corpus.stages.langid import detect as detect_one

    return detect_one(text, hint=hint, allowed=languages)


def split_sentences(text: str, lang: str = "und") -> list[str]:
    """The sentences of *text* with the rules for *lang* (ISO 639-1; ``"und"``: every
    script's stops), as the ``sentences`` step cuts them; whitespace between sentences
    is left out (``corpus segment``)."""
    from corpus.stages.sentences import split_sentences as split

    return split(text, lang)


def translate(
    texts: Sequence[str],
    src: str,
    tgt: str,
    *,
    models_dir: str | Path | None = None,
    device: str = "cpu",
    beam_size: int = 4,
    use_cache: bool = True,
) -> list[str]:
    """Translations of *texts* from *src* to *tgt* (one per text, same order) with the
    installed Argos packages, through the engine and cache the ``translate`` step uses
    (pivoting through English when no direct package exists).

    Each text is split into sentences (as a build does: the models are trained on
    sentences and stop at 256 tokens) and its sentence translations are joined by a
    space. Raises :class:`~corpus.errors.ModelError` naming the install command when no
    package route exists; offline, nothing is downloaded.
    """
    from corpus.stages.translate.models import install_commands
    from corpus.stages.translate.step import Translate

    if isinstance(texts, str):
        raise TypeError("translate() takes a list of texts; wrap one text in a list")
    step = Translate(target=tgt, device=device,  # type: ignore[arg-type]
                     models_dir=None if models_dir is None else str(models_dir),
                     beam_size=beam_size, use_cache=use_cache)
    try:
        engine = step.engine()
        route = engine.route(src, step.target)
        if route is None:
            raise ModelError(f"no translation model for {src} -> {tgt}; install one: "
                             + "; or ".join(install_commands(src, tgt)))
        pieces = [split_sentences(text, src) for text in texts]
        flat = [sentence for sents in pieces for sentence in sents]
        done, _ = engine.translate(flat, route) if flat else ([], [])
    finally:
        step.close()
    out, at = [], 0
    for sents in pieces:
        out.append(" ".join(done[at:at + len(sents)]))
        at += len(sents)
    return out
