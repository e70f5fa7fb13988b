"""Steps registered under stable names, so a pipeline file can name them.

A step is a class whose dataclass fields are its parameters. The pipeline loader checks
every key and type against those fields, so ``min_wrods = 3`` is an error that names the
key and the file, never a silently ignored typo.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from corpus.errors import ConfigError
from corpus.records import Document

STEPS: dict[str, type[Step]] = {}


class Step:
    """``Iterable[Document] -> Iterator[Document]``, configured by its dataclass fields.

    ``requires``/``provides`` name facts on the records (``"segment.lang"``); the
    pipeline checks the order when it is built. ``per_document`` steps only look at one
    document at a time, so any executor may run them in parallel; the others (dedup,
    translation) hold corpus-wide state and say so.
    """

    name: ClassVar[str] = ""
    requires: ClassVar[frozenset[str]] = frozenset()
    provides: ClassVar[frozenset[str]] = frozenset()
    per_document: ClassVar[bool] = True
    # non-init fields that must not be saved in a checkpoint (loaded models, handles)
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

    # -- per-document work done ahead, in the workers (see corpus.executors) -----------
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
        for doc in docs:
            batch.append(doc)
            if len(batch) >= size:
                yield from self.decide(batch)
                batch = []
        yield from self.decide(batch)

    def decide(self, batch: list[Document]) -> list[Document]:  # pragma: no cover
        """Decide *batch* (in place) and return it."""
        raise NotImplementedError


def register(name: str):
    """Class decorator: make a ``Step`` dataclass available to pipeline files as *name*."""

    def deco(cls: type[Step]) -> type[Step]:
        if name in STEPS:
            raise ValueError(f"step {name!r} registered twice")
        if not dataclasses.is_dataclass(cls):
            raise TypeError(f"step {name!r} must be a dataclass")
        cls.name = name
        STEPS[name] = cls
        return cls

    return deco


def get_step(name: str) -> type[Step]:
    import corpus.steps  # noqa: F401  (registers the built-in steps)

    if name not in STEPS:
        raise ConfigError(f"unknown step {name!r}; available: {', '.join(sorted(STEPS))}")
    return STEPS[name]


def _type_ok(value: Any, annotation: Any) -> bool:
    if annotation is Any:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(_type_ok(value, arg) for arg in typing.get_args(annotation))
    if annotation is type(None):
        return value is None
    if origin in (list, tuple, frozenset, set):
        if not isinstance(value, (list, tuple)):
            return False
        args = typing.get_args(annotation)
        return not args or all(_type_ok(v, args[0]) for v in value)
    if origin is dict:
        return isinstance(value, dict)
    if origin is typing.Literal:
        return value in typing.get_args(annotation)
    if annotation is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(annotation, type):
        return isinstance(value, annotation)
    return True


def build_step(spec: dict[str, Any], *, where: str) -> Step:
    """Instantiate one ``[[steps]]`` table; every error names the key and *where*."""
    spec = dict(spec)
    name = spec.pop("use", None)
    if not isinstance(name, str):
        raise ConfigError(f"{where}: every [[steps]] table needs `use = \"<step name>\"`")
    try:
        cls = get_step(name)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    for key, value in spec.items():
        if key not in fields:
            known = ", ".join(sorted(fields)) or "none"
            raise ConfigError(f"{where}: step {name!r} has no parameter {key!r} (known: {known})")
        if not _type_ok(value, hints.get(key, Any)):
            raise ConfigError(
                f"{where}: step {name!r} parameter {key!r} = {value!r} is not a valid "
                f"{_describe(hints.get(key, Any))}"
            )
        if isinstance(value, list) and typing.get_origin(hints.get(key)) is tuple:
            spec[key] = tuple(value)
    try:
        step = cls(**spec)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: step {name!r}: {exc}") from None
    return step


def _describe(annotation: Any) -> str:
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")
