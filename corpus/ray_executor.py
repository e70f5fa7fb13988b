"""Per-document steps on a Ray cluster, and translation in a pool of model-holding actors.

Why actors and not Ray Data: the runner hands an executor a *lazy* stream (``map`` gets
the output of a corpus-wide step such as dedup, produced one document at a time in the
driver) and expects documents back in input order, with each step's counters for the
manifest. Ray Data wants a materialised or datasource-backed input, keeps order only with
``preserve_order`` (which serialises its operators), and would carry ``Document`` objects
as opaque Python columns. Plain actors fit the existing contract exactly: each actor is
one worker of :class:`corpus.executors.PoolExecutor` (same ``_run_chunk``, same fresh
copies of the steps per chunk), the driver keeps a bounded, ordered window of chunks in
flight, so ``--executor ray`` writes the same bytes as ``--workers 1``.

Inputs are read *on the workers* from their paths (made absolute here), so on a real
cluster every node must see the inputs at the same path (NFS, a bucket mount); stdin is
read by the driver and shipped as documents. See docs/ray.md.

Translation: ``RayEngine`` (see :func:`ray_engine_class`) is a translation ``Engine``
whose CTranslate2 calls run in :class:`TranslatorActor` s (one per GPU when the cluster
has GPUs, else one per node), each loading a model once. The driver keeps the cache and the
batching plan, so the translations and the cache equal a local run's.
"""

from __future__ import annotations

import dataclasses
import os
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import ray

from corpus import executors
from corpus.errors import FatalError
from corpus.executors import ChunkedExecutor, Tasks, merge_stats
from corpus.ingest import InputConfig, InputRef
from corpus.records import Document
from corpus.registry import Step

PER_ACTOR = 2  # chunks queued on one actor: one running, one ready to start
WINDOW_PER_ACTOR = 4  # finished chunks may wait this deep for the head of the window
CHUNK_DOCS = 64  # documents (or inputs) per task

_ACTIVE: RayExecutor | None = None  # the executor of the run in this process, if any


# Chunks are pure functions of their inputs, so a chunk lost with its worker (node gone,
# OOM kill) is simply run again, and the output is still identical.
@ray.remote(num_cpus=1, max_restarts=3, max_task_retries=3)
class DocWorker:
    """One worker process: the pipeline's steps, prepared once, run chunk by chunk."""

    def __init__(self, steps: list[Step], input_cfg: InputConfig) -> None:
        for step in steps:
            step.prepare()  # word lists and models: once per actor, not per chunk
        executors._init_worker(steps, input_cfg)

    def run(
        self, first: int, last: int, refs: list[InputRef] | None, docs: list[Document] | None
    ) -> tuple[list[Document], executors.Stats]:
        return executors._run_chunk(first, last, refs, docs)


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
        global _ACTIVE
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
        self.translators: list[Any] = []  # TranslatorActor handles made by ray_engine()
        _ACTIVE = self

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
            docs, stats = ray.get(slot.ref)
        except ray.exceptions.RayError as exc:
            raise FatalError(f"a Ray worker failed: {exc}") from None
        if not slot.done:
            busy[slot.actor] -= 1
        for offset, step_stats in enumerate(stats):
            merge_stats(self.worker_stats[first + offset], step_stats)
        if on_done is not None and slot.n_refs:
            on_done(slot.n_refs)
        yield from docs

    def _task_ref(self, ref: InputRef) -> InputRef:
        return _absolute(ref)  # workers may run in another directory or on another node

    def shutdown(self) -> None:
        global _ACTIVE
        for actor in [*self.actors, *self.translators]:
            ray.kill(actor)
        self.actors, self.translators = [], []
        if _ACTIVE is self:
            _ACTIVE = None
        if self.owns_ray:
            ray.shutdown()


# ---- translation ------------------------------------------------------------------
@ray.remote(num_cpus=0)
class TranslatorActor:
    """Holds an uncached Engine over this node's models directory; each model loads once.

    ``run`` is ``Engine._run`` on one chunk the driver planned, so a chunk gives the
    same batches, hence the same output, as in a local run.
    """

    def __init__(self, models_dir: str | None, options: Any, pivot: str) -> None:
        from corpus.translate.engine import Engine
        from corpus.translate.models import ModelStore

        self.engine = Engine(ModelStore(models_dir), options, None, pivot=pivot)
        self.store = self.engine.store

    def run(self, package_id: str, fingerprint: str, texts: list[str]) -> dict[str, str]:
        for package in self.store.best().values():
            if package.id == package_id:
                break
        else:
            raise RuntimeError(f"{package_id} is not installed in {self.store.dir} on "
                               f"{ray.util.get_node_ip_address()}: install it on every node")
        if package.fingerprint() != fingerprint:
            raise RuntimeError(f"{package_id} on {ray.util.get_node_ip_address()} differs "
                               "from the driver's copy: install the same file on every node")
        return self.engine._run(self.engine.model(package), texts)


def ray_engine(store: Any, options: Any, cache: Any, *, pivot: str = "en",
               device: str = "cpu") -> Any:
    """A :class:`RayEngine` when this process runs a ``--executor ray`` build, else None.

    *device* is the translate step's own setting (``cpu``/``cuda``/``auto``), not the
    driver's resolved one: with ``auto`` or ``cuda`` and GPUs in the cluster, the actors
    take one GPU each, even when the driver has none.
    """
    executor = _ACTIVE
    if executor is None:
        return None
    gpus = int(ray.cluster_resources().get("GPU", 0))
    use_gpu = gpus > 0 and device in ("auto", "cuda")
    if use_gpu:
        options = dataclasses.replace(options, device="cuda")
        actors = [TranslatorActor.options(num_gpus=1).remote(str(store.dir), options, pivot)
                  for _ in range(gpus)]
    else:
        nodes = max(1, sum(1 for n in ray.nodes() if n.get("Alive")))
        actors = [TranslatorActor.options(scheduling_strategy="SPREAD")
                  .remote(str(store.dir), options, pivot) for _ in range(nodes)]
    executor.translators.extend(actors)
    return ray_engine_class()(store, options, cache, pivot=pivot, actors=actors)


_RAY_ENGINE: type | None = None


def ray_engine_class() -> type:
    """``RayEngine``, defined on first use: ``--executor ray`` without translation must
    not need the translation extra (ctranslate2, sentencepiece) to import this module."""
    global _RAY_ENGINE
    if _RAY_ENGINE is None:
        _RAY_ENGINE = _define_ray_engine()
    return _RAY_ENGINE


def _define_ray_engine() -> type:
    from corpus.translate.engine import Engine, LoadedModel

    @dataclass
    class RayEngine(Engine):
        """The driver side: routes, cache, batching plan here; CTranslate2 in the actors."""

        actors: list[Any] = field(default_factory=list)
        _sp: dict[str, LoadedModel] = field(default_factory=dict, repr=False)

        def model(self, package: Any) -> LoadedModel:
            """Only the SentencePiece model (for the length-sorted plan); no translator."""
            loaded = self._sp.get(package.id)
            if loaded is None:
                import sentencepiece

                sp = sentencepiece.SentencePieceProcessor(model_file=str(package.sp_model))
                loaded = LoadedModel(package, None, sp, f"{package.id}@{package.fingerprint()}",
                                     0.0)
                self._sp[package.id] = loaded
            self.loaded[package.id] = loaded
            return loaded

        def _translate(self, model: LoadedModel,
                       chunks: list[list[str]]) -> Iterator[dict[str, str]]:
            """The chunks round-robin over the actors, a bounded number in flight; results
            come back in chunk order, so the cache is filled as a local run fills it."""
            package, fingerprint = model.package, model.package.fingerprint()
            pending: deque[Any] = deque()
            for n, chunk in enumerate(chunks):
                actor = self.actors[n % len(self.actors)]
                pending.append(actor.run.remote(package.id, fingerprint, chunk))
                if len(pending) >= PER_ACTOR * len(self.actors):
                    yield ray.get(pending.popleft())
            while pending:
                yield ray.get(pending.popleft())

        def close(self) -> None:
            super().close()
            for actor in self.actors:
                ray.kill(actor)
            self.actors = []

    return RayEngine


def active() -> RayExecutor | None:
    """The RayExecutor running in this process (the translate step asks)."""
    return _ACTIVE


__all__ = ["DocWorker", "RayExecutor", "TranslatorActor", "active", "ray_engine",
           "ray_engine_class"]
