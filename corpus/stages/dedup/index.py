"""Bounded-memory indexes for the corpus-wide steps: sorted runs of 64-bit keys, spilled to disk.

``dedup``, ``repeated_lines`` and ``near_dedup`` remember something about every document
they have seen. Python dicts cost ~150-200 bytes an entry (a ``bytes`` key, a ``str``
value, the slot), so at 300k documents the exact-dedup dict alone held ~60 MB, and nothing
bounded it. :class:`RunStore` holds the same facts as **sorted runs** of ``uint64`` keys
with fixed-width values (16 bytes an entry for a key and a document id, 12 for a key and
an ordinal), an LSM tree in numpy:

* a batch of new entries becomes one sorted run; the runs form a binary counter (the newest
  is merged into the one before while it is at least half its size), so there are at most
  log2(n) runs and an entry is rewritten O(log n) times;
* look-ups come in batches too (one batch of documents), answered per run by
  ``searchsorted`` at C speed: the main process, whose time is the serial part of a
  ``--workers N`` run, does no per-key Python work;
* runs never change once written, so when the runs held in memory exceed the store's budget
  the largest ones move to disk *as they are* (two raw files, keys and values, plus one key
  in :data:`FENCE` kept in memory to find the block to read). Where a run lives never
  changes which runs exist, so every answer, and every decision taken on it, is the same
  with any budget; ``tests/test_hashindex.py`` checks that with a budget of a few KB.
* checkpoints (``Step.state()``) pickle the runs held in memory and only *name* the files,
  which are immutable: a resumed or appended run reads them back, and no journal is needed.
  A file is deleted only once no saved state can name it any more.

Why not SQLite: one query per key (or a long ``IN`` list) costs microseconds of Python per
key in the main process, and its own transactions would have to be tied to our checkpoints;
sorted runs answer a batch in one call and are trivially consistent with a checkpoint.

:class:`RowStore` is the companion for fixed-width records addressed by ordinal (near-dup
signatures): an append-only file once memory is full.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import weakref
from pathlib import Path
from typing import Any

import numpy as np

MB = 1 << 20
FENCE = 512  # a disk run keeps one key in FENCE in memory (1/512 of its keys' bytes)
QUERY_CHUNK = 256  # disk look-ups: queries answered per gather of the blocks they need
MERGE_CHUNK = 1 << 20  # entries read from each run per step of a merge on disk
UNBOUNDED = 1 << 62

_HEX16 = re.compile(r"[0-9a-f]{16}")


def id_to_int(doc_id: str) -> int | None:
    """The 64-bit number a document id spells (ingest's ids are 16 hex digits), else None."""
    return int(doc_id, 16) if len(doc_id) == 16 and _HEX16.fullmatch(doc_id) else None


def int_to_id(value: int) -> str:
    return f"{value:016x}"


def budget_bytes(memory_mb: float) -> int:
    """``memory_mb`` as bytes; 0 or less means no bound (everything stays in memory)."""
    return int(memory_mb * MB) if memory_mb > 0 else UNBOUNDED


class SpillDir:
    """Where one index spills: ``BASE/<slot>.<token>/``, created on first use.

    ``BASE`` is ``OUT/.corpus-state`` (the runner attaches it). A fresh token per run keeps
    a fresh run from touching the files of the finished run it replaces, whose
    ``state.pkl`` still names them until the new run completes; the token is part of the
    saved state, so ``--resume`` and ``--append`` find the files again. Without a base (a
    step or index used outside ``corpus build``) the files go to a temporary folder that
    is removed with the index.
    """

    def __init__(self, slot: str = "index") -> None:
        self.slot = slot
        self.dirname: str | None = None
        self.base: Path | None = None
        self._tmp: str | None = None

    def attach(self, base: Path | None, slot: str | None = None) -> None:
        self.base = base
        if slot is not None and self.dirname is None:
            self.slot = slot

    @property
    def exists(self) -> bool:
        root = self._root()
        return self.dirname is not None and root is not None and (root / self.dirname).is_dir()

    def _root(self) -> Path | None:
        if self.base is not None:
            return self.base
        return Path(self._tmp) if self._tmp is not None else None

    def path(self, name: str = "") -> Path:
        """The folder (created if needed), or a file in it."""
        if self.dirname is None:
            self.dirname = f"{self.slot}.{secrets.token_hex(4)}"
        root = self._root()
        if root is None:
            self._tmp = tempfile.mkdtemp(prefix="corpus-index-")
            weakref.finalize(self, shutil.rmtree, self._tmp, True)
            root = Path(self._tmp)
        folder = root / self.dirname
        folder.mkdir(parents=True, exist_ok=True)
        return folder / name if name else folder

    def remove_others(self) -> None:
        """Delete this slot's folders from earlier runs (their state has been replaced)."""
        if self.base is None or not self.base.is_dir():
            return
        for other in self.base.glob(f"{self.slot}.*"):
            if other.name != self.dirname and other.is_dir():
                shutil.rmtree(other, ignore_errors=True)

    def __getstate__(self) -> dict[str, Any]:
        return {"slot": self.slot, "dirname": self.dirname}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.slot = state["slot"]
        self.dirname = state["dirname"]
        self.base = None
        self._tmp = None


def merge_sorted(
    k1: np.ndarray, v1: np.ndarray, k2: np.ndarray, v2: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Merge two sorted runs in O(n) without an argsort's 8-byte-per-key temporary.

    Equal keys keep the first (older) run's entries first.
    """
    at = np.searchsorted(k1, k2, side="right") + np.arange(len(k2))
    keys = np.empty(len(k1) + len(k2), dtype=k1.dtype)
    vals = np.empty(len(keys), dtype=v1.dtype)
    rest = np.ones(len(keys), dtype=bool)
    rest[at] = False
    keys[at], vals[at] = k2, v2
    keys[rest], vals[rest] = k1, v1
    return keys, vals


def _last_of_equal(keys: np.ndarray, vals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Of each group of equal keys (sorted, oldest first) keep the newest entry."""
    if len(keys) < 2:
        return keys, vals
    keep = np.ones(len(keys), dtype=bool)
    keep[:-1] = keys[1:] != keys[:-1]
    return keys[keep], vals[keep]


class _MemRun:
    __slots__ = ("keys", "vals")

    def __init__(self, keys: np.ndarray, vals: np.ndarray) -> None:
        self.keys, self.vals = keys, vals

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def nbytes(self) -> int:
        return int(self.keys.nbytes + self.vals.nbytes)


class _DiskRun:
    __slots__ = ("fence", "n", "name")

    def __init__(self, name: str, n: int, fence: np.ndarray) -> None:
        self.name, self.n, self.fence = name, n, fence

    def __len__(self) -> int:
        return self.n

    @property
    def nbytes(self) -> int:
        return int(self.fence.nbytes)


Run = _MemRun | _DiskRun


class RunStore:
    """``uint64`` keys with fixed-width values, in sorted runs, within a memory budget.

    ``unique=True``: a map, the newest value of a key wins (:meth:`get`). ``unique=False``:
    a multimap that keeps every entry, oldest first within a key (:meth:`candidates`).
    """

    def __init__(
        self,
        *,
        unique: bool,
        value_dtype: Any,
        memory_bytes: int = UNBOUNDED,
        spill: SpillDir | None = None,
        prefix: str = "runs",
    ) -> None:
        self.unique = unique
        self.value_dtype = np.dtype(value_dtype)
        self.memory_bytes = memory_bytes
        self.spill = spill if spill is not None else SpillDir()
        self.prefix = prefix
        self._runs: list[Run] = []
        self._counter = 0
        self._init_files(set())

    def _init_files(self, restored: set[str]) -> None:
        self._restored = restored  # named by the state this store was restored from
        self._last_saved: set[str] = set()  # named by the latest checkpoint
        self._obsolete: set[str] = set()  # merged away, but a saved state may name them

    # -- sizes ----------------------------------------------------------------------
    def __len__(self) -> int:
        """Entries held, shadowed ones included."""
        return sum(len(r) for r in self._runs)

    @property
    def nbytes(self) -> int:
        """Bytes held in memory (runs in memory, and the fences of runs on disk)."""
        return sum(r.nbytes for r in self._runs)

    @property
    def disk_runs(self) -> int:
        return sum(isinstance(r, _DiskRun) for r in self._runs)

    # -- writing --------------------------------------------------------------------
    def add(self, keys: np.ndarray, vals: np.ndarray) -> None:
        """One batch of entries (for a map: the newest value of each key wins)."""
        keys = np.asarray(keys, dtype=np.uint64)
        vals = np.asarray(vals, dtype=self.value_dtype)
        if not len(keys):
            return
        order = np.argsort(keys, kind="stable")
        k, v = keys[order], vals[order]
        if self.unique:
            k, v = _last_of_equal(k, v)
        self._runs.append(_MemRun(k, v))
        while len(self._runs) > 1 and len(self._runs[-1]) * 2 >= len(self._runs[-2]):
            newer, older = self._runs.pop(), self._runs.pop()
            self._runs.append(self._merge(older, newer))
        self._fit()

    def _merge(self, older: Run, newer: Run) -> Run:
        if isinstance(older, _MemRun) and isinstance(newer, _MemRun):
            k, v = merge_sorted(older.keys, older.vals, newer.keys, newer.vals)
            if self.unique:
                k, v = _last_of_equal(k, v)
            return _MemRun(k, v)
        merged = self._merge_to_disk(older, newer)
        self._retire(older)
        self._retire(newer)
        return merged

    def _fit(self) -> None:
        """Move the largest runs held in memory to disk until the budget holds."""
        while self.nbytes > self.memory_bytes:
            in_memory = [i for i, r in enumerate(self._runs) if isinstance(r, _MemRun)]
            if not in_memory:
                return
            i = max(in_memory, key=lambda j: len(self._runs[j]))
            run = self._runs[i]
            assert isinstance(run, _MemRun)
            self._runs[i] = self._write(run)

    def _new_name(self) -> str:
        name = f"{self.prefix}-{self._counter:06d}"
        self._counter += 1
        return name

    def _file(self, name: str, part: str) -> Path:
        return self.spill.path(f"{name}.{part}")

    def _write(self, run: _MemRun) -> _DiskRun:
        name = self._new_name()
        for part, array in (("keys", run.keys), ("vals", run.vals)):
            with open(self._file(name, part), "wb") as fh:
                array.tofile(fh)
                fh.flush()
                os.fsync(fh.fileno())
        return _DiskRun(name, len(run), run.keys[::FENCE].copy())

    def _slice(self, run: Run, start: int, stop: int) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(run, _MemRun):
            return run.keys[start:stop], run.vals[start:stop]
        count = max(stop - start, 0)
        keys = np.fromfile(self._file(run.name, "keys"), dtype=np.uint64, count=count,
                           offset=start * 8)
        vals = np.fromfile(self._file(run.name, "vals"), dtype=self.value_dtype, count=count,
                           offset=start * self.value_dtype.itemsize)
        return keys, vals

    def _merge_to_disk(self, older: Run, newer: Run) -> _DiskRun:
        """Stream two runs (one at least on disk) into a new disk run, chunk by chunk.

        Each step emits every entry below the smaller of the two chunks' last keys, so
        equal keys of both runs always leave in the same step (older first).
        """
        name = self._new_name()
        na, nb = len(older), len(newer)
        ia = ib = written = 0
        step = MERGE_CHUNK
        fences: list[np.ndarray] = []
        with open(self._file(name, "keys"), "wb") as fk, open(self._file(name, "vals"), "wb") as fv:
            while ia < na or ib < nb:
                ka, va = self._slice(older, ia, min(na, ia + step))
                kb, vb = self._slice(newer, ib, min(nb, ib + step))
                bound = None
                if ia + len(ka) < na:
                    bound = ka[-1]
                if ib + len(kb) < nb:
                    bound = kb[-1] if bound is None else min(bound, kb[-1])
                if bound is None:
                    ta, tb = len(ka), len(kb)
                else:
                    ta = int(np.searchsorted(ka, bound, side="left"))
                    tb = int(np.searchsorted(kb, bound, side="left"))
                if ta == 0 and tb == 0:  # both chunks start with one long run of a key
                    step *= 2
                    continue
                step = MERGE_CHUNK
                k, v = merge_sorted(ka[:ta], va[:ta], kb[:tb], vb[:tb])
                if self.unique:
                    k, v = _last_of_equal(k, v)
                first = -written % FENCE
                fences.append(k[first::FENCE])
                k.tofile(fk)
                v.tofile(fv)
                written += len(k)
                ia += ta
                ib += tb
            for fh in (fk, fv):
                fh.flush()
                os.fsync(fh.fileno())
        fence = np.concatenate(fences) if fences else np.empty(0, np.uint64)
        return _DiskRun(name, written, fence)

    # -- reading --------------------------------------------------------------------
    def _disk_ranges(self, run: _DiskRun, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``[lo, hi)`` of each query key in *run*, with ``hi`` exact up to ``lo + FENCE``.

        The fence says in which block a key's first entry lies; the two blocks from there
        are gathered (a few pages each), and the entries below / equal to the key counted.
        Queries go in sorted chunks and the file is mapped per chunk, so what is read is
        released at once instead of accumulating in the process's memory.
        """
        lo = np.empty(len(q), dtype=np.int64)
        hi = np.empty(len(q), dtype=np.int64)
        order = np.argsort(q, kind="stable")
        cols = np.arange(2 * FENCE)
        path = self._file(run.name, "keys")
        for s in range(0, len(q), QUERY_CHUNK):
            idx = order[s : s + QUERY_CHUNK]
            qq = q[idx]
            block = np.maximum(np.searchsorted(run.fence, qq, side="left") - 1, 0)
            blocks, inv = np.unique(block, return_inverse=True)
            pos = blocks[:, None] * FENCE + cols
            valid = pos < run.n
            mm = np.memmap(path, dtype=np.uint64, mode="r", shape=(run.n,))
            window = np.asarray(mm[np.minimum(pos, run.n - 1)])
            del mm
            win, ok = window[inv], valid[inv]
            below = ((win < qq[:, None]) & ok).sum(axis=1)
            equal = ((win == qq[:, None]) & ok).sum(axis=1)
            lo[idx] = blocks[inv] * FENCE + below
            hi[idx] = lo[idx] + equal
        return lo, hi

    def _ranges(self, run: Run, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(run, _MemRun):
            return (np.searchsorted(run.keys, q, side="left"),
                    np.searchsorted(run.keys, q, side="right"))
        return self._disk_ranges(run, q)

    def _values_at(self, run: Run, pos: np.ndarray) -> np.ndarray:
        if isinstance(run, _MemRun):
            return run.vals[pos]
        mm = np.memmap(self._file(run.name, "vals"), dtype=self.value_dtype, mode="r",
                       shape=(run.n,))
        out = np.asarray(mm[pos])
        del mm
        return out

    def get(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(found, values) for each key: the newest value, or found=False."""
        q = np.asarray(keys, dtype=np.uint64)
        found = np.zeros(len(q), dtype=bool)
        vals = np.zeros(len(q), dtype=self.value_dtype)
        todo = np.arange(len(q))
        for run in reversed(self._runs):
            if not len(todo):
                break
            lo, hi = self._ranges(run, q[todo])
            hit = hi > lo
            if hit.any():
                # the newest entry of a key within a run is its last (maps hold one)
                vals[todo[hit]] = self._values_at(run, hi[hit] - 1)
                found[todo[hit]] = True
                todo = todo[~hit]
        return found, vals

    def candidates(self, keys: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
        """Multimap look-up: (query index, value) pairs, at most *limit* per key per run."""
        assert limit <= FENCE, "disk look-ups read FENCE entries past a key's first"
        q = np.asarray(keys, dtype=np.uint64)
        qidx, found = [], []
        for run in self._runs:
            lo, hi = self._ranges(run, q)
            counts = np.minimum(hi - lo, limit)
            total = int(counts.sum())
            if not total:
                continue
            starts = np.repeat(lo, counts)
            offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
            qidx.append(np.repeat(np.arange(len(q)), counts))
            found.append(self._values_at(run, starts + offsets))
        if not qidx:
            return np.empty(0, np.int64), np.empty(0, self.value_dtype)
        return np.concatenate(qidx), np.concatenate(found)

    # -- files and checkpoints --------------------------------------------------------
    def _disk_names(self) -> set[str]:
        return {r.name for r in self._runs if isinstance(r, _DiskRun)}

    def _delete(self, name: str) -> None:
        for part in ("keys", "vals"):
            self._file(name, part).unlink(missing_ok=True)

    def _retire(self, run: Run) -> None:
        """A run merged away: delete its files unless a saved state still names them."""
        if isinstance(run, _DiskRun):
            if run.name in self._restored or run.name in self._last_saved:
                self._obsolete.add(run.name)
            else:
                self._delete(run.name)

    def mark_saved(self) -> None:
        """Called when a checkpoint is taken: files only older checkpoints named can go."""
        live = self._disk_names()
        keep = live | self._last_saved | self._restored
        for name in sorted(self._obsolete - keep):
            self._delete(name)
        self._obsolete &= keep
        self._last_saved = live

    def close(self) -> None:
        """After the final state is saved: delete every file of this store it does not name."""
        if not self.spill.exists:
            return
        live = self._disk_names()
        for path in self.spill.path().glob(f"{self.prefix}-*"):
            if path.stem not in live:
                path.unlink(missing_ok=True)
        self._obsolete.clear()

    def __getstate__(self) -> dict[str, Any]:
        runs = [
            ("mem", r.keys, r.vals) if isinstance(r, _MemRun) else ("disk", r.name, r.n, r.fence)
            for r in self._runs
        ]
        return {
            "unique": self.unique,
            "value_dtype": self.value_dtype.str,
            "memory_bytes": self.memory_bytes,
            "spill": self.spill,
            "prefix": self.prefix,
            "counter": self._counter,
            "runs": runs,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.unique = state["unique"]
        self.value_dtype = np.dtype(state["value_dtype"])
        self.memory_bytes = state["memory_bytes"]
        self.spill = state["spill"]
        self.prefix = state["prefix"]
        self._counter = state["counter"]
        self._runs = [
            _MemRun(r[1], r[2]) if r[0] == "mem" else _DiskRun(r[1], r[2], r[3])
            for r in state["runs"]
        ]
        self._init_files(self._disk_names())


class RowStore:
    """Fixed-width ``uint16`` rows addressed by ordinal, append-only, within a budget.

    Rows stay in memory until they exceed the budget; then they are appended to one file
    and read back by ordinal (a gather over a per-call mapping). A checkpoint names the
    number of rows on disk; a resumed run cuts the file back to it before appending, so
    rows a later, lost part of the run wrote are overwritten.
    """

    def __init__(
        self, width: int, memory_bytes: int = UNBOUNDED, spill: SpillDir | None = None,
        name: str = "rows",
    ) -> None:
        self.width = width
        self.memory_bytes = memory_bytes
        self.spill = spill if spill is not None else SpillDir()
        self.name = name
        self.n_disk = 0
        self._n_mem = 0
        self._mem = self._buffer(0)

    def __len__(self) -> int:
        return self.n_disk + self._n_mem

    def _buffer(self, rows: int) -> np.ndarray:
        """Room for *rows*, and at first for up to 1024 rows the budget allows."""
        room = min(1024, max(1, self.memory_bytes // (self.width * 2)))
        return np.empty((max(rows, room), self.width), dtype=np.uint16)

    @property
    def nbytes(self) -> int:
        return int(self._mem.nbytes)

    def _path(self) -> Path:
        return self.spill.path(f"{self.name}.bin")

    def append(self, rows: np.ndarray) -> None:
        end = self._n_mem + len(rows)
        if end > len(self._mem):
            grown = np.empty((max(end, len(self._mem) * 3 // 2), self.width), np.uint16)
            grown[: self._n_mem] = self._mem[: self._n_mem]
            self._mem = grown
        self._mem[self._n_mem : end] = rows
        self._n_mem = end
        if self._n_mem * self.width * 2 > self.memory_bytes:
            self._flush()

    def _flush(self) -> None:
        path = self._path()
        with open(path, "r+b" if path.exists() else "wb") as fh:
            fh.seek(self.n_disk * self.width * 2)
            self._mem[: self._n_mem].tofile(fh)
            fh.truncate()
            fh.flush()
            os.fsync(fh.fileno())
        self.n_disk += self._n_mem
        self._n_mem = 0
        self._mem = self._buffer(0)

    def take(self, ordinals: np.ndarray) -> np.ndarray:
        """The rows at *ordinals*, in that order."""
        ordinals = np.asarray(ordinals, dtype=np.int64)
        out = np.empty((len(ordinals), self.width), dtype=np.uint16)
        on_disk = ordinals < self.n_disk
        if on_disk.any():
            mm = np.memmap(self._path(), dtype=np.uint16, mode="r",
                           shape=(self.n_disk, self.width))
            out[on_disk] = mm[ordinals[on_disk]]
            del mm
        in_mem = ~on_disk
        out[in_mem] = self._mem[ordinals[in_mem] - self.n_disk]
        return out

    def close(self) -> None:
        pass  # the file is named by the final state; nothing else of this store is on disk

    def __getstate__(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "memory_bytes": self.memory_bytes,
            "spill": self.spill,
            "name": self.name,
            "n_disk": self.n_disk,
            "mem": self._mem[: self._n_mem].copy(),
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.width = state["width"]
        self.memory_bytes = state["memory_bytes"]
        self.spill = state["spill"]
        self.name = state["name"]
        self.n_disk = state["n_disk"]
        mem = state["mem"]
        self._n_mem = len(mem)
        self._mem = self._buffer(len(mem))
        self._mem[: self._n_mem] = mem


class OwnsRunStore:
    """Mixin for a corpus-wide step whose index is one :class:`RunStore`, ``self.<store_attr>``.

    The runner's :class:`~corpus.registry.RunContext` says where the index may spill; a
    checkpoint names the store's files (``mark_saved`` before the step's state is taken),
    a restore re-attaches them, and closing the step removes files that no saved state
    names any more. The step lists ``_state_base`` among its transient fields.
    """

    store_attr: str = "_index"
    _state_base: Path | None

    def _store(self) -> RunStore:
        return getattr(self, self.store_attr)

    def attach(self, context: Any) -> None:
        """Where the index spills: the runner's ``OUT/.corpus-state``, in the step's slot."""
        self._state_base = context.state_dir
        self._store().spill.attach(context.state_dir, context.slot)

    def state(self) -> dict[str, Any]:
        self._store().mark_saved()
        return super().state()  # type: ignore[misc]

    def restore(self, state: dict[str, Any]) -> None:
        super().restore(state)  # type: ignore[misc]
        self._store().spill.attach(self._state_base)

    def close(self) -> None:
        self._store().close()
        self._store().spill.remove_others()
