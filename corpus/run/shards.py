"""Shards: consecutive inputs grouped so a run can checkpoint between them.

After each shard every step has emptied its buffers and the writer has flushed, so the
run saves a checkpoint; ``--resume`` continues with the next shard. A run holds every
shard from start to end, so shards are kept packed.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from corpus.ingest import InputRef, display_path


def input_size(ref: InputRef) -> int:
    """Bytes of *ref* on disk (0 for stdin or what cannot be stat'ed)."""
    try:
        return os.stat(ref.fspath).st_size if ref.fspath else 0
    except (OSError, ValueError):
        return 0


def shards(refs: Sequence[InputRef], shard_mb: float, shard_files: int) -> list[list[InputRef]]:
    """Consecutive inputs grouped up to *shard_mb* megabytes or *shard_files* files."""
    out: list[list[InputRef]] = []
    current: list[InputRef] = []
    size = 0
    for ref in refs:
        ref_size = input_size(ref)
        if current and (size + ref_size > shard_mb * 1e6 or len(current) >= shard_files):
            out.append(current)
            current, size = [], 0
        current.append(ref)
        size += ref_size
    if current:
        out.append(current)
    return out


class PackedShard:
    """A shard's inputs as one string of NUL-separated file names.

    A run holds every shard from start to end; as ``InputRef`` objects (an object and two
    strings each) 110k inputs took 25 MB, the largest thing in a 1 GB run's memory that
    grew with the corpus. A name can hold no NUL, and an input's shown ``path`` is
    ``display_path(fspath)``, so both come back exactly; the rare input that is not a
    plain file (stdin, an expansion problem) is kept as it is.
    """

    __slots__ = ("_n", "_names", "_others")

    def __init__(self, refs: Sequence[InputRef]) -> None:
        names: list[str] = []
        self._others: dict[int, InputRef] = {}
        for number, ref in enumerate(refs):
            plain = (ref.problem is None and ref.fspath is not None and "\0" not in ref.fspath
                     and ref.path == display_path(ref.fspath))
            if plain:
                names.append(ref.fspath)  # type: ignore[arg-type]
            else:
                names.append("")
                self._others[number] = ref
        self._names = "\0".join(names)
        self._n = len(refs)

    def __len__(self) -> int:
        return self._n

    def refs(self) -> list[InputRef]:
        names = self._names.split("\0") if self._n else []
        return [self._others.get(number) or InputRef.file(name)
                for number, name in enumerate(names)]
