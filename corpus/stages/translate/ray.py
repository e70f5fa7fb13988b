"""Translation on a Ray cluster: CTranslate2 in actors that hold the models.

``RayEngine`` is a translation :class:`~corpus.stages.translate.engine.Engine` whose
CTranslate2 calls run in :class:`TranslatorActor` s (one per GPU when the cluster has
GPUs, else one per node), each loading a model once. The driver keeps the routes, the
cache and the batching plan, so the translations and the cache equal a local run's.
The Ray executor (:mod:`corpus.run.ray`) hands this engine to the translate step.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import ray

from corpus.stages.translate.engine import Engine, LoadedModel
from corpus.stages.translate.models import ModelStore

PER_ACTOR = 2  # chunks queued on one actor: one running, one ready to start


@ray.remote(num_cpus=0)
class TranslatorActor:
    """Holds an uncached Engine over this node's models directory; each model loads once.

    ``run`` is :meth:`Engine.run_chunk` on one chunk the driver planned, so a chunk gives
    the same batches, hence the same output, as in a local run.
    """

    def __init__(self, models_dir: str | None, options: Any, pivot: str) -> None:
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
        return self.engine.run_chunk(self.engine.model(package), texts)


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
            loaded = LoadedModel(package, None, sp, f"{package.id}@{package.fingerprint()}", 0.0)
            self._sp[package.id] = loaded
        self.loaded[package.id] = loaded
        return loaded

    def _translate(self, model: LoadedModel, chunks: list[list[str]]) -> Iterator[dict[str, str]]:
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


def ray_engine(store: ModelStore, options: Any, cache: Any, *, pivot: str = "en",
               device: str = "cpu") -> RayEngine:
    """An engine whose decoding runs in new actors of the connected Ray cluster.

    *device* is the translate step's own setting (``cpu``/``cuda``/``auto``), not the
    driver's resolved one: with ``auto`` or ``cuda`` and GPUs in the cluster, the actors
    take one GPU each, even when the driver has none.
    """
    gpus = int(ray.cluster_resources().get("GPU", 0))
    if gpus > 0 and device in ("auto", "cuda"):
        options = dataclasses.replace(options, device="cuda")
        actors = [TranslatorActor.options(num_gpus=1).remote(str(store.dir), options, pivot)
                  for _ in range(gpus)]
    else:
        nodes = max(1, sum(1 for n in ray.nodes() if n.get("Alive")))
        actors = [TranslatorActor.options(scheduling_strategy="SPREAD")
                  .remote(str(store.dir), options, pivot) for _ in range(nodes)]
    return RayEngine(store, options, cache, pivot=pivot, actors=actors)
