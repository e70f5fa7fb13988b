"""What runs where the per-document steps run: a worker process, a Ray actor, or here.

A run of consecutive per-document steps goes over a stream of documents
(:func:`run_range`); after it, the per-document part of the corpus-wide steps that follow
(``prehash``: a dedup key, line keys, a MinHash signature) is computed on the spot and
carried in ``Document.hashes``, so the main process only looks keys up. After the last
per-document step ``Document.text`` (the decoded original) is released: it is neither
carried through the corpus-wide steps nor pickled back from a worker, and every executor
releases it at the same point, so the output never depends on the executor.

A worker process is set up once with the pipeline's steps (:func:`init_worker`) and runs
chunks with fresh copies of them (:func:`run_chunk`), returning each step's counters for
the chunk; the main process adds them up (:func:`corpus.run.manifest.merge_stats`).
"""

from __future__ import annotations

import copy
import gc
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from corpus.ingest import InputConfig, InputRef, read_input
from corpus.ingest.documents import SEGMENT_LATER, segmented
from corpus.ingest.pieces import Piece, read_piece
from corpus.records import Document
from corpus.registry import Step, base_name
from corpus.run.clock import Seconds, StageClock
from corpus.run.signals import worker_started

Stats = list[dict[str, Any]]


def apply_steps(
    steps: Sequence[Step],
    docs: Iterable[Document],
    *,
    release_text: bool = False,
    clock: StageClock | None = None,
) -> Iterator[Document]:
    stream: Iterable[Document] = docs
    for step in steps:
        stream = step(stream)
        if clock is not None:
            stream = clock.wrap(base_name(step.name), stream)
    return _released(stream) if release_text else iter(stream)


# A chunk of work: input files to read, or documents to process, and how many inputs
# it finishes (for the progress bar).
Task = tuple[list[InputRef | Piece] | None, list[Document] | None, int]
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


def with_prehashes(steps: Sequence[Step], docs: Iterable[Document]) -> Iterator[Document]:
    """*docs* with what *steps* (corpus-wide, with a ``prehash``) need of each stored."""
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
    clock: StageClock | None = None,
) -> Iterator[Document]:
    """Steps ``first..last-1`` over *docs* (*steps*: copies of them to run instead), then
    the ``prehash`` of the corpus-wide steps that follow; *clock* times each stage."""
    release = last == text_needed_until(all_steps)
    run = all_steps[first:last] if steps is None else steps
    stream = apply_steps(run, docs, release_text=release, clock=clock)
    ahead = prehash_steps(all_steps, last)
    if not ahead:
        return stream
    hashed = with_prehashes(ahead, stream)
    return clock.wrap("prehash", hashed) if clock is not None else hashed


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


# ---- a worker process's steps, set once by init_worker ------------------------------
_W_STEPS: list[Step] = []
_W_INPUT: InputConfig | None = None


# The collector's thresholds where documents are processed: every document is ~40 objects,
# none in a cycle, all freed by reference counting (see corpus.run.runner._YoungGarbageOnly).
YOUNG_GC = (100_000, 50, 50)


def init_worker(steps: list[Step], input_cfg: InputConfig, parent: int | None = None) -> None:
    """A pool worker's start: signals left to *parent*, death with it, the collector set as
    in the main process's loop, then the steps.

    The pool forks before the main process's loop freezes its objects, so a worker began
    with the default thresholds: its collector ran every 700 allocations and its full
    collections walked every object it inherited (the models, the steps): 1.34 against
    0.42 CPU s of collection on 4.9 MB of realistic text, measured with ``gc.callbacks``.
    Frozen here, what the fork inherited is never walked again. (Its memory did not
    change measurably: the workers' growth is their word tables and caches.)
    """
    global _W_STEPS, _W_INPUT
    gc.freeze()
    gc.set_threshold(*YOUNG_GC)
    if parent is not None:
        worker_started(parent)
    _W_STEPS = steps
    _W_INPUT = input_cfg


def read_item(item: InputRef | Piece, cfg: InputConfig) -> Iterator[Document]:
    """An input read whole, or one piece of a large one (``corpus.ingest.pieces``)."""
    return read_piece(item, cfg) if isinstance(item, Piece) else read_input(item, cfg)


def run_chunk(
    first: int, last: int, refs: list[InputRef | Piece] | None, docs: list[Document] | None
) -> tuple[list[Document], Stats, Seconds]:
    """Run steps ``first..last-1`` on *docs* (or on what *refs* read to): the documents,
    each step's counters and each stage's CPU seconds (:mod:`corpus.run.clock`)."""
    steps = [copy.deepcopy(s) for s in _W_STEPS[first:last]]
    cpu: Seconds = {}
    clock = StageClock(cpu)
    if refs is not None:
        assert _W_INPUT is not None
        source: Iterable[Document] = clock.wrap(
            "read", (d for ref in refs for d in read_item(ref, _W_INPUT)))
    else:
        assert _W_INPUT is not None
        source = [segmented(d, _W_INPUT) if SEGMENT_LATER in d.meta else d for d in docs or ()]
    out = list(run_range(_W_STEPS, first, last, source, steps, clock))
    return out, [s.stats() for s in steps], cpu
