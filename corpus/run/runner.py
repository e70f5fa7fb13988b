"""Run a pipeline: read inputs, stream documents through the steps, write OUT.

The runner is a loop (STYLE 3): every step wraps the iterator of the one before, the
writer consumes the last. Nothing is materialised, so memory stays flat in corpus size
except where a corpus-wide step (dedup index, translation buffer) says otherwise.

Inputs are processed in *shards* (:mod:`corpus.run.shards`). After each shard every step
has emptied its buffers and the writer has flushed, so the run saves a checkpoint
(:mod:`corpus.run.state`): the staged files' sizes, the writer's counters and the
corpus-wide steps' state. ``--resume`` cuts the staged files back to the last checkpoint
and carries on with the next shard, so an interrupted run ends with the same bytes as an
uninterrupted one. After the last shard the state is kept in ``OUT/.corpus-state/`` so
``--append`` can add new inputs with dedup and counts that see the whole corpus.
"""

from __future__ import annotations

import gc
import json
import shutil
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.audit import write_reports
from corpus.config import Pipeline
from corpus.errors import ConfigError, FatalError
from corpus.ingest import InputRef, expand_inputs
from corpus.records import Document
from corpus.registry import base_name
from corpus.run import manifest as mf
from corpus.run.local import Executor, PoolExecutor
from corpus.run.shards import PackedShard, input_size, shards
from corpus.run.state import CHECKPOINT, FINAL_STATE, STATE_VERSION, StateDir, fingerprint
from corpus.run.stream import stream
from corpus.writers.corpus_writer import INPUTS_FILE, CorpusWriter
from corpus.writers.jsonl import dumps
from corpus.writers.staging import Staging

SMALL_INPUT_BYTES = 256_000  # below this, starting worker processes costs more than it saves


@dataclass
class RunResult:
    """What a finished build reports: the manifest it wrote and where."""

    out: Path
    manifest: dict[str, Any]
    seconds: float
    missing_models: list[str] = field(default_factory=list)
    skipped_inputs: int = 0  # already done (--resume / --append)


@dataclass
class RunOptions:
    workers: int = 1
    resume: bool = False
    append: bool = False
    progress: bool = False
    shard_mb: float = 64.0
    shard_files: int = 512
    executor: str = "local"  # local | ray
    address: str | None = None  # Ray cluster address

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ConfigError("--workers must be at least 1")
        if self.resume and self.append:
            raise ConfigError("--resume and --append cannot be combined")
        if self.executor not in ("local", "ray"):
            raise ConfigError(f"unknown executor {self.executor!r} (local, ray)")


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


class Runner:
    """One ``corpus build``: shards, executor, writer, checkpoints."""

    def __init__(self, pipe: Pipeline, out: Path, options: RunOptions) -> None:
        self.pipe = pipe
        self.out = out
        self.opt = options
        self.state = StateDir(out)
        self.timers: dict[str, _Timer] = {}
        self.loop_seconds = 0.0

    # -- checkpoints ---------------------------------------------------------------
    def _save(self, name: str, writer: CorpusWriter, done: int, print_: str) -> None:
        self.state.save(name, {
            "fingerprint": print_,
            "shards_done": done,
            "writer": writer.snapshot(),
            "steps": [s.state() for s in self.pipe.steps],
            "worker_stats": self.executor.worker_stats,
        })

    def _restore_steps(self, state: dict[str, Any]) -> None:
        for step, saved in zip(self.pipe.steps, state["steps"], strict=True):
            step.restore(saved)
        self.executor.worker_stats = state["worker_stats"]

    # -- the run -------------------------------------------------------------------
    def run(self, inputs: Sequence[str]) -> RunResult:
        started = time.perf_counter()
        refs = expand_inputs(list(inputs), follow_symlinks=self.pipe.input.follow_symlinks)
        print_ = fingerprint(self.pipe, refs)
        if self.opt.executor == "local" and sum(map(input_size, refs)) < SMALL_INPUT_BYTES:
            self.opt.workers = 1  # starting processes costs more than it saves
        for step in self.pipe.steps:
            step.prepare()
        self.executor = self._executor()
        try:
            return self._run(refs, print_, started)
        finally:
            self.executor.shutdown()

    def _executor(self) -> Executor:
        if self.opt.executor == "ray":
            try:
                from corpus.run.ray import RayExecutor
            except ImportError as exc:
                raise ConfigError(
                    f"--executor ray needs Ray: pip install 'corpus[ray]' ({exc.name} missing)"
                ) from None
            return RayExecutor(self.pipe.steps, self.pipe.input, self.opt.workers,
                               self.opt.address)
        if self.opt.workers > 1:
            return PoolExecutor(self.pipe.steps, self.pipe.input, self.opt.workers)
        return Executor(self.pipe.steps, self.pipe.input)

    def _finish_commit(self) -> RunResult | None:
        """A run that died while moving its files into OUT: complete the move."""
        if not self.state.committing:
            return None
        staging = Staging(self.out, keep=True, prepare=False)
        staging.commit()
        self.state.end_commit()
        manifest = json.loads((self.out / "manifest.json").read_text(encoding="utf-8"))
        return RunResult(self.out, manifest, 0.0, [], len(manifest.get("inputs", [])))

    def _run(self, refs: list[InputRef], print_: str, started: float) -> RunResult:
        if self.opt.resume and (finished := self._finish_commit()) is not None:
            return finished
        resume_state = self.state.load(CHECKPOINT) if self.opt.resume else None
        if resume_state is not None and resume_state["fingerprint"] != print_:
            resume_state = None  # other inputs or pipeline: start again
        append_state = self.state.load(FINAL_STATE) if self.opt.append else None
        if self.opt.append and append_state is None:
            older = self.state.load_any(FINAL_STATE)
            if older is not None:
                raise ConfigError(
                    f"{self.out} was built by an older corpus (state version "
                    f"{older.get('version')}, this one reads {STATE_VERSION}): rebuild it "
                    "without --append"
                )
            raise ConfigError(f"{self.out} holds no finished run to append to")
        try:
            writer = CorpusWriter(self.out, self.pipe.output, keep_staging=resume_state is not None)
        except OSError as exc:
            raise FatalError(f"cannot write to {self.out}: {exc}") from None
        skipped = 0
        cut = shards(refs, self.opt.shard_mb, self.opt.shard_files)
        first_shard = 0
        self._attach()
        if resume_state is not None:
            writer.restore(resume_state["writer"])
            self._restore_steps(resume_state)
            first_shard = resume_state["shards_done"]
            skipped = sum(len(s) for s in cut[:first_shard])
        elif append_state is not None:
            self._seed_from_out(writer, append_state)
            known = writer.known_inputs()
            new_refs = [r for r in refs if r.path not in known or r.is_stdin]
            skipped = len(refs) - len(new_refs)
            cut = shards(new_refs, self.opt.shard_mb, self.opt.shard_files)
            del new_refs, known
        all_shards = [PackedShard(shard) for shard in cut]
        del cut
        refs.clear()  # the caller's list too: from here the packed shards hold the inputs
        bar = _progress_bar(sum(len(s) for s in all_shards[first_shard:]), self.opt.progress)
        try:
            with _YoungGarbageOnly():
                for number in range(first_shard, len(all_shards)):
                    loop_start = time.perf_counter()
                    for doc in self._stream(all_shards[number].refs(), bar):
                        writer.add(doc)
                    self.loop_seconds += time.perf_counter() - loop_start
                    self._save(CHECKPOINT, writer, number + 1, print_)
        except OSError as exc:
            raise FatalError(f"writing {self.out} failed: {exc}; OUT is unchanged") from None
        finally:
            if bar is not None:
                bar.close()
        seconds = time.perf_counter() - started
        manifest = self._manifest(writer, seconds)
        try:
            self._save(FINAL_STATE, writer, len(all_shards), print_)
            for step in self.pipe.steps:  # after the final state: it keeps their indexes
                step.close()
            manifest["outputs"] = writer.close_streams()
            if self.pipe.output.audit:
                write_reports(writer.staging.dir, manifest)
            writer.write_manifest(manifest)
            # From here the run is complete: a marker lets a later --resume finish the
            # renames if this process dies half-way through them (roll forward).
            self.state.begin_commit()
            writer.commit()
            self.state.end_commit()
        except OSError as exc:
            raise FatalError(f"writing {self.out} failed: {exc}; OUT is unchanged") from None
        missing = sorted({p for s in self._step_stats() for p in s.get("missing", {})})
        return RunResult(self.out, manifest, seconds, missing, skipped)

    def _attach(self) -> None:
        """Hand every step its run context: where it may keep state (its own slot, by
        position and name, so two dedup steps never share files) and what the executor
        offers it."""
        for number, step in enumerate(self.pipe.steps):
            step.attach(self.executor.context(self.state.path, f"{number:02d}-{step.name}"))

    def _seed_from_out(self, writer: CorpusWriter, state: dict[str, Any]) -> None:
        """--append: start the staging folder from OUT's current files and state."""
        for rel in state["writer"]["sizes"]:
            src = self.out / rel
            if src.exists():
                shutil.copyfile(src, writer.staging.path(rel))
        # the inputs side file is not kept in OUT: rebuild it, byte for byte, from the
        # manifest it was spliced into
        manifest = json.loads((self.out / "manifest.json").read_text(encoding="utf-8"))
        with open(writer.staging.path(INPUTS_FILE), "w", encoding="utf-8", newline="\n") as fh:
            for entry in manifest["inputs"]:
                fh.write(dumps(entry) + "\n")
        writer.restore(state["writer"])
        self._restore_steps(state)

    def _stream(self, refs: list[InputRef], bar: Any) -> Iterator[Document]:
        """One shard through every step; per-document runs go to the executor."""
        tick = (lambda: bar.update(1)) if bar is not None else (lambda: None)
        return stream(self.executor, refs, tick, self._time)

    def _time(self, name: str, docs: Iterable[Document]) -> Iterator[Document]:
        timer = self.timers.setdefault(name, _Timer())
        return timer.wrap(docs)

    def _step_stats(self) -> list[dict[str, Any]]:
        return [
            mf.merge_stats(s.stats(), self.executor.worker_stats[i])
            for i, s in enumerate(self.pipe.steps)
        ]

    def _timings(self, total: float) -> dict[str, float]:
        out: dict[str, float] = {}
        previous = 0.0
        for name, timer in self.timers.items():
            out[name] = round(max(timer.total - previous, 0.0), 3)
            previous = timer.total
        out["write"] = round(max(self.loop_seconds - previous, 0.0), 3)
        for step in self.pipe.steps:
            step_timings = getattr(step, "timings", None)
            if step_timings is not None:
                out.update(step_timings())
        out["total"] = round(total, 3)
        return out

    def _manifest(self, writer: CorpusWriter, seconds: float) -> dict[str, Any]:
        all_stats = self._step_stats()
        counts = writer.counts.as_dict()
        counts["translation"] = mf.translation_counts(counts["translation"], all_stats)
        return {
            **mf.header(),
            "pipeline": self.pipe.resolved(),
            "inputs": [],  # streamed in by CorpusWriter.write_manifest
            "counts": counts,
            "steps": mf.step_sections((base_name(s.name) for s in self.pipe.steps), all_stats),
            "timings": self._timings(seconds),
        }


def run_build(
    inputs: Sequence[str],
    out: Path,
    pipe: Pipeline,
    *,
    progress: bool = False,
    workers: int = 1,
    resume: bool = False,
    append: bool = False,
    shard_mb: float = 64.0,
    shard_files: int = 512,
    executor: str = "local",
    address: str | None = None,
) -> RunResult:
    """Build the corpus of *inputs* into *out* with *pipe*; return the manifest.

    Raises ``ConfigError`` before doing anything if the inputs or configuration are
    wrong, and ``FatalError`` if the outputs cannot be written (OUT is then unchanged).
    ``KeyboardInterrupt`` leaves the last checkpoint for ``resume=True``.
    """
    options = RunOptions(workers, resume, append, progress, shard_mb, shard_files,
                         executor, address)
    return Runner(pipe, out, options).run(inputs)


class _YoungGarbageOnly:
    """Cyclic GC tuned for the run loop, restored afterwards.

    The main process allocates ~40 objects per document (unpickled from the workers or
    made by the steps), none in reference cycles, all freed by reference counting. With
    the default thresholds the collector ran every 700 net allocations, walking the
    documents waiting in the executor's window and the steps' batches again and again and
    promoting them to older generations, whose collections also walked every long-lived
    object: 2.8 s of the main process's 16.6 CPU s at 100 MB with 2 workers. Freezing what
    exists before the loop and collecting only after 100k net allocations brings that to
    0.08 s; cycles, if any, are still collected. Pool workers are forked inside the loop
    and inherit both settings.
    """

    def __enter__(self) -> None:
        self.thresholds = gc.get_threshold()
        gc.freeze()
        gc.set_threshold(100_000, 50, 50)

    def __exit__(self, *exc: object) -> None:
        gc.set_threshold(*self.thresholds)
        gc.unfreeze()


def _progress_bar(total: int, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="file", desc="corpus build", file=sys.stderr, leave=False)
