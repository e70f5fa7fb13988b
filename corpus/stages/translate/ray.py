"""Translation on a Ray cluster: CTranslate2 in actors that hold the models.

``RayEngine`` is a translation :class:`~corpus.stages.translate.engine.Engine` whose
batches are decoded in :class:`TranslatorActor` s (one per GPU when the cluster has
GPUs, else one per node), each loading a model once. The driver keeps the routes, the
cache, the SentencePiece encoding and the batch plan, and sends token batches, so the
translations and the cache equal a local run's batch for batch.
The Ray executor (:mod:`corpus.run.ray`) hands this engine to the translate step.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

import ray

from corpus.stages.translate.engine import (
    Engine,
    LoadedModel,
    Tokens,
    Waiter,
    decode_batch,
    load_model,
)
from corpus.stages.translate.models import ModelStore

BATCHES_PER_CALL = 8  # one actor call queues these on the actor's replicas at once


@ray.remote(num_cpus=0)
class TranslatorActor:
    """Holds this node's models; ``run`` decodes batches the driver planned."""

    def __init__(self, models_dir: str | None, options: Any) -> None:
        self.store = ModelStore(models_dir)
        self.options = options

    def run(self, package_id: str, fingerprint: str,
            batches: list[list[Tokens]]) -> list[list[Tokens]]:
        for package in self.store.best().values():
            if package.id == package_id:
                break
        else:
            raise RuntimeError(f"{package_id} is not installed in {self.store.dir} on "
                               f"{ray.util.get_node_ip_address()}: install it on every node")
        if package.fingerprint() != fingerprint:
            raise RuntimeError(f"{package_id} on {ray.util.get_node_ip_address()} differs "
                               "from the driver's copy: install the same file on every node")
        model = load_model(package, self.options)
        return [wait() for wait in decode_batch(model, batches, self.options)]


@dataclass
class RayEngine(Engine):
    """The driver side: routes, cache, tokens and batch plan here; decoding in the actors."""

    actors: list[Any] = field(default_factory=list)
    _sp: dict[str, LoadedModel] = field(default_factory=dict, repr=False)
    _calls: int = field(default=0, repr=False)

    def model(self, package: Any) -> LoadedModel:
        """Only the SentencePiece model (tokens and the plan); no translator."""
        loaded = self._sp.get(package.id)
        if loaded is None:
            import sentencepiece

            sp = sentencepiece.SentencePieceProcessor(model_file=str(package.sp_model))
            loaded = LoadedModel(package, None, sp, f"{package.id}@{package.fingerprint()}", 0.0)
            self._sp[package.id] = loaded
        self.loaded[package.id] = loaded
        return loaded

    def _decode(self, model: LoadedModel, batches: list[list[Tokens]]) -> list[Waiter]:
        """Groups of batches round-robin over the actors, all queued at once."""
        package = model.package
        fingerprint = package.fingerprint()
        waiters: list[Waiter] = []
        for start in range(0, len(batches), BATCHES_PER_CALL):
            group = batches[start:start + BATCHES_PER_CALL]
            actor = self.actors[self._calls % len(self.actors)]
            self._calls += 1
            ref = actor.run.remote(package.id, fingerprint, group)
            box: dict[str, list[list[Tokens]]] = {}

            def fetch(i: int, ref: Any = ref, box: dict[str, Any] = box) -> list[Tokens]:
                if "out" not in box:
                    box["out"] = ray.get(ref)
                return box["out"][i]

            waiters += [lambda i=i, fetch=fetch: fetch(i) for i in range(len(group))]
        return waiters

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
        actors = [TranslatorActor.options(num_gpus=1).remote(str(store.dir), options)
                  for _ in range(gpus)]
    else:
        nodes = max(1, sum(1 for n in ray.nodes() if n.get("Alive")))
        actors = [TranslatorActor.options(scheduling_strategy="SPREAD")
                  .remote(str(store.dir), options) for _ in range(nodes)]
    return RayEngine(store, options, cache, pivot=pivot, actors=actors)
