"""Per-document steps on a Ray cluster; translation in model-holding actors when asked.

Why actors and not Ray Data: the runner hands an executor a *lazy* stream (``map`` gets
the output of a corpus-wide step such as dedup, produced one document at a time in the
driver) and expects documents back in input order, with each step's counters for the
manifest. Ray Data wants a materialised or datasource-backed input, keeps order only with
``preserve_order`` (which serialises its operators), and would carry ``Document`` objects
as opaque Python columns. Plain actors fit the existing contract exactly: each actor is
one worker of :class:`corpus.run.local.PoolExecutor` (same ``_run_chunk``, same fresh
copies of the steps per chunk), the driver keeps a bounded, ordered window of chunks in
flight, so ``--executor ray`` writes the same bytes as ``--workers 1``.

Inputs are read *on the workers* from their paths (made absolute here), so on a real
cluster every node must see the inputs at the same path (NFS, a bucket mount); stdin is
read by the driver and shipped as documents. See docs/ray.md.

Translation: the executor hands the translate step (through its ``RunContext``) an engine
whose CTranslate2 calls run in actors of the cluster
(:mod:`corpus.stages.translate.ray`); the driver keeps the cache and the batching plan,
so the translations and the cache equal a local run's.
"""

from __future__ import annotations

import dataclasses
import os
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ray

from corpus.errors import FatalError
from corpus.ingest import InputConfig, InputRef
from corpus.records import Document
from corpus.registry import RunContext, Step
from corpus.run.clock import Seconds, add_seconds
from corpus.run.local import ChunkedExecutor
from corpus.run.manifest import merge_stats
from corpus.run.worker import Stats, Tasks, init_worker, run_chunk

PER_ACTOR = 2  # chunks queued on one actor: one running, one ready to start
WINDOW_PER_ACTOR = 4  # finished chunks may wait this deep for the head of the window
CHUNK_DOCS = 64  # documents (or inputs) per task

# Chunks are pure functions of their inputs, so a chunk lost with its worker (node gone,
# OOM kill) is simply run again, and the output is still identical.
@ray.remote(num_cpus=1, max_restarts=3, max_task_retries=3)
class DocWorker:
    """One worker process: the pipeline's steps, prepared once, run chunk by chunk."""

    def __init__(self, steps: list[Step], input_cfg: InputConfig) -> None:
        for step in steps:
            step.prepare()  # word lists and models: once per actor, not per chunk
        init_worker(steps, input_cfg)

    def run(
        self, first: int, last: int, refs: list[InputRef] | None, docs: list[Document] | None
    ) -> tuple[list[Document], Stats, Seconds]:
        return run_chunk(first, last, refs, docs)


@dataclass
class _Slot:
    ref: Any  # ray.ObjectRef
    actor: int
    n_refs: int  # inputs completed when this chunk is
    done: bool = False


def _absolute(ref: InputRef) -> InputRef:
    """Workers may run in another directory: open by absolute name, show as given."""
    if ref.fspath is None or os.path.isabs(ref.fspath):
        return ref
    return dataclasses.replace(ref, fspath=os.path.abspath(ref.fspath))


class RayExecutor(ChunkedExecutor):
    """``workers`` Ray actors run the per-document steps; results come back in order.

    With ``address=None`` and no Ray already running, a local cluster with
    ``num_cpus=workers`` is started and shut down at the end; otherwise the executor
    connects (``auto``, ``ray://head:10001``) or reuses the caller's ``ray.init`` and
    only removes its own actors.
    """

    def __init__(
        self,
        steps: list[Step],
        input_cfg: InputConfig,
        workers: int,
        address: str | None = None,
        chunk_docs: int | None = None,
    ) -> None:
        super().__init__(steps, input_cfg)
        self.owns_ray = not ray.is_initialized()
        if self.owns_ray:
            ray.init(
                address=address,
                # a private cluster of `workers` CPUs, unless RAY_ADDRESS names one
                num_cpus=workers if address is None and not os.environ.get("RAY_ADDRESS")
                else None,
                include_dashboard=False,
                logging_level="ERROR",
                log_to_driver=True,
            )
        self.workers = max(1, workers)
        self.chunk_docs = chunk_docs or CHUNK_DOCS
        # The steps pickle to a few hundred bytes (models stay in module caches, and the
        # corpus-wide state is restored after this): passed by value, so a restarted
        # actor never depends on an object-store copy. Each actor prepares its own.
        self.actors = [DocWorker.remote(steps, input_cfg) for _ in range(self.workers)]
        self.translators: list[Any] = []  # translation actors, made when a step asks

    def context(self, state_dir: Path | None, slot: str) -> RunContext:
        return RunContext(state_dir=state_dir, slot=slot,
                          translation_engine=_engine_factory(self))

    # -- dispatch ------------------------------------------------------------------
    def _ordered(
        self,
        tasks: Tasks,
        first: int,
        last: int,
        on_done: Callable[[int], None] | None = None,
    ) -> Iterator[Document]:
        """Submit chunks to the least busy actor; yield their documents in task order.

        At most ``PER_ACTOR`` unfinished chunks per actor and ``WINDOW_PER_ACTOR`` chunks
        per actor held in all, so memory is bounded and a slow chunk at the head does not
        leave the other actors idle.
        """
        window: deque[_Slot] = deque()
        busy = [0] * len(self.actors)
        limit = WINDOW_PER_ACTOR * len(self.actors)
        for refs, docs, n_refs in tasks:
            while True:
                actor = min(range(len(busy)), key=busy.__getitem__)
                if busy[actor] < PER_ACTOR and len(window) < limit:
                    break
                if len(window) >= limit or window[0].done:
                    yield from self._collect(window.popleft(), busy, first, on_done)
                else:
                    self._reap(window, busy, timeout=None)
            ref = self.actors[actor].run.remote(first, last, refs, docs)
            window.append(_Slot(ref, actor, n_refs))
            busy[actor] += 1
            self._reap(window, busy, timeout=0)
            while window and window[0].done:
                yield from self._collect(window.popleft(), busy, first, on_done)
        while window:
            yield from self._collect(window.popleft(), busy, first, on_done)

    @staticmethod
    def _reap(window: deque[_Slot], busy: list[int], timeout: float | None) -> None:
        """Mark finished chunks (waiting for one when *timeout* is None)."""
        running = [slot for slot in window if not slot.done]
        if not running:
            return
        ready, _ = ray.wait([s.ref for s in running], num_returns=1 if timeout is None
                            else len(running), timeout=timeout, fetch_local=False)
        finished = set(ready)
        for slot in running:
            if slot.ref in finished:
                slot.done = True
                busy[slot.actor] -= 1

    def _collect(
        self,
        slot: _Slot,
        busy: list[int],
        first: int,
        on_done: Callable[[int], None] | None,
    ) -> Iterator[Document]:
        try:
            docs, stats, cpu = ray.get(slot.ref)
        except ray.exceptions.RayError as exc:
            raise FatalError(f"a Ray worker failed: {exc}") from None
        if not slot.done:
            busy[slot.actor] -= 1
        for offset, step_stats in enumerate(stats):
            merge_stats(self.worker_stats[first + offset], step_stats)
        add_seconds(self.cpu, cpu)
        if on_done is not None and slot.n_refs:
            on_done(slot.n_refs)
        yield from docs

    def _task_ref(self, ref: InputRef) -> InputRef:
        return _absolute(ref)  # workers may run in another directory or on another node

    def shutdown(self, abort: bool = False) -> None:
        for actor in [*self.actors, *self.translators]:
            ray.kill(actor)
        self.actors, self.translators = [], []
        if self.owns_ray:
            ray.shutdown()


def _engine_factory(executor: RayExecutor) -> Any:
    """The translation engine this run's translate step gets: decoding in Ray actors."""

    def make(store: Any, options: Any, cache: Any, *, pivot: str = "en",
             device: str = "cpu") -> Any:
        from corpus.stages.translate.ray import ray_engine

        engine = ray_engine(store, options, cache, pivot=pivot, device=device)
        executor.translators.extend(engine.actors)
        return engine

    return make


__all__ = ["DocWorker", "RayExecutor"]
