"""Where per-document work runs: in this process, or in a pool of worker processes.

A pipeline alternates *per-document* steps (pure functions of one document: normalise,
boilerplate, langid, segment) with *corpus-wide* ones (dedup, repeated lines,
translation) that must see documents one after another, in order. An executor runs a
run of consecutive per-document steps over a stream; corpus-wide steps always run in
the main process. Results come back in input order, so ``--workers 4`` writes the same
bytes as ``--workers 1``.

Workers process chunks of documents with fresh copies of the steps and send back each
step's counters for the chunk; the main process adds them up (``merge_stats``).

What the corpus-wide steps right after a run need of each document (a dedup key, line
keys, a MinHash signature) is a pure function of that document, so it is computed here,
by whoever ran the per-document steps, and carried in ``Document.hashes``: a step with
a ``prehash_key`` and a ``prehash(doc)`` (``registry.Step``) gets it computed
(:func:`prehash_steps`), and the main process only does index look-ups. Corpus-wide
steps change statuses and ``kept`` flags, never a segment's text; a step whose input
is more than text (near_dedup: the kept segments) checks that its value is still current.
"""

from __future__ import annotations

import copy
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from corpus.ingest import InputConfig, InputRef, read_input
from corpus.records import Document
from corpus.registry import Step

Stats = list[dict[str, Any]]


def merge_stats(total: dict[str, Any], more: dict[str, Any]) -> dict[str, Any]:
    """Add counters: numbers are summed, dicts merged recursively, lists unioned."""
    for key, value in more.items():
        have = total.get(key)
        if isinstance(value, bool) or have is None:
            total[key] = copy.deepcopy(value)
        elif isinstance(value, (int, float)) and isinstance(have, (int, float)):
            total[key] = have + value
        elif isinstance(value, dict) and isinstance(have, dict):
            merge_stats(have, value)
        elif isinstance(value, list) and isinstance(have, list):
            total[key] = sorted(set(have) | set(value), key=str)
        else:
            total[key] = value
    return total


def apply_steps(
    steps: Sequence[Step], docs: Iterable[Document], *, release_text: bool = False
) -> Iterator[Document]:
    stream: Iterable[Document] = docs
    for step in steps:
        stream = step(stream)
    return _released(stream) if release_text else iter(stream)


# A chunk of work: input files to read, or documents to process, and how many inputs
# it finishes (for the progress bar).
Task = tuple[list[InputRef] | None, list[Document] | None, int]
Tasks = Iterator[Task]


def prehash_steps(steps: Sequence[Step], last: int) -> list[Step]:
    """The corpus-wide steps that follow step ``last - 1`` (up to the next per-document
    step) and can have their per-document part computed ahead (``prehash``)."""
    out: list[Step] = []
    for step in steps[last:]:
        if step.per_document:
            break
        if step.prehash_key:
            out.append(step)
    return out


def _prehashed(steps: Sequence[Step], docs: Iterable[Document]) -> Iterator[Document]:
    for doc in docs:
        if doc.kept:
            doc.hashes = {s.prehash_key: s.prehash(doc) for s in steps}
        yield doc


def run_range(
    all_steps: Sequence[Step],
    first: int,
    last: int,
    docs: Iterable[Document],
    steps: Sequence[Step] | None = None,
) -> Iterator[Document]:
    """Steps ``first..last-1`` over *docs* (*steps*: copies of them to run instead), then
    the ``prehash`` of the corpus-wide steps that follow."""
    release = last == text_needed_until(all_steps)
    run = all_steps[first:last] if steps is None else steps
    stream = apply_steps(run, docs, release_text=release)
    ahead = prehash_steps(all_steps, last)
    return _prehashed(ahead, stream) if ahead else stream


def text_needed_until(steps: Sequence[Step]) -> int:
    """Index after the last per-document step.

    ``Document.text`` (the decoded original) is read only by per-document steps, to map
    spans; after the last of them it is released, so it is neither carried through the
    corpus-wide steps nor pickled back from the workers. Every executor releases it at
    the same point, so the output does not depend on the executor.
    """
    return max((i + 1 for i, s in enumerate(steps) if s.per_document), default=0)


def _released(docs: Iterable[Document]) -> Iterator[Document]:
    for doc in docs:
        doc.text = ""
        yield doc


CHUNK_BYTES = 4_000_000  # input bytes per read task
WINDOW_PER_WORKER = 8.0  # chunks in flight per worker: the ordered merge must never starve
CHUNK_DOCS = 16  # documents (or input files) per task: small tasks balance the workers


def input_size(ref: InputRef) -> int:
    try:
        return os.stat(ref.fspath).st_size if ref.fspath else 0
    except (OSError, ValueError):
        return 0


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


# ---- worker side ------------------------------------------------------------------
_W_STEPS: list[Step] = []
_W_INPUT: InputConfig | None = None


def _init_worker(steps: list[Step], input_cfg: InputConfig) -> None:
    global _W_STEPS, _W_INPUT
    _W_STEPS = steps
    _W_INPUT = input_cfg


def _run_chunk(
    first: int, last: int, refs: list[InputRef] | None, docs: list[Document] | None
) -> tuple[list[Document], Stats]:
    """Run steps ``first..last-1`` on *docs* (or on what *refs* read to)."""
    steps = [copy.deepcopy(s) for s in _W_STEPS[first:last]]
    if refs is not None:
        assert _W_INPUT is not None
        source: Iterable[Document] = (d for ref in refs for d in read_input(ref, _W_INPUT))
    else:
        source = docs or []
    out = list(run_range(_W_STEPS, first, last, source, steps))
    return out, [s.stats() for s in steps]


# ---- main side --------------------------------------------------------------------
class Executor:
    """Runs steps ``[first, last)`` of the pipeline over a stream of documents."""

    workers = 1

    def __init__(self, steps: list[Step], input_cfg: InputConfig) -> None:
        self.steps = steps
        self.input_cfg = input_cfg
        self.worker_stats: list[dict[str, Any]] = [{} for _ in steps]

    def read(
        self, refs: Sequence[InputRef], first: int, last: int, on_input: Callable[[], None]
    ) -> Iterator[Document]:
        def source() -> Iterator[Document]:
            for ref in refs:
                yield from read_input(ref, self.input_cfg)
                on_input()

        return run_range(self.steps, first, last, source())

    def map(self, docs: Iterable[Document], first: int, last: int) -> Iterator[Document]:
        return run_range(self.steps, first, last, docs)

    def shutdown(self) -> None:
        pass


class ChunkedExecutor(Executor):
    """Sends chunks of work to workers and yields the results in input order.

    Subclasses say how a chunk runs (``_ordered``: submit tasks, collect in order) and
    may rewrite an input reference for a remote worker (``_task_ref``).
    """

    chunk_docs = 64

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
            # round trips. stdin is read here: a worker's sys.stdin is /dev/null.
            group: list[InputRef] = []
            size = 0
            for ref in refs:
                if ref.is_stdin:
                    if group:
                        yield group, None, len(group)
                        group, size = [], 0
                    yield None, list(read_input(ref, self.input_cfg)), 1
                    continue
                ref_size = input_size(ref)
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
            max_workers=workers, initializer=_init_worker, initargs=(steps, input_cfg)
        )

    def _ordered(
        self,
        tasks: Tasks,
        first: int,
        last: int,
        on_done: Callable[[int], None] | None = None,
    ) -> Iterator[Document]:
        window: deque[tuple[Future, int]] = deque()
        limit = max(2, int(WINDOW_PER_WORKER * self.workers))
        for refs, docs, n_refs in tasks:
            window.append((self.pool.submit(_run_chunk, first, last, refs, docs), n_refs))
            if len(window) >= limit:
                yield from self._collect(window.popleft(), first, on_done)
        while window:
            yield from self._collect(window.popleft(), first, on_done)

    def _collect(
        self, item: tuple[Future, int], first: int, on_done: Callable[[int], None] | None
    ) -> Iterator[Document]:
        future, n_refs = item
        docs, stats = future.result()
        for offset, step_stats in enumerate(stats):
            merge_stats(self.worker_stats[first + offset], step_stats)
        if on_done is not None and n_refs:
            on_done(n_refs)
        yield from docs

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
