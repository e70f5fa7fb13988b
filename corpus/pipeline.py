"""Run a pipeline: read inputs, stream documents through the steps, write OUT.

The runner is a loop (STYLE 3): every step wraps the iterator of the one before, the
writer consumes the last. Nothing is materialised, so memory stays flat in corpus size
except where a corpus-wide step (dedup index, translation buffer) says otherwise.
"""

from __future__ import annotations

import platform
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus import __version__
from corpus.config import Pipeline
from corpus.errors import ConfigError, FatalError
from corpus.ingest import InputConfig, InputRef, expand_inputs, read_input
from corpus.records import Document
from corpus.writers.corpus_writer import CorpusWriter


@dataclass
class RunResult:
    """What a finished build reports: the manifest it wrote and where."""

    out: Path
    manifest: dict[str, Any]
    seconds: float
    missing_models: list[str] = field(default_factory=list)


class _Timer:
    """Wall time spent inside one stage, excluding the stages upstream of it."""

    def __init__(self) -> None:
        self.total = 0.0

    def wrap(self, items: Iterable[Document]) -> Iterator[Document]:
        it = iter(items)
        while True:
            start = time.perf_counter()
            try:
                item = next(it)
            except StopIteration:
                self.total += time.perf_counter() - start
                return
            self.total += time.perf_counter() - start
            yield item


def input_config(pipe: Pipeline) -> InputConfig:
    try:
        return InputConfig(**pipe.input)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{pipe.path}: [input]: {exc}") from None


def read_all(
    refs: Sequence[InputRef], cfg: InputConfig, on_input: Callable[[InputRef], None] | None = None
) -> Iterator[Document]:
    for ref in refs:
        yield from read_input(ref, cfg)
        if on_input is not None:
            on_input(ref)


def run_build(
    inputs: Sequence[str],
    out: Path,
    pipe: Pipeline,
    *,
    progress: bool = False,
) -> RunResult:
    """Build the corpus of *inputs* into *out* with *pipe*; return the manifest.

    Raises ``ConfigError`` before doing anything if the inputs or configuration are
    wrong, and ``FatalError`` if the outputs cannot be written (OUT is then unchanged).
    """
    started = time.perf_counter()
    cfg = input_config(pipe)
    refs = expand_inputs(list(inputs))
    bar = _progress_bar(len(refs), enabled=progress)
    try:
        writer = CorpusWriter(out, pipe.output)
    except OSError as exc:
        raise FatalError(f"cannot write to {out}: {exc}") from None

    read_timer = _Timer()
    docs: Iterable[Document] = read_timer.wrap(
        read_all(refs, cfg, on_input=(lambda _ref: bar.update(1)) if bar else None)
    )
    timers: list[tuple[str, _Timer]] = [("read", read_timer)]
    for step in pipe.steps:
        timer = _Timer()
        docs = timer.wrap(step(docs))
        timers.append((step.name, timer))
    try:
        write_timer = time.perf_counter()
        for doc in docs:
            writer.add(doc)
        write_seconds = time.perf_counter() - write_timer
        for step in pipe.steps:
            step.close()
    except KeyboardInterrupt:
        writer.abort()
        raise
    except OSError as exc:
        writer.abort()
        raise FatalError(f"writing {out} failed: {exc}; OUT is unchanged") from None
    finally:
        if bar is not None:
            bar.close()

    seconds = time.perf_counter() - started
    timings = _self_times(timers, write_seconds, seconds)
    manifest = _manifest(pipe, writer, refs, timings)
    try:
        files = writer.close_streams()
        manifest["outputs"] = files
        _write_audit(writer, pipe, manifest)
        writer.write_json("manifest.json", _manifest_text(manifest))
        writer.commit()
    except OSError as exc:
        writer.abort()
        raise FatalError(f"writing {out} failed: {exc}; OUT is unchanged") from None
    missing = sorted(
        pair
        for step in pipe.steps
        for pair in step.stats().get("missing_pairs", [])
    )
    return RunResult(out=out, manifest=manifest, seconds=seconds, missing_models=missing)


def _self_times(timers: list[tuple[str, _Timer]], write: float, total: float) -> dict[str, float]:
    """Each stage's own time: its wrapped total minus the stage before it."""
    out: dict[str, float] = {}
    previous = 0.0
    for name, timer in timers:
        key = name if name not in out else f"{name}#{sum(k.startswith(name) for k in out) + 1}"
        out[key] = round(max(timer.total - previous, 0.0), 3)
        previous = timer.total
    out["write"] = round(max(write - previous, 0.0), 3)
    out["total"] = round(total, 3)
    return out


def _manifest(
    pipe: Pipeline, writer: CorpusWriter, refs: Sequence[InputRef], timings: dict[str, float]
) -> dict[str, Any]:
    steps: dict[str, Any] = {}
    for step in pipe.steps:
        stats = step.stats()
        if stats:
            key = step.name if step.name not in steps else f"{step.name}#{len(steps)}"
            steps[key] = stats
    counts = writer.counts.as_dict()
    for step in pipe.steps:
        for pair, numbers in step.stats().get("pairs", {}).items():
            counts["translation"].setdefault(pair, {}).update(
                {k: v for k, v in numbers.items() if k in ("cached", "new")}
            )
    return {
        "tool": "corpus",
        "version": __version__,
        "python": platform.python_version(),
        "pipeline": pipe.resolved(),
        "inputs": writer.input_list(),
        "counts": counts,
        "steps": steps,
        "timings": timings,
    }


def _manifest_text(manifest: dict[str, Any]) -> str:
    import json

    return json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=False) + "\n"


def _write_audit(writer: CorpusWriter, pipe: Pipeline, manifest: dict[str, Any]) -> None:
    """audit.json/audit.html from the staged files, when the audit package is present."""
    if not pipe.output.audit:
        return
    try:
        from corpus.audit import write_reports
    except ImportError:  # the audit package is optional at this stage of the build
        return
    write_reports(writer.staging.dir, manifest)


def _progress_bar(total: int, *, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="file", desc="corpus build", file=sys.stderr, leave=False)

