"""A run's own files in ``OUT/.corpus-state/``: checkpoints, the final state, a commit marker.

* ``checkpoint.pkl`` – written after every shard of a run; ``--resume`` continues from it.
* ``state.pkl`` – the state after the last shard, kept so ``--append`` can add inputs
  with dedup and counts that see the whole corpus.
* ``committing`` – present while staged files are moved into OUT; a ``--resume`` that
  finds it completes the move (roll forward).

A state is a pickled dict: the format version, a fingerprint of the pipeline and the
inputs, the shards done, the writer's snapshot and every step's ``Step.state()``.
Indexes that spilled to disk live beside these files and are named, not copied, by them.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus.ingest import InputRef

if TYPE_CHECKING:
    from corpus.config import Pipeline

STATE_DIR = ".corpus-state"
CHECKPOINT = "checkpoint.pkl"  # during a run
FINAL_STATE = "state.pkl"  # after a run, for --append
COMMITTING = "committing"  # present while staged files are being moved into OUT
STATE_VERSION = 2  # 2: dedup/repeated_lines/near_dedup indexes are RunStore files


class StateDir:
    """``OUT/.corpus-state``: where checkpoints are saved and read back."""

    def __init__(self, out: Path) -> None:
        self.path = out / STATE_DIR

    def save(self, name: str, state: dict[str, Any]) -> None:
        """Write *state* as *name*, atomically (a crash leaves the previous one)."""
        self.path.mkdir(parents=True, exist_ok=True)
        tmp = self.path / f"{name}.tmp"
        with open(tmp, "wb") as fh:
            pickle.dump({"version": STATE_VERSION, **state}, fh,
                        protocol=pickle.HIGHEST_PROTOCOL)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path / name)

    def load(self, name: str) -> dict[str, Any] | None:
        """The state saved as *name* by this version of corpus, or None."""
        state = self.load_any(name)
        return state if state is not None and state.get("version") == STATE_VERSION else None

    def load_any(self, name: str) -> dict[str, Any] | None:
        """The state saved as *name* by any version, or None if there is none."""
        try:
            with open(self.path / name, "rb") as fh:
                state = pickle.load(fh)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
            return None
        return state if isinstance(state, dict) else None

    def discard(self, name: str) -> None:
        (self.path / name).unlink(missing_ok=True)

    # -- the commit marker -----------------------------------------------------------
    @property
    def committing(self) -> bool:
        return (self.path / COMMITTING).exists()

    def begin_commit(self) -> None:
        (self.path / COMMITTING).touch()

    def end_commit(self) -> None:
        self.discard(CHECKPOINT)
        (self.path / COMMITTING).unlink()


def fingerprint(pipe: Pipeline, refs: Sequence[InputRef]) -> str:
    """Identifies a run: the pipeline and every input's name, size and mtime."""
    h = hashlib.sha256(pipe.sha256.encode())
    h.update(json.dumps(pipe.resolved(), sort_keys=True).encode())
    for ref in refs:
        h.update(f"{ref.path}|{ref.problem}".encode("utf-8", "surrogateescape"))
        try:
            st = os.stat(ref.fspath) if ref.fspath else None
        except (OSError, ValueError):
            st = None
        h.update(f"|{st.st_size if st else -1}|{st.st_mtime_ns if st else -1}\n".encode())
    return h.hexdigest()
