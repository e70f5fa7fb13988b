"""The pipeline as one lazy stream: per-document runs of steps on the executor, corpus-wide
steps in this process, in order.

:func:`stream` is what ``corpus build`` runs for each shard, and what :func:`process`
runs when documents are wanted in memory instead of in OUT (``corpus audit`` of raw
inputs, the Python API): one code path, so both see the same documents.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence

from corpus.config import Pipeline
from corpus.errors import ConfigError
from corpus.ingest import InputRef, expand_inputs
from corpus.records import Document
from corpus.registry import Step, base_name
from corpus.run.local import Executor

Wrap = Callable[[str, Iterable[Document]], Iterator[Document]]


def step_groups(steps: Sequence[Step]) -> list[tuple[int, int, bool]]:
    """The steps cut into runs: (first, last, per_document)."""
    out: list[tuple[int, int, bool]] = []
    for i, step in enumerate(steps):
        if out and out[-1][2] and step.per_document:
            out[-1] = (out[-1][0], i + 1, True)
        else:
            out.append((i, i + 1, step.per_document))
    return out


def _label(steps: Sequence[Step]) -> str:
    return "+".join(base_name(s.name) for s in steps)


def stream(
    executor: Executor,
    source: Sequence[InputRef] | Iterable[Document],
    on_input: Callable[[], None] = lambda: None,
    wrap: Wrap | None = None,
) -> Iterator[Document]:
    """Every step of ``executor.steps`` over *source* (input references to read, or
    documents already read); *wrap(label, docs)* may time each stage."""
    steps = executor.steps
    wrapped: Wrap = wrap or (lambda _label, docs: iter(docs))
    groups = step_groups(steps)
    first, last, per_doc = groups[0] if groups else (0, 0, True)
    lead = (first, last) if per_doc else (0, 0)
    rest = groups[1:] if per_doc else groups
    if isinstance(source, Sequence) and all(isinstance(r, InputRef) for r in source):
        docs = executor.read(source, *lead, on_input)  # type: ignore[arg-type]
        label = "read+" + _label(steps[first:last]) if per_doc and last > first else "read"
    else:
        docs = executor.map(source, *lead)  # type: ignore[arg-type]
        label = _label(steps[first:last]) if per_doc else "documents"
    docs = wrapped(label, docs)
    for first, last, per_doc in rest:
        docs = executor.map(docs, first, last) if per_doc else steps[first](docs)
        docs = wrapped(_label(steps[first:last]), docs)
    return docs


def process(
    source: Sequence[str] | Iterable[Document],
    pipe: Pipeline,
    *,
    skip: Collection[str] = (),
) -> Iterator[Document]:
    """Documents of *source* (input specs as ``corpus build`` takes them, or documents)
    after *pipe*'s steps, in this process, nothing written.

    *skip* names steps (bare names) to leave out, e.g. ``{"translate"}`` to stop at
    detection. Steps are prepared before the first document and closed after the last.
    """
    steps = [s for s in pipe.steps if base_name(s.name) not in skip]
    if isinstance(source, (str, bytes)):
        raise TypeError("process() takes a list of input specs or documents, not one string")
    items = list(source) if isinstance(source, Sequence) else source
    if isinstance(items, list) and items and all(isinstance(s, str) for s in items):
        refs = expand_inputs(items, follow_symlinks=pipe.input.follow_symlinks)
        if not refs:
            raise ConfigError(f"no inputs found in {', '.join(items)}")
        feed: Sequence[InputRef] | Iterable[Document] = refs
    else:
        feed = items
    executor = Executor(steps, pipe.input)
    for step in steps:
        step.prepare()
        step.attach(executor.context(None, base_name(step.name)))
    try:
        yield from stream(executor, feed)
    finally:
        for step in steps:
            step.close()
