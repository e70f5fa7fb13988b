"""``corpus translate OUT``: fill in translations a build left pending.

A build without a model for some pair still completes; its sentences carry
``pending: "<src>-<tgt>"``. After ``corpus models install …`` this streams
``sentences.jsonl`` back into documents and through the build's own ``translate`` step
(one stream, so the step fills its batches across documents) — the pipeline is
rebuilt from the manifest by the same validator as a pipeline file, with the command
line's overrides merged in first. Everything already translated
is left untouched and the cache means nothing is translated twice. ``sentences.jsonl``,
``parallel/`` (through the writer's own :func:`write_translation`, so ``[output]
parallel = false`` holds here too), the manifest's translation counts and the audit are
rewritten atomically, through the same staging folder as a build.
"""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.audit import write_reports
from corpus.config import Pipeline, build_step, pipeline_from_dict
from corpus.errors import ConfigError, FatalError, InputError, Interrupted
from corpus.records import Document
from corpus.registry import Step, base_name
from corpus.run.lock import OutLock
from corpus.run.manifest import translation_counts
from corpus.run.signals import deferred
from corpus.run.state import FINAL_STATE, StateDir, StateUnusable
from corpus.writers.corpus_writer import Counts, staged_facts, write_translation
from corpus.writers.jsonl import document_from_sentence_rows, dumps, sentence_row
from corpus.writers.staging import StagedFiles, Staging

LINKED = ("documents.jsonl", "segments.jsonl")  # unchanged, but the audit reads them
PIPELINE_KEYS = ("target", "languages", "input", "output", "steps")


@dataclass
class FillResult:
    manifest: dict[str, Any]
    missing: list[str]


def read_manifest(out: Path) -> dict[str, Any]:
    """OUT's manifest; a folder that is not a build output is a ``ConfigError``."""
    path = out / "manifest.json"
    if not (out / "sentences.jsonl").is_file() or not path.is_file():
        raise ConfigError(f"{out} is not a corpus build output (no sentences.jsonl/manifest.json)")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot read the manifest ({exc}); rebuild {out}") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("pipeline"), dict):
        raise InputError(f"{path}: not a corpus manifest (no pipeline); rebuild {out}")
    return manifest


def translate_step(manifest: dict[str, Any], where: str, **overrides: Any) -> tuple[Pipeline, Step]:
    """The build's pipeline and its translate step, with *overrides* (``None``: keep the
    build's value) merged in before validation; a build without a translate step gets
    one with the default parameters and the build's target."""
    recorded = {k: manifest["pipeline"][k] for k in PIPELINE_KEYS if k in manifest["pipeline"]}
    wanted = {k: v for k, v in overrides.items() if v is not None}
    pipe = pipeline_from_dict(recorded, where=where, step_overrides={"translate": wanted})
    for step in pipe.steps:
        if base_name(step.name) == "translate":
            return pipe, step
    return pipe, build_step({"use": "translate", "target": pipe.target, **wanted}, where=where)


def fill_pending(out: Path, **overrides: Any) -> FillResult:
    """Translate what *out* has pending; rewrite the affected files atomically.

    *overrides* are translate-step parameters (``target``, ``device``, ``beam_size``,
    ``models_dir``…); ``None`` keeps what the build used. Holds OUT's lock while it runs;
    on any failure or interruption its staging folder goes and OUT is as it was.
    """
    with OutLock(out, "corpus translate"):
        manifest = read_manifest(out)
        pipe, step = translate_step(manifest, f"{out}/manifest.json", **overrides)
        try:
            return _fill(out, manifest, pipe, step)
        finally:
            step.close()


def _fill(out: Path, manifest: dict[str, Any], pipe: Pipeline, step: Step) -> FillResult:
    staging = Staging(out, prepare=False)
    (staging.dir / "parallel").mkdir()
    files = StagedFiles(staging)
    counts = Counts()
    try:
        waiting: deque[list[dict[str, Any]]] = deque()  # rows of the documents held back

        def documents() -> Iterator[Document]:
            for doc, rows in _documents(out / "sentences.jsonl"):
                waiting.append(rows)
                yield doc

        # one stream through the step, so its buffers (and batches) span documents
        for processed in step(documents()):
            rows = waiting.popleft()
            flat = [(seg, sent) for seg in processed.segments for sent in seg.sentences]
            for row, (seg, sent) in zip(rows, flat, strict=True):
                new = sentence_row(processed, row["segment"], 0, sent, seg.kind)
                new["id"] = row["id"]
                new["segment"] = row["segment"]
                files.line("sentences.jsonl", dumps(new))
                write_translation(files.line, counts, pipe.output, sent, row["id"])
        files.open("sentences.jsonl")  # present even for an empty corpus
        files.close()
        for name in LINKED:
            if (out / name).exists():
                os.link(out / name, staging.path(name))
        stats = step.stats()
        manifest["counts"]["translation"] = translation_counts(
            counts.as_dict()["translation"], [stats]
        )
        rewritten = staged_facts(staging, _rewritten)
        kept = {rel: digest for rel, digest in manifest.get("outputs", {}).items()
                if not _rewritten(rel)}
        new_digests = {rel: f["sha256"] for rel, f in rewritten.items()}
        manifest["outputs"] = dict(sorted({**kept, **new_digests}.items()))
        manifest.setdefault("steps", {})["translate (corpus translate)"] = stats
        if pipe.output.audit:
            write_reports(staging.dir, manifest)
        with open(staging.path("manifest.json"), "w", encoding="utf-8", newline="\n") as fh:
            fh.write(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
        _stage_final_state(out, staging, rewritten, counts)
        with deferred() as signals_seen:
            staging.commit(replace_dirs=("parallel",))
    except OSError as exc:
        files.discard()
        staging.abort()
        raise FatalError(f"rewriting {out} failed: {exc}; OUT is unchanged") from None
    except BaseException:
        files.discard()
        staging.abort()  # nothing to resume: translate starts again from OUT's files
        raise
    if signals_seen:
        raise Interrupted(f"Interrupted after {out} was rewritten: its translations are "
                          "complete", exit_code=128 + signals_seen[0])
    return FillResult(manifest, sorted(stats.get("missing", {})))


def _stage_final_state(
    out: Path, staging: Staging, rewritten: dict[str, dict[str, Any]], counts: Counts
) -> None:
    """The build's final state, describing the rewritten files, staged to replace OUT's.

    ``--append`` checks every file the state describes; without this, an ``--append``
    after ``corpus translate`` would (rightly) find ``sentences.jsonl`` changed. A state
    that cannot be read is left alone: ``--append`` then says so itself.
    """
    try:
        state = StateDir(out).read(FINAL_STATE)
    except StateUnusable:
        return
    if state is None:
        return
    files = {rel: f for rel, f in state["files"].items() if not _rewritten(rel)}
    files.update(rewritten)
    writer = state["writer"]
    writer["sizes"] = {rel: size for rel, size in writer["sizes"].items() if not _rewritten(rel)}
    writer["sizes"].update({rel: f["size"] for rel, f in rewritten.items()})
    writer["counts"].translations = counts.translations
    state["files"] = dict(sorted(files.items()))
    state.pop("version", None)
    StateDir(staging.dir).save(FINAL_STATE, state)


def _rewritten(rel: str) -> bool:
    return rel == "sentences.jsonl" or rel.startswith("parallel/")


def _documents(path: Path) -> Iterator[tuple[Document, list[dict[str, Any]]]]:
    """``sentences.jsonl`` grouped by document, each rebuilt as a minimal record."""
    rows: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{number}: not a JSON line ({exc.msg})") from None
            if rows and row["doc_id"] != rows[0]["doc_id"]:
                yield document_from_sentence_rows(rows), rows
                rows = []
            rows.append(row)
    if rows:
        yield document_from_sentence_rows(rows), rows
