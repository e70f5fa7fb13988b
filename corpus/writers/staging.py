"""Atomic output directories: write everything under a staging folder, then swap it in.

An interrupted run (Ctrl-C, kill -9, a full disk) leaves OUT exactly as it was before
the run, plus at most a stale ``.staging-*`` folder that the next run removes. Readers
never see a half-written ``sentences.jsonl``.

Every run stages into a folder of its own (``.staging-<pid>-<random>``), so two writers
can never mix their files even where the OUT lock (:mod:`corpus.run.lock`) is bypassed;
a resumed run reopens the folder its checkpoint names. A run that fails (rather than
being interrupted, which keeps the folder for ``--resume``) removes its folder: a full
disk used to stay full because of it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from contextlib import ExitStack
from pathlib import Path
from typing import IO

STAGING_PREFIX = ".staging-"
REPLACED_DIRS = ("mono", "parallel")


class Staging:
    """A folder inside OUT whose files replace OUT's files of the same name on commit."""

    def __init__(self, out: Path, *, name: str | None = None, prepare: bool = True) -> None:
        """A new staging folder in OUT, or (*name*) an interrupted run's, reopened.

        Every other ``.staging-*`` folder is a dead run's and is removed: the caller holds
        OUT's lock, so no live run owns one.
        """
        self.out = out
        out.mkdir(parents=True, exist_ok=True)
        if name is not None and not (name.startswith(STAGING_PREFIX) and "/" not in name):
            raise ValueError(f"not a staging folder name: {name!r}")
        self.dir = out / (name or f"{STAGING_PREFIX}{os.getpid()}-{secrets.token_hex(4)}")
        for stale in out.glob(f"{STAGING_PREFIX}*"):
            if stale != self.dir:
                shutil.rmtree(stale, ignore_errors=True)
        self.dir.mkdir(exist_ok=True)
        for name in REPLACED_DIRS if prepare else ():
            (self.dir / name).mkdir(exist_ok=True)  # present even when empty: commit replaces

    def path(self, relpath: str) -> Path:
        path = self.dir / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def commit(self, replace_dirs: tuple[str, ...] = REPLACED_DIRS) -> None:
        """Move every staged file into OUT; folders in *replace_dirs* are replaced whole.

        Replacing ``mono/`` whole means a language that vanished from the input does not
        leave last run's ``mono/xx.txt`` behind.
        """
        for name in replace_dirs:
            staged = self.dir / name
            if not staged.is_dir():
                continue  # moved already by an earlier, interrupted commit
            old = self.out / name
            if old.exists():
                trash = self.out / f"{STAGING_PREFIX}old-{name}-{secrets.token_hex(4)}"
                os.replace(old, trash)
                shutil.rmtree(trash, ignore_errors=True)
            for path in staged.rglob("*"):
                if path.is_file():
                    _fsync(path)
            os.replace(staged, old)
        for src in sorted(self.dir.rglob("*")):
            if src.is_file():
                dst = self.out / src.relative_to(self.dir)
                dst.parent.mkdir(parents=True, exist_ok=True)
                _fsync(src)
                os.replace(src, dst)
        shutil.rmtree(self.dir, ignore_errors=True)
        _fsync_dir(self.out)

    @property
    def name(self) -> str:
        return self.dir.name

    def abort(self) -> None:
        """Remove the folder and everything staged in it (a failed run)."""
        shutil.rmtree(self.dir, ignore_errors=True)


class StagedFiles:
    """Text files under a staging folder, opened on first line and closed together.

    Files are opened for appending: a resumed run continues the files a checkpoint cut
    back. UTF-8, ``\\n`` line ends.
    """

    def __init__(self, staging: Staging) -> None:
        self.staging = staging
        self._stack = ExitStack()
        self._files: dict[str, IO[str]] = {}

    def open(self, relpath: str) -> IO[str]:
        handle = self._files.get(relpath)
        if handle is None:
            handle = self._stack.enter_context(
                open(self.staging.path(relpath), "a", encoding="utf-8", newline="\n")  # noqa: SIM115
            )
            self._files[relpath] = handle
        return handle

    def line(self, relpath: str, text: str) -> None:
        self.open(relpath).write(text + "\n")

    def names(self) -> list[str]:
        return list(self._files)

    def flush(self) -> None:
        for handle in self._files.values():
            handle.flush()

    def close(self) -> None:
        self._stack.close()
        self._files.clear()

    def discard(self) -> None:
        """Close every file of a run that failed, whatever is left unwritten: on a full
        disk closing flushes and fails again, and that must not keep the caller from
        removing the staging folder."""
        self._stack.pop_all()
        for handle in self._files.values():
            with contextlib.suppress(OSError):
                handle.close()
        self._files.clear()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
