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

A run holds OUT's lock throughout (:mod:`corpus.run.lock`), checks what ``--resume`` or
``--append`` would continue before touching it (:mod:`corpus.run.checks`), removes its
staging folder when it fails (an interruption keeps it, for ``--resume``) and lets no
signal cut the commit (:mod:`corpus.run.signals`).
"""

from __future__ import annotations

import gc
import json
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.audit import report_stats, write_reports
from corpus.config import Pipeline
from corpus.errors import ConfigError, FatalError, Interrupted, MismatchError
from corpus.ingest import InputRef, expand_inputs
from corpus.records import Document
from corpus.registry import base_name
from corpus.run import manifest as mf
from corpus.run.checks import (
    cannot_append,
    checkpoint_problem,
    copy_checked,
    manifest_inputs,
    pipeline_changes,
)
from corpus.run.clock import Seconds, StageClock
from corpus.run.local import Executor, PoolExecutor, max_workers
from corpus.run.lock import OutLock
from corpus.run.shards import PackedShard, input_size, shards
from corpus.run.signals import deferred
from corpus.run.state import (
    CHECKPOINT,
    FINAL_STATE,
    StateDir,
    StateUnusable,
    inputs_print,
    pipeline_print,
)
from corpus.run.stream import stream
from corpus.run.worker import YOUNG_GC
from corpus.writers.corpus_writer import INPUTS_FILE, CorpusWriter, file_facts
from corpus.writers.jsonl import dumps
from corpus.writers.staging import STAGING_PREFIX, Staging

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
    restart: bool = False  # --resume: start over where the checkpoint cannot be continued

    def __post_init__(self) -> None:
        if self.workers < 1:
            raise ConfigError("--workers must be at least 1")
        if self.executor == "local" and self.workers > (limit := max_workers()):
            raise ConfigError(
                f"--workers {self.workers} is more than this machine can run (each worker "
                f"holds the pipeline's models): at most {limit}, 4 per core"
            )
        if self.resume and self.append:
            raise ConfigError("--resume and --append cannot be combined")
        if self.restart and not self.resume:
            raise ConfigError("--restart goes with --resume (a build without --resume "
                              "always starts from the beginning)")
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
        self.main_cpu: Seconds = {}  # CPU of this process per stage label of the stream
        self.loop_cpu = 0.0
        self.prints: tuple[dict[str, Any], str] = ({}, "")
        self.appended: int | None = None  # an --append run: inputs OUT held before it

    # -- checkpoints ---------------------------------------------------------------
    def _state(self, snap: dict[str, Any], done: int, writer: CorpusWriter,
               **extra: Any) -> dict[str, Any]:
        return {
            "pipeline": self.prints[0],
            "inputs": self.prints[1],
            "shards_done": done,
            "staging": writer.staging.name,
            "appended": self.appended,
            "writer": snap,
            "steps": [s.state() for s in self.pipe.steps],
            "worker_stats": self.executor.worker_stats,
            **extra,
        }

    def _restore_steps(self, state: dict[str, Any]) -> None:
        for step, saved in zip(self.pipe.steps, state["steps"], strict=True):
            step.restore(saved)
        self.executor.worker_stats = state["worker_stats"]

    # -- the run -------------------------------------------------------------------
    def run(self, inputs: Sequence[str]) -> RunResult:
        started = time.perf_counter()
        with OutLock(self.out, "corpus build"):
            refs = expand_inputs(list(inputs), follow_symlinks=self.pipe.input.follow_symlinks)
            self.prints = (pipeline_print(self.pipe), inputs_print(refs))
            if self.opt.executor == "local" and sum(map(input_size, refs)) < SMALL_INPUT_BYTES:
                self.opt.workers = 1  # starting processes costs more than it saves
            for step in self.pipe.steps:
                step.prepare()
            self.executor = self._executor()
            try:
                result = self._run(refs, started)
            except BaseException:
                self.executor.shutdown(abort=True)  # workers killed, not waited for
                raise
            self.executor.shutdown()
            return result

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
        name = self.state.committing
        if name is None:
            return None
        staging = Staging(self.out, name=name, prepare=False)
        with deferred() as signals_seen:
            staging.commit()
            self.state.end_commit()
        _interrupted_after_commit(signals_seen, self.out)
        manifest = json.loads((self.out / "manifest.json").read_text(encoding="utf-8"))
        return RunResult(self.out, manifest, 0.0, [], len(manifest.get("inputs", [])))

    def _checkpoint(self) -> dict[str, Any] | None:
        """--resume: the checkpoint to continue, checked (see :mod:`corpus.run.checks`)."""
        path = self.state.path / CHECKPOINT
        try:
            state = self.state.read(CHECKPOINT)
        except StateUnusable as exc:
            return self._restart_or_stop(str(exc))
        if state is None:
            return None  # nothing was interrupted: a fresh build
        staging = state["staging"]
        if not (isinstance(staging, str) and staging.startswith(STAGING_PREFIX)
                and "/" not in staging):
            return self._restart_or_stop(f"{path}: damaged (staging {staging!r})")
        problem = checkpoint_problem(state, self.out / staging, *self.prints)
        if problem is not None:
            return self._restart_or_stop(f"the checkpoint {path} cannot be continued: {problem}")
        return state

    def _restart_or_stop(self, why: str) -> None:
        if self.opt.restart:
            self.state.discard(CHECKPOINT)
            return None
        raise MismatchError(
            f"cannot resume {self.out}: {why}. Run the interrupted command unchanged with "
            "--resume, or add --restart to discard the checkpoint and build from the start"
        )

    def _final_state(self) -> dict[str, Any]:
        """--append: the state of OUT's finished build, checked."""
        path = self.state.path / FINAL_STATE
        try:
            state = self.state.read(FINAL_STATE)
        except StateUnusable as exc:
            raise cannot_append(self.out, str(exc)) from None
        if state is None:
            raise MismatchError(f"{self.out} holds no finished run to append to ({path} is "
                                "missing); build it without --append")
        changed = pipeline_changes(state["pipeline"], self.prints[0])
        if changed is not None:
            raise MismatchError(
                f"cannot append to {self.out}: it was built with another pipeline ({changed}); "
                f"append with the pipeline and flags it was built with, or rebuild {self.out} "
                "without --append"
            )
        if not isinstance(state.get("files"), dict) or INPUTS_FILE not in state["files"]:
            raise cannot_append(self.out, f"{path}: damaged (no record of the files)")
        return state

    def _run(self, refs: list[InputRef], started: float) -> RunResult:
        if self.opt.resume and (finished := self._finish_commit()) is not None:
            return finished
        resume_state = self._checkpoint() if self.opt.resume else None
        append_state = self._final_state() if self.opt.append else None
        try:
            writer = CorpusWriter(self.out, self.pipe.output,
                                  staging=resume_state["staging"] if resume_state else None)
        except OSError as exc:
            raise FatalError(f"cannot write to {self.out}: {exc}") from None
        try:
            return self._write(writer, refs, started, resume_state, append_state)
        except KeyboardInterrupt:
            raise  # the staging folder and the checkpoint stay, for --resume
        except BaseException:
            # A failed run leaves nothing behind: its staged files (a full disk stays
            # full otherwise) and the checkpoint that named them.
            writer.abort()
            self.state.discard(CHECKPOINT)
            raise

    def _write(
        self,
        writer: CorpusWriter,
        refs: list[InputRef],
        started: float,
        resume_state: dict[str, Any] | None,
        append_state: dict[str, Any] | None,
    ) -> RunResult:
        skipped = 0
        first_shard = 0
        self._attach()
        if resume_state is not None:
            writer.restore(resume_state["writer"])
            self._restore_steps(resume_state)
            first_shard = resume_state["shards_done"]
            self.appended = resume_state["appended"]
            if self.appended is not None:  # an interrupted --append: the same new inputs
                known = writer.known_inputs(limit=self.appended)
                refs[:] = [r for r in refs if r.path not in known or r.is_stdin]
        elif append_state is not None:
            self._seed_from_out(writer, append_state)
            known = writer.known_inputs()
            self.appended = writer.n_inputs
            new_refs = [r for r in refs if r.path not in known or r.is_stdin]
            skipped = len(refs) - len(new_refs)
            refs[:] = new_refs
            del new_refs, known
        audit = None
        if self.pipe.output.audit and resume_state is None and append_state is None:
            audit = report_stats()  # every row is this run's: no pass over the files
            # the manifest's target, known before the first sentence is counted
            audit.set_target(self.pipe.resolved().get("target"))
            writer.on_rows = audit.add
        cut = shards(refs, self.opt.shard_mb, self.opt.shard_files)
        if resume_state is not None:
            skipped = sum(len(s) for s in cut[:first_shard]) + (self.appended or 0)
        all_shards = [PackedShard(shard) for shard in cut]
        del cut
        refs.clear()  # the caller's list too: from here the packed shards hold the inputs
        bar = _progress_bar(sum(len(s) for s in all_shards[first_shard:]), self.opt.progress)
        try:
            with _YoungGarbageOnly():
                for number in range(first_shard, len(all_shards)):
                    loop_start, cpu_start = time.perf_counter(), time.process_time()
                    for doc in self._stream(all_shards[number].refs(), bar):
                        writer.add(doc)
                    self.loop_seconds += time.perf_counter() - loop_start
                    self.loop_cpu += time.process_time() - cpu_start
                    self.state.save(CHECKPOINT,
                                    self._state(writer.snapshot(), number + 1, writer))
        except OSError as exc:
            raise FatalError(f"writing {self.out} failed: {exc}; OUT is unchanged") from None
        finally:
            if bar is not None:
                bar.close()
        seconds = time.perf_counter() - started
        manifest = self._manifest(writer, seconds)
        try:
            snap = writer.snapshot()
            manifest["outputs"] = writer.close_streams()
            # The final state is staged with the files it describes and moves into OUT
            # with them: a run that fails before the commit leaves OUT's state as well as
            # its files as they were, so --append on OUT still works.
            final = self._state(snap, len(all_shards), writer, files=writer.facts)
            final["staging"] = None  # gone after the commit (and the same bytes every run)
            StateDir(writer.staging.dir).save(FINAL_STATE, final)
            if self.pipe.output.audit:
                # the workers' work is done: their memory (the models, ~400 MB each on a
                # large document) is not held while the reports are rendered (or, after
                # --resume/--append, while the audit reads the output back)
                self.executor.shutdown()
                write_reports(writer.staging.dir, manifest, audit)
            writer.write_manifest(manifest)
            # From here the run is complete: a marker lets a later --resume finish the
            # renames if this process dies half-way through them (roll forward). A
            # signal waits until the renames are done.
            with deferred() as signals_seen:
                self.state.begin_commit(writer.staging.name)
                writer.commit()
                self.state.end_commit()
        except OSError as exc:
            raise FatalError(f"writing {self.out} failed: {exc}; OUT is unchanged") from None
        for step in self.pipe.steps:  # after the commit: closing deletes the index files
            step.close()              # that only the replaced state named
        _interrupted_after_commit(signals_seen, self.out)
        missing = sorted({p for s in self._step_stats() for p in s.get("missing", {})})
        return RunResult(self.out, manifest, seconds, missing, skipped)

    def _attach(self) -> None:
        """Hand every step its run context: where it may keep state (its own slot, by
        position and name, so two dedup steps never share files) and what the executor
        offers it."""
        for number, step in enumerate(self.pipe.steps):
            step.attach(self.executor.context(self.state.path, f"{number:02d}-{step.name}"))

    def _seed_from_out(self, writer: CorpusWriter, state: dict[str, Any]) -> None:
        """--append: start the staging folder from OUT's current files and state, each
        file checked against what the state recorded while it is copied."""
        files: dict[str, dict[str, Any]] = state["files"]
        entries = manifest_inputs(self.out, state)
        for rel, facts in sorted(files.items()):
            if rel != INPUTS_FILE:
                copy_checked(self.out, rel, writer.staging.path(rel), facts)
        # the inputs side file is not kept in OUT: rebuild it, byte for byte, from the
        # manifest it was spliced into
        side = writer.staging.path(INPUTS_FILE)
        with open(side, "w", encoding="utf-8", newline="\n") as fh:
            for entry in entries:
                fh.write(dumps(entry) + "\n")
        if file_facts(side) != files[INPUTS_FILE]:
            raise cannot_append(self.out, f"the inputs {self.out / 'manifest.json'} lists "
                                "are not those the build recorded")
        writer.restore(state["writer"])
        self._restore_steps(state)

    def _stream(self, refs: list[InputRef], bar: Any) -> Iterator[Document]:
        """One shard through every step; per-document runs go to the executor."""
        tick = (lambda: bar.update(1)) if bar is not None else (lambda: None)
        clock = StageClock(self.main_cpu)

        def timed(name: str, docs: Iterable[Document]) -> Iterator[Document]:
            return clock.wrap(name, self._time(name, docs))

        return stream(self.executor, refs, tick, timed)

    def _time(self, name: str, docs: Iterable[Document]) -> Iterator[Document]:
        timer = self.timers.setdefault(name, _Timer())
        return timer.wrap(docs)

    def _cpu_timings(self) -> dict[str, float]:
        """``timings.cpu``: each stage's CPU seconds, in whichever process it ran.

        Per-document stages (``read``, the steps, ``prehash``) are what the executor
        measured, in the workers or here; ``dispatch`` is this process's own work for
        them with workers (sending chunks, unpickling results); corpus-wide steps and
        ``write`` ran here."""
        per_doc = {base_name(s.name) for s in self.pipe.steps if s.per_document}
        out = dict(self.executor.cpu)
        dispatch = 0.0
        for label, seconds in self.main_cpu.items():
            parts = label.split("+")
            if parts[0] in ("read", "documents") or set(parts) <= per_doc:
                dispatch += seconds
            else:
                out[label] = out.get(label, 0.0) + seconds
        if self.executor.cpu_here:
            dispatch -= sum(self.executor.cpu.values())
        out["dispatch"] = max(dispatch, 0.0)
        out["write"] = max(self.loop_cpu - sum(self.main_cpu.values()), 0.0)
        return {name: round(seconds, 3) for name, seconds in sorted(out.items())}

    def _step_stats(self) -> list[dict[str, Any]]:
        return [
            mf.merge_stats(s.stats(), self.executor.worker_stats[i])
            for i, s in enumerate(self.pipe.steps)
        ]

    def _timings(self, total: float) -> dict[str, Any]:
        out: dict[str, Any] = {}
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
        out["cpu"] = self._cpu_timings()
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
    restart: bool = False,
) -> RunResult:
    """Build the corpus of *inputs* into *out* with *pipe*; return the manifest.

    Raises ``ConfigError`` before doing anything if the inputs or configuration are
    wrong, ``MismatchError`` if what ``resume``/``append`` would build on does not check
    out (``restart=True`` with ``resume``: start over instead); ``InUseError`` if another run
    holds OUT; ``FatalError`` if the outputs cannot be written (OUT is then unchanged,
    and no staging folder is left). ``KeyboardInterrupt`` leaves the last checkpoint for
    ``resume=True``.
    """
    options = RunOptions(workers, resume, append, progress, shard_mb, shard_files,
                         executor, address, restart)
    return Runner(pipe, out, options).run(inputs)


def _interrupted_after_commit(signals_seen: list[int], out: Path) -> None:
    """A signal that arrived during the commit, reported now that OUT is complete."""
    if signals_seen:
        raise Interrupted(f"Interrupted after the run completed: {out} holds the complete "
                          "new corpus", exit_code=128 + signals_seen[0])


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
        gc.set_threshold(*YOUNG_GC)

    def __exit__(self, *exc: object) -> None:
        gc.set_threshold(*self.thresholds)
        gc.unfreeze()


def _progress_bar(total: int, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="file", desc="corpus build", file=sys.stderr, leave=False)
