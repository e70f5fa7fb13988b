"""Where per-document work runs on this machine: in this process, or in a pool of processes.

A pipeline alternates *per-document* steps (pure functions of one document: normalise,
boilerplate, langid, sentences) with *corpus-wide* ones (dedup, repeated lines,
translation) that must see documents one after another, in order. An executor runs a
run of consecutive per-document steps over a stream; corpus-wide steps always run in
the main process. Results come back in input order, so ``--workers 4`` writes the same
bytes as ``--workers 1``. What a worker does with a chunk is :mod:`corpus.run.worker`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from corpus.errors import FatalError
from corpus.ingest import InputConfig, InputRef, read_input
from corpus.ingest.documents import LATER
from corpus.ingest.pieces import Piece, plan
from corpus.ingest.streams import GZIP_MAGIC
from corpus.records import Document
from corpus.registry import RunContext, Step
from corpus.run.clock import Seconds, StageClock, add_seconds
from corpus.run.manifest import merge_stats
from corpus.run.shards import input_size
from corpus.run.worker import Tasks, init_worker, read_item, run_chunk, run_range

CHUNK_BYTES = 4_000_000  # input bytes per read task
PIECE_BYTES = 2_000_000  # a larger JSONL file is read in pieces of about this size
ABORT_SECONDS = 10.0  # an interrupted run waits this long for its pool, at most
WINDOW_PER_WORKER = 8.0  # chunks in flight per worker: the ordered merge must never starve
CHUNK_DOCS = 16  # documents (or input files) per task: small tasks balance the workers


WORKERS_PER_CORE = 4  # beyond this, workers only add memory (each holds the models)


def _segments_later(docs: Iterable[Document]) -> Iterator[Document]:
    """*docs*, a reader's, with text documents made without their segments (their
    worker cuts them: ``corpus.ingest.documents.LATER``); the flag holds only while the
    reader runs, not while this generator waits."""
    it = iter(docs)
    while True:
        token = LATER.set(True)
        try:
            doc = next(it)
        except StopIteration:
            return
        finally:
            LATER.reset(token)
        yield doc


def task_weight(refs: list[InputRef | Piece] | None, docs: list[Document] | None) -> int:
    """About how much text a task carries (what its results will hold, times a factor)."""
    if docs is not None:
        return sum(len(d.text) for d in docs)
    return sum(i.end - i.start if isinstance(i, Piece) else input_size(i) for i in refs or ())


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def max_workers() -> int:
    """The most worker processes a local run may start: ``--workers 1000`` used to start
    them all, each with its own copy of the language models."""
    return WORKERS_PER_CORE * cpu_count()


# ---- main side --------------------------------------------------------------------
class Executor:
    """Runs steps ``[first, last)`` of the pipeline over a stream of documents."""

    workers = 1

    def __init__(self, steps: list[Step], input_cfg: InputConfig) -> None:
        self.steps = steps
        self.input_cfg = input_cfg
        self.worker_stats: list[dict[str, Any]] = [{} for _ in steps]
        self.cpu: Seconds = {}  # CPU seconds per stage, wherever it ran (corpus.run.clock)

    def read(
        self, refs: Sequence[InputRef], first: int, last: int, on_input: Callable[[], None]
    ) -> Iterator[Document]:
        def source() -> Iterator[Document]:
            for ref in refs:
                yield from read_input(ref, self.input_cfg)
                on_input()

        clock = StageClock(self.cpu)
        return run_range(self.steps, first, last, clock.wrap("read", source()), clock=clock)

    def map(self, docs: Iterable[Document], first: int, last: int) -> Iterator[Document]:
        return run_range(self.steps, first, last, docs, clock=StageClock(self.cpu))

    @property
    def cpu_here(self) -> bool:
        """Whether :attr:`cpu` was spent in this process (no workers)."""
        return True

    def context(self, state_dir: Path | None, slot: str) -> RunContext:
        """What a step gets from this executor for the run (see ``RunContext``)."""
        return RunContext(state_dir=state_dir, slot=slot)

    def shutdown(self, abort: bool = False) -> None:
        """Release the workers; *abort* (the run failed or was interrupted): at once,
        without waiting for the work they hold."""


class ChunkedExecutor(Executor):
    """Sends chunks of work to workers and yields the results in input order.

    Subclasses say how a chunk runs (``_ordered``: submit tasks, collect in order) and
    may rewrite an input reference for a remote worker (``_task_ref``).
    """

    chunk_docs = 64

    @property
    def cpu_here(self) -> bool:
        return False

    def _task_ref(self, ref: InputRef) -> InputRef:
        return ref

    def _ordered(
        self,
        tasks: Tasks,
        first: int,
        last: int,
        on_done: Callable[[int], None] | None = None,
    ) -> Iterator[Document]:  # pragma: no cover - abstract
        raise NotImplementedError

    def read(
        self, refs: Sequence[InputRef], first: int, last: int, on_input: Callable[[], None]
    ) -> Iterator[Document]:
        def tasks() -> Tasks:
            # Consecutive inputs share a task (up to chunk_docs files or CHUNK_BYTES):
            # one small file per task kept the workers waiting on the main process's
            # round trips. A large JSONL file is cut into pieces of whole records, a task
            # each, so one big export keeps every worker busy. stdin is read here: a
            # worker's sys.stdin is /dev/null.
            group: list[InputRef | Piece] = []
            size = 0
            for ref in refs:
                if ref.is_stdin:
                    if group:
                        yield group, None, len(group)
                        group, size = [], 0
                    yield None, list(read_input(ref, self.input_cfg)), 1
                    continue
                ref_size = input_size(ref)
                pieces = plan(ref, self.input_cfg, PIECE_BYTES) if ref_size > PIECE_BYTES else None
                if pieces or (ref_size > PIECE_BYTES and self._streamed(ref, ref_size)):
                    if group:
                        yield group, None, len(group)
                        group, size = [], 0
                    task_ref = self._task_ref(ref)
                    for item in pieces or [ref]:
                        if isinstance(item, Piece):
                            if item.end - item.start <= self.input_cfg.max_document_chars:
                                piece = dataclasses.replace(item, ref=task_ref)
                                yield [piece], None, int(item.last)
                                continue
                            last = item.last
                        else:
                            last = True
                        yield from self._streamed_tasks(read_item(item, self.input_cfg), last)
                    continue
                if group and (len(group) >= self.chunk_docs or size + ref_size > CHUNK_BYTES):
                    yield group, None, len(group)
                    group, size = [], 0
                group.append(self._task_ref(ref))
                size += ref_size
            if group:
                yield group, None, len(group)

        def done(n: int) -> None:
            for _ in range(n):
                on_input()

        return self._ordered(tasks(), first, last, done)

    def _streamed(self, ref: InputRef, size: int) -> bool:
        """Whether a worker reading *ref* whole would hold too much at once: a gzip file
        (its text may be ten times its size), or a file over ``max_document_mb``."""
        if size > self.input_cfg.max_document_chars:
            return True
        try:
            with open(ref.fspath or "", "rb") as f:
                return f.read(2) == GZIP_MAGIC
        except OSError:
            return False

    def _streamed_tasks(self, docs: Iterable[Document], last: bool) -> Tasks:
        """Documents read here, one group of about ``PIECE_BYTES`` of text per task: a big
        or compressed input is decompressed, decoded and cut into parts once, and its
        parts go to the workers a few at a time (memory bounded by the window)."""
        group: list[Document] = []
        chars = 0
        for doc in _segments_later(docs):
            if group and (len(group) >= self.chunk_docs or chars >= PIECE_BYTES):
                yield None, group, 0
                group, chars = [], 0
            group.append(doc)
            chars += len(doc.text)
        yield None, group, int(last)

    def map(self, docs: Iterable[Document], first: int, last: int) -> Iterator[Document]:
        def tasks() -> Tasks:
            chunk: list[Document] = []
            for doc in docs:
                chunk.append(doc)
                if len(chunk) >= self.chunk_docs:
                    yield None, chunk, 0
                    chunk = []
            if chunk:
                yield None, chunk, 0

        return self._ordered(tasks(), first, last)


class PoolExecutor(ChunkedExecutor):
    """Per-document steps in ``workers`` processes, results in input order.

    At most ``2 × workers`` chunks are in flight, so memory stays bounded however long
    the stream is.
    """

    def __init__(
        self, steps: list[Step], input_cfg: InputConfig, workers: int, chunk_docs: int = 0
    ) -> None:
        super().__init__(steps, input_cfg)
        self.workers = workers
        self.chunk_docs = chunk_docs or CHUNK_DOCS
        self.pool = ProcessPoolExecutor(
            max_workers=workers, initializer=init_worker,
            initargs=(steps, input_cfg, os.getpid()),
        )
        # Fork the workers now, while this process holds the models and little else:
        # the pool forks on its first task, which came after the main process had read
        # the first input; a 200 MB JSONL line then lived on in every worker's copy of
        # its memory (largest worker 955 MiB PSS, against 470 for the same text as a file).
        self.pool.submit(os.getpid).result()

    def _ordered(
        self,
        tasks: Tasks,
        first: int,
        last: int,
        on_done: Callable[[int], None] | None = None,
    ) -> Iterator[Document]:
        window: deque[tuple[Future, int, int]] = deque()
        limit = max(2, int(WINDOW_PER_WORKER * self.workers))
        # Text in flight, at most: a few pieces per worker. A task's results (every
        # segment and sentence of its text, unpickled here) weigh tens of times its
        # text, and finished tasks wait here for the ones before them; the parts of one
        # huge document are each a task as heavy as a whole piece.
        budget = (2 * self.workers + 1) * PIECE_BYTES
        held = 0
        for refs, docs, n_refs in tasks:
            weight = task_weight(refs, docs)
            window.append((self.pool.submit(run_chunk, first, last, refs, docs), n_refs, weight))
            held += weight
            # bounded in tasks (many small inputs) and in bytes (the parts of a big one)
            while window and (len(window) >= limit or (held > budget and len(window) > 1)):
                future, n_refs, weight = window.popleft()
                held -= weight
                yield from self._collect(future, n_refs, first, on_done)
        while window:
            future, n_refs, _ = window.popleft()
            yield from self._collect(future, n_refs, first, on_done)

    def _collect(
        self, future: Future, n_refs: int, first: int, on_done: Callable[[int], None] | None
    ) -> Iterator[Document]:
        try:
            docs, stats, cpu = future.result()
        except BrokenProcessPool:
            raise FatalError(
                "a worker process died (killed, or out of memory?); OUT is unchanged. Add "
                "--resume to the same command to continue from the last checkpoint"
            ) from None
        for offset, step_stats in enumerate(stats):
            merge_stats(self.worker_stats[first + offset], step_stats)
        add_seconds(self.cpu, cpu)
        if on_done is not None and n_refs:
            on_done(n_refs)
        yield from docs

    def shutdown(self, abort: bool = False) -> None:
        if not abort:
            self.pool.shutdown(wait=True, cancel_futures=True)
            return
        # Killed, not asked: a worker may be deep in a long document, and an interrupted
        # run should end now. Workers ignore SIGINT/SIGTERM (see corpus.run.signals), so
        # SIGKILL it is. The pool's own shutdown then runs on a daemon thread, waited
        # for a bounded time: an interrupt can land while the main thread holds one of
        # the pool's locks (inside ``submit``), and a ``shutdown(wait=True)`` waiting for
        # that lock, or for a manager thread blocked on it, never returns (seen once in
        # CI: a Ctrl-C'd ``--workers 2`` build that never exited).
        processes = list((getattr(self.pool, "_processes", None) or {}).values())
        for process in processes:
            with contextlib.suppress(OSError, ValueError):
                process.kill()
        deadline = time.monotonic() + ABORT_SECONDS
        for process in processes:
            with contextlib.suppress(OSError, ValueError, AssertionError):
                process.join(max(0.0, deadline - time.monotonic()))
        closer = threading.Thread(target=self.pool.shutdown, name="corpus-pool-abort",
                                  kwargs={"wait": True, "cancel_futures": True}, daemon=True)
        closer.start()
        closer.join(max(0.1, deadline - time.monotonic()))
