"""A run's own files in ``OUT/.corpus-state/``: checkpoints, the final state, a commit marker.

* ``checkpoint.pkl`` – written after every shard of a run; ``--resume`` continues from it.
* ``state.pkl`` – the state after the last shard, kept so ``--append`` can add inputs
  with dedup and counts that see the whole corpus.
* ``committing`` – present while staged files are moved into OUT; it names the staging
  folder, and a ``--resume`` that finds it completes the move (roll forward).

A state is a dict: the format version, the resolved pipeline, a fingerprint of the inputs,
the shards done, the staging folder, the writer's snapshot and every step's
``Step.state()``; the final state also describes every file it continues (size, line
count, sha256), so ``--append`` can tell that OUT still holds what the state describes
(:mod:`corpus.run.checks`). On disk it is one header line, ``corpus-state 3
sha256=<hex>``, and the pickled dict: the checksum is verified before anything is
unpickled, so a garbled file is an error that names it, never a ``UnicodeDecodeError``
from deep inside pickle. Indexes that spilled to disk live beside these files and are
named, not copied, by them.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from corpus.ingest import InputRef

if TYPE_CHECKING:
    from corpus.config import Pipeline

STATE_DIR = ".corpus-state"
CHECKPOINT = "checkpoint.pkl"  # during a run
FINAL_STATE = "state.pkl"  # after a run, for --append
COMMITTING = "committing"  # present while staged files are being moved into OUT
# 2: dedup/repeated_lines/near_dedup indexes are RunStore files
# 3: checksummed file; pipeline and inputs fingerprinted apart; staging folder named;
#    the final state describes the files it continues
STATE_VERSION = 3
MAGIC = b"corpus-state "
OLD_STAGING = ".staging-run"  # the one staging folder of versions before 3
_HEADER = len(MAGIC) + len(f"{STATE_VERSION} sha256=") + 64 + 1
KEYS = ("pipeline", "inputs", "shards_done", "staging", "writer", "steps", "worker_stats")


class StateUnusable(Exception):
    """A saved state that cannot be used; *reason* says why, *version* if it is another's."""

    def __init__(self, path: Path, reason: str, version: object = None) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
        self.version = version


class _HashingWriter:
    """A file object for ``pickle.dump`` that hashes what it writes."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.sha = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.sha.update(data)
        return self.fh.write(data)


class StateDir:
    """``OUT/.corpus-state``: where checkpoints are saved and read back."""

    def __init__(self, out: Path) -> None:
        self.path = out / STATE_DIR

    def save(self, name: str, state: dict[str, Any]) -> None:
        """Write *state* as *name*, atomically (a crash leaves the previous one)."""
        self.path.mkdir(parents=True, exist_ok=True)
        tmp = self.path / f"{name}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(b"\0" * _HEADER)
            body = _HashingWriter(fh)
            pickle.dump({"version": STATE_VERSION, **state}, body,
                        protocol=pickle.HIGHEST_PROTOCOL)
            fh.seek(0)
            fh.write(_header(body.sha.hexdigest()))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path / name)

    def exists(self, name: str) -> bool:
        return (self.path / name).is_file()

    def read(self, name: str) -> dict[str, Any] | None:
        """The state saved as *name*; None if there is none.

        Raises :class:`StateUnusable` for a file that is damaged (checksum, pickle, a key
        missing) or was written by another version of corpus.
        """
        path = self.path / name
        try:
            fh = open(path, "rb")  # noqa: SIM115 - closed below
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StateUnusable(path, f"cannot be read ({exc.strerror})") from None
        with fh:
            head = fh.read(_HEADER)
            if not head.startswith(MAGIC):
                raise StateUnusable(path, *_older(head + fh.read()))
            try:
                version = int(head[len(MAGIC):].split(b" ", 1)[0])
            except ValueError:
                raise StateUnusable(path, "damaged (bad header)") from None
            if version != STATE_VERSION:
                raise StateUnusable(path, f"written by another corpus (state version "
                                    f"{version}, this one reads {STATE_VERSION})", version)
            sha = hashlib.sha256()
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                sha.update(chunk)
            if head != _header(sha.hexdigest()):
                raise StateUnusable(path, "damaged (checksum mismatch)")
            fh.seek(_HEADER)
            try:
                state = pickle.load(fh)
            except Exception as exc:  # the checksum held: a class that moved, say
                raise StateUnusable(path, f"cannot be loaded ({type(exc).__name__}: {exc})"
                                    ) from None
        missing = [k for k in KEYS if not isinstance(state, dict) or k not in state]
        if missing:
            raise StateUnusable(path, f"damaged (no {', '.join(missing)})")
        return state

    def discard(self, name: str) -> None:
        (self.path / name).unlink(missing_ok=True)

    # -- the commit marker -----------------------------------------------------------
    @property
    def committing(self) -> str | None:
        """The staging folder a commit that died half-way was moving, if any."""
        try:
            name = (self.path / COMMITTING).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        return name or OLD_STAGING

    def begin_commit(self, staging: str) -> None:
        marker = self.path / COMMITTING
        with open(marker, "w", encoding="utf-8") as fh:
            fh.write(staging + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def end_commit(self) -> None:
        self.discard(CHECKPOINT)
        (self.path / COMMITTING).unlink()


def _header(hexdigest: str) -> bytes:
    return MAGIC + f"{STATE_VERSION} sha256={hexdigest}\n".encode()


def _older(data: bytes) -> tuple[str, object]:
    """Why a file without our header cannot be used: an older version's, or garbage."""
    try:
        state = pickle.loads(data)
        version = state.get("version") if isinstance(state, dict) else None
    except Exception:
        return "damaged (not a corpus state file)", None
    if version is None:
        return "damaged (not a corpus state file)", None
    return (f"written by an older corpus (state version {version}, this one reads "
            f"{STATE_VERSION})", version)


def pipeline_print(pipe: Pipeline) -> dict[str, Any]:
    """What a run does: the resolved configuration, without where the file was (the same
    pipeline may be named by another path, or gain a comment)."""
    resolved = pipe.resolved()
    return json.loads(json.dumps({k: v for k, v in resolved.items()
                                  if k not in ("path", "sha256")}, sort_keys=True))


def inputs_print(refs: Sequence[InputRef]) -> str:
    """Identifies what a run reads: every input's name, size and mtime."""
    h = hashlib.sha256()
    for ref in refs:
        h.update(f"{ref.path}|{ref.problem}".encode("utf-8", "surrogateescape"))
        try:
            st = os.stat(ref.fspath) if ref.fspath else None
        except (OSError, ValueError):
            st = None
        h.update(f"|{st.st_size if st else -1}|{st.st_mtime_ns if st else -1}\n".encode())
    return h.hexdigest()
