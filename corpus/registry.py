"""What a step is, and the names pipeline files use for steps.

A step is a dataclass whose fields are its parameters (``corpus.config`` checks every key
and type of a ``[[steps]]`` table against them). It is registered under a versioned name,
``langid.v1``: the version changes when the step's output for the same input changes, and
the manifest records it, so a corpus says which behaviour built it. The bare name
(``langid``) is an alias for the current version, so pipeline files written earlier keep
working.

The built-in steps are found through :data:`BUILTIN`, a name → module catalogue imported
on first use: building a pipeline imports only the stages it names, and a stage whose
backend cannot be imported (a broken ctranslate2) is a clear error naming the import that
failed, not an unknown step.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from corpus.errors import ConfigError
from corpus.records import Document

# bare step name -> the module that registers it (imported on first use)
BUILTIN: dict[str, str] = {
    "normalize": "corpus.stages.normalize",
    "boilerplate": "corpus.stages.boilerplate.step",
    "langid": "corpus.stages.langid.step",
    "sentences": "corpus.stages.sentences.step",
    "segment": "corpus.stages.sentences.step",  # the name sentence splitting had before
    "dedup": "corpus.stages.dedup.exact",
    "repeated_lines": "corpus.stages.dedup.lines",
    "near_dedup": "corpus.stages.dedup.near",
    "sentence_dedup": "corpus.stages.dedup.sentences",
    "sentence_filter": "corpus.stages.filters.step",
    "pair_filter": "corpus.stages.filters.step",
    "document_filter": "corpus.stages.filters.step",
    "translate": "corpus.stages.translate.step",
}

STEPS: dict[str, type[Step]] = {}  # versioned name -> class
ALIASES: dict[str, str] = {}  # bare (or older) name -> versioned name of the current version


@dataclass(frozen=True)
class RunContext:
    """What the runner hands every step before a run (:meth:`Step.attach`).

    ``state_dir``: where a step may keep files that outlive the run (``OUT/.corpus-state``)
    and ``slot``, the step's own name there. ``translation_engine``: how this run's
    executor builds a translation engine (``None``: in this process); a Ray run hands the
    engine whose decoding runs in the cluster's actors.
    """

    state_dir: Path | None = None
    slot: str = ""
    translation_engine: Callable[..., Any] | None = None


class Step:
    """``Iterable[Document] -> Iterator[Document]``, configured by its dataclass fields.

    ``requires``/``provides`` name facts on the records (``"segment.lang"``); the
    pipeline checks the order when it is built. ``per_document`` steps only look at one
    document at a time, so any executor may run them in parallel; the others (dedup,
    translation) hold corpus-wide state and say so.

    ``transient`` names the attributes that belong to this process only (loaded models,
    open handles, where the state lives): they are neither saved in a checkpoint nor
    pickled to a worker, which gets them as ``None`` and builds its own.
    """

    name: ClassVar[str] = ""  # versioned: "langid.v1"
    requires: ClassVar[frozenset[str]] = frozenset()
    provides: ClassVar[frozenset[str]] = frozenset()
    per_document: ClassVar[bool] = True
    transient: ClassVar[frozenset[str]] = frozenset()

    def __call__(self, docs: Iterable[Document]) -> Iterator[Document]:
        for doc in docs:
            if doc.kept:
                self.process(doc)
            yield doc

    def process(self, doc: Document) -> None:  # pragma: no cover - abstract
        """Update one kept document in place."""
        raise NotImplementedError

    def stats(self) -> dict[str, Any]:
        """Counters for the manifest; steps that count things override this."""
        return {}

    def prepare(self) -> None:
        """Load what the step needs (models, word lists) before any work starts.

        Called once in the main process before worker processes are forked, so the
        workers share the loaded data copy-on-write instead of each loading their own.
        """

    def attach(self, context: RunContext) -> None:
        """Take what the runner hands this step for the run (see :class:`RunContext`)."""

    def close(self) -> None:
        """Release resources (models, caches) once the stream is exhausted."""

    def state(self) -> dict[str, Any]:
        """What a checkpoint must save for ``--resume``/``--append``: all but the parameters.

        Corpus-wide steps keep their memory (dedup index, line counts, counters) in
        such fields, so a resumed run continues exactly where the interrupted one stood.
        """
        params = {f.name for f in dataclasses.fields(self) if f.init}  # type: ignore[arg-type]
        return {
            key: value
            for key, value in vars(self).items()
            if key not in params and key not in self.transient
        }

    def restore(self, state: dict[str, Any]) -> None:
        for key, value in state.items():
            setattr(self, key, value)

    def __getstate__(self) -> dict[str, Any]:
        if not self.transient:
            return self.__dict__
        return {k: None if k in self.transient else v for k, v in self.__dict__.items()}

    # -- per-document work done ahead, in the workers (see corpus.run.worker) ----------
    @property
    def prehash_key(self) -> str:
        """Non-empty for a corpus-wide step with a :meth:`prehash`: the key its value is
        stored under in ``Document.hashes`` (parameters that change the value belong in it)."""
        return ""

    def prehash(self, doc: Document) -> Any:  # pragma: no cover - only with prehash_key
        """What this corpus-wide step needs of *doc*, a pure function of the document,
        computed by whoever runs the per-document steps before it."""
        raise NotImplementedError

    def prehashed(self, doc: Document) -> Any:
        """The value :meth:`prehash` stored for *doc*, or None (compute it here then)."""
        return doc.hashes.get(self.prehash_key) if doc.hashes else None


# Segments a batch may hold before it is decided: well above a batch of web pages (256
# of ~70 segments), so only the parts of huge documents make batches shorter: one 4 MB
# part (about 60,000 segments, 42 MB as objects) fills a batch alone, where at 100,000
# two were held. Every batch step decides with sequential semantics, so where a batch
# ends changes no outcome.
BATCH_SEGMENTS = 50_000


class BatchStep(Step):
    """A corpus-wide step that decides a batch of documents at a time.

    Looking keys up in an index (numpy, maybe on disk) costs per call, not per key, so
    dedup-like steps gather ``batch_len()`` documents and decide them together, keeping
    the sequential semantics inside ``decide`` (a document may duplicate one earlier in
    its own batch). Documents come out in the order they came in.
    """

    per_document: ClassVar[bool] = False

    def batch_len(self) -> int:
        return 256

    def __call__(self, docs: Iterable[Document]) -> Iterator[Document]:
        size = self.batch_len()
        batch: list[Document] = []
        held = 0
        for doc in docs:
            batch.append(doc)
            held += len(doc.segments)
            # bounded in segments too: 256 parts of one 200 MB document held every
            # segment and sentence of it here at once (2.3 GB in the main process)
            if len(batch) >= size or held >= BATCH_SEGMENTS:
                yield from self.decide(batch)
                batch, held = [], 0
        yield from self.decide(batch)

    def decide(self, batch: list[Document]) -> list[Document]:  # pragma: no cover
        """Decide *batch* (in place) and return it."""
        raise NotImplementedError


def register(name: str, *, version: int, aliases: tuple[str, ...] = ()):
    """Class decorator: make a ``Step`` dataclass available as ``<name>.v<version>``.

    The bare *name* and each of *aliases* then mean this version.
    """

    def deco(cls: type[Step]) -> type[Step]:
        full = f"{name}.v{version}"
        if full in STEPS:
            raise ValueError(f"step {full!r} registered twice")
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"step {full!r} must be a dataclass")
        cls.name = full
        STEPS[full] = cls
        for alias in (name, *aliases):
            current = ALIASES.get(alias)
            if current is None or _version(current) < version:
                ALIASES[alias] = full
        return cls

    return deco


_VERSIONED = re.compile(r"^(?P<bare>.+)\.v(?P<version>[0-9]+)$")


def _version(full: str) -> int:
    match = _VERSIONED.match(full)
    return int(match["version"]) if match else 0


def base_name(name: str) -> str:
    """``langid.v1`` → ``langid`` (a bare name stays as it is)."""
    match = _VERSIONED.match(name)
    return match["bare"] if match else name


def get_step(name: str) -> type[Step]:
    """The step class a pipeline file means by *name* (bare, alias or versioned)."""
    bare = base_name(name)
    _load(bare)
    full = ALIASES.get(name, name)
    if full in STEPS:
        return STEPS[full]
    if bare in ALIASES:
        raise ConfigError(
            f"step {name!r} is not available in this version of corpus; "
            f"{bare!r} is now {ALIASES[bare]!r}"
        )
    for module in sorted(set(BUILTIN.values())):
        try:
            importlib.import_module(module)
        except ImportError:
            continue  # listing the alternatives must not fail on a broken backend
    raise ConfigError(f"unknown step {name!r}; available: {', '.join(sorted(ALIASES))}")


def _load(bare: str) -> None:
    module = BUILTIN.get(bare)
    if module is None:
        return
    try:
        importlib.import_module(module)
    except ImportError as exc:
        stage = module.split(".")[2]
        raise ConfigError(
            f"step {bare!r} cannot be used: the {stage} stage failed to import ({exc}); "
            "reinstall corpus (pip install --force-reinstall corpus) or repair that package"
        ) from None
