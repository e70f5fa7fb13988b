"""One run at a time per OUT: ``OUT/.corpus-lock``, held for as long as a run writes there.

Two builds into one OUT used to share its staging folder: one died with a misleading
"No such file or directory", or both exited 0 and OUT held only the second build. A run
that writes OUT (``corpus build``, ``corpus translate``, ``corpus spm train``) now takes
an exclusive lock first; a second run stops at once with the holder's pid, host and
start time and exit 1 (:class:`~corpus.errors.InUseError`).

The lock is ``flock(2)`` on the lock file, so it ends with the process that holds it,
however that process ends (kill -9 included): a lock file left by a dead run is stale by
construction and the next run takes it over without a word. The file's content (pid,
host, start, command) is only there to say who holds it. Where the file system has no
``flock`` (some network mounts) the content decides instead: a holder on this host whose
pid is gone is stale; a holder on another host is trusted, and the message says which
file to delete if that run is gone too.

Forked children (pool workers) inherit the descriptor; it is closed in them at fork
(:func:`os.register_at_fork`), so a worker that outlived its parent could never keep
OUT locked.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import socket
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from corpus.errors import InUseError

LOCK_FILE = ".corpus-lock"
CLAIM_TRIES = 5  # without flock: stale files replaced before giving up
_HELD: set[int] = set()  # descriptors of locks held by this process


def _close_in_child() -> None:
    for fd in _HELD:
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


os.register_at_fork(after_in_child=_close_in_child)


class OutLock:
    """The exclusive lock of one OUT, as a context manager.

    ``OUT`` is created if it does not exist; if it was created here and is empty when
    the lock is released (the run stopped before writing anything), it is removed
    again, so a rejected command leaves no empty folder behind.
    """

    def __init__(self, out: Path, command: str = "corpus") -> None:
        self.out = out
        self.path = out / LOCK_FILE
        self.command = command
        self.fd: int | None = None
        self.created_out = False

    def __enter__(self) -> OutLock:
        self.acquire()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()

    def acquire(self) -> None:
        if not self.out.exists():
            self.out.mkdir(parents=True, exist_ok=True)
            self.created_out = True
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                locked = _try_flock(fd)
            except BaseException:
                os.close(fd)
                raise
            if locked is None:
                os.close(fd)
                fd = self._claim_without_flock()
                break
            if locked is False:
                holder = _read_holder(fd)
                os.close(fd)
                raise InUseError(_in_use_message(self.out, self.path, holder))
            # The file may have been unlinked by the previous holder between our open
            # and our lock: then we hold a lock on a name nobody else sees. Retry.
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        self.fd = fd
        _HELD.add(fd)
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(_me(self.command)).encode() + b"\n", 0)

    def _claim_without_flock(self) -> int:
        """No flock on this file system: the file's existence is the lock (``O_EXCL``);
        one whose holder is gone (a dead pid on this host; an empty or garbled file, such
        as the one the flock probe just created) is replaced."""
        for _ in range(CLAIM_TRIES):
            try:
                return os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC,
                               0o644)
            except FileExistsError:
                pass
            try:
                fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
            except FileNotFoundError:
                continue
            holder = _read_holder(fd)
            os.close(fd)
            if holder and not _is_stale(holder):
                raise InUseError(_in_use_message(self.out, self.path, holder))
            self.path.unlink(missing_ok=True)
        raise InUseError(_in_use_message(self.out, self.path, {}))

    def release(self) -> None:
        if self.fd is None:
            return
        fd, self.fd = self.fd, None
        _HELD.discard(fd)
        try:
            self.path.unlink(missing_ok=True)  # while still locked: see acquire()
        finally:
            os.close(fd)
        if self.created_out:
            with contextlib.suppress(OSError):
                self.out.rmdir()  # only if the run left it empty


def _try_flock(fd: int) -> bool | None:
    """True: locked; False: another process holds it; None: no flock on this file system."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return False
        if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
            return None
        raise
    return True


def _me(command: str) -> dict[str, Any]:
    return {"pid": os.getpid(), "host": socket.gethostname(),
            "started": time.strftime("%Y-%m-%d %H:%M:%S"), "command": command}


def _read_holder(fd: int) -> dict[str, Any]:
    try:
        data = os.pread(fd, 4096, 0)
        holder = json.loads(data.decode("utf-8", "replace") or "{}")
    except (OSError, ValueError):
        return {}
    return holder if isinstance(holder, dict) else {}


def _is_stale(holder: dict[str, Any]) -> bool:
    """A holder on this host whose process is gone; another host's cannot be checked."""
    if holder.get("host") != socket.gethostname():
        return False
    pid = holder.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _in_use_message(out: Path, path: Path, holder: dict[str, Any]) -> str:
    who = ""
    if holder:
        who = (f" ({holder.get('command', 'corpus')}, pid {holder.get('pid', '?')} on "
               f"{holder.get('host', '?')}, since {holder.get('started', '?')})")
    return (f"{out} is in use by another corpus run{who}: wait for it to finish or stop it; "
            f"if that run is gone, delete {path}")
