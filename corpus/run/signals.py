"""Interruption: SIGTERM behaves like Ctrl-C; workers leave it to their parent and die with it.

* **The main process** (:func:`install`, done by the CLI): SIGINT and SIGTERM raise
  :class:`Interrupt`, a ``KeyboardInterrupt`` that carries the signal, so every
  ``except KeyboardInterrupt`` and ``finally`` on the way up cleans up exactly as for
  Ctrl-C, and the command exits with 128 + the signal (130, 143). SIGTERM used to kill
  the process outright: exit 143 without a word, workers orphaned. A second signal
  while that cleanup runs is ignored, so the cleanup is not cut half-way (no traceback
  from inside ``finally``); a third ends the process at once (``os._exit``), for a
  cleanup that hangs.
* **Sections that must not be cut** (:func:`deferred`): the renames of a commit. A
  signal inside one is recorded and handed to the caller, who finishes the section and
  then reports the interruption truthfully ("OUT holds the complete new corpus").
* **A worker process** (:func:`worker_started`, from the pool initializer): ignores
  SIGINT and SIGTERM (the terminal sends Ctrl-C to the whole process group; the parent
  decides and kills its workers, so no worker prints a ``KeyboardInterrupt``
  traceback), and dies with its parent: ``PR_SET_PDEATHSIG`` on Linux, a thread
  watching the parent's pid elsewhere. After ``kill -9`` of a build its workers used to
  live on (≈ 170 MB each) until killed by hand.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

SIGNALS = (signal.SIGINT, signal.SIGTERM)
PR_SET_PDEATHSIG = 1  # linux/prctl.h
WATCH_SECONDS = 1.0  # how often a worker without PR_SET_PDEATHSIG looks for its parent
AGAIN_SECONDS = 0.05  # a swallowed interrupt is raised again this much later


class Interrupt(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived; ``exit_code`` is what the shell expects (128 + signal)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


def interrupt_exit_code(exc: BaseException) -> int:
    """128 + the signal of an :class:`Interrupt`; 130 (SIGINT) for a plain Ctrl-C."""
    return exc.exit_code if isinstance(exc, Interrupt) else 128 + signal.SIGINT


class _Handler:
    """Raise once, ignore the next signal, end the process on the one after."""

    def __init__(self) -> None:
        self.seen: list[int] = []
        self.again: int | None = None  # swallowed, to be raised again

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.seen.append(signum)
        if len(self.seen) == 1:
            raise Interrupt(signum)
        if len(self.seen) >= 3:
            os._exit(128 + self.seen[0])

    def swallowed(self, hook: Any) -> Callable[[Any], None]:
        """An ``sys.unraisablehook`` for an :class:`Interrupt` raised where Python cannot
        propagate it (a ``__del__``, a generator closed by the garbage collector): it
        used to be printed ("Exception ignored in …" and a traceback) and the run went
        on, once to exit 0. Here it is raised again shortly after, from a one-shot
        ``SIGALRM`` (any Python code run from the hook itself could be cut by it and be
        swallowed once more), at the main thread's next check, in ordinary code."""

        def unraisable(info: Any) -> None:
            if isinstance(info.exc_value, Interrupt) and self.seen:
                self.again = info.exc_value.signum
                self.seen.pop()
                if signal.getsignal(signal.SIGALRM) == self.alarm:
                    signal.setitimer(signal.ITIMER_REAL, AGAIN_SECONDS)
                return
            hook(info)

        return unraisable

    def alarm(self, signum: int, frame: FrameType | None) -> None:
        if self.again is not None:
            again, self.again = self.again, None
            self(again, frame)

    @property
    def signum(self) -> int | None:
        if self.seen:
            return self.seen[0]
        return self.again


_installed: _Handler | None = None


def install() -> Callable[[], None]:
    """Route SIGINT and SIGTERM to :class:`Interrupt`; returns what undoes it.

    Only the main thread may set handlers; elsewhere (and when already installed) this
    does nothing and returns a no-op.
    """
    global _installed
    if _installed is not None or threading.current_thread() is not threading.main_thread():
        return lambda: None
    handler = _Handler()
    previous = {sig: signal.getsignal(sig) for sig in SIGNALS}
    hook = sys.unraisablehook
    for sig in SIGNALS:
        signal.signal(sig, handler)
    alarm = signal.getsignal(signal.SIGALRM)
    if alarm in (signal.SIG_DFL, None):  # nobody else uses it
        signal.signal(signal.SIGALRM, handler.alarm)
    sys.unraisablehook = handler.swallowed(hook)
    _installed = handler

    def restore() -> None:
        global _installed
        for sig, old in previous.items():
            signal.signal(sig, old)
        if signal.getsignal(signal.SIGALRM) == handler.alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, alarm)
        sys.unraisablehook = hook
        _installed = None

    return restore


def received() -> int | None:
    """The first signal the installed handler saw in this command, if any.

    A command that ends normally after a signal (one raised where it was swallowed, or
    after the commit it could not cut) still exits with 128 + that signal.
    """
    return _installed.signum if _installed is not None else None


@contextmanager
def deferred() -> Iterator[list[int]]:
    """A section no signal may cut: signals inside it are collected in the yielded list.

    The caller finishes the section and then decides what the interruption means. The
    handlers in place before are restored afterwards (outside the main thread, where
    handlers cannot be changed, nothing is deferred).
    """
    pending: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield pending
        return
    previous = {sig: signal.getsignal(sig) for sig in SIGNALS}

    def note(signum: int, frame: FrameType | None) -> None:
        pending.append(signum)

    for sig in SIGNALS:
        signal.signal(sig, note)
    try:
        yield pending
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
        if pending and isinstance(previous[pending[0]], _Handler):
            previous[pending[0]].seen.append(pending[0])  # counts as the first signal


# ---- worker processes -------------------------------------------------------------
def worker_started(parent: int) -> None:
    """Called first in every worker process: leave signals to *parent*, die with it."""
    for sig in SIGNALS:
        signal.signal(sig, signal.SIG_IGN)
    if not _linux_parent_death_signal():
        threading.Thread(target=_watch_parent, args=(parent,), daemon=True,
                         name="corpus-parent-watch").start()
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)


def _linux_parent_death_signal() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        import ctypes

        libc: Any = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):  # pragma: no cover - no libc prctl
        return False


def _watch_parent(parent: int) -> None:  # pragma: no cover - non-Linux systems
    while True:
        time.sleep(WATCH_SECONDS)
        if os.getppid() != parent:
            os._exit(1)


# ---- the end of an interrupted command --------------------------------------------
EXIT_SECONDS = 5.0  # an interrupted command waits this long for its threads, at most


def exit_interrupted(code: int) -> None:
    """End an interrupted command with *code*, even if a thread of it will not stop.

    Python joins every non-daemon thread at exit (a process pool's manager thread
    among them); one blocked on a lock the interrupt left held would keep the process
    alive forever, its workers already dead and its message already printed. Such
    threads get a bounded time; then the process ends with *code* anyway (streams
    flushed first). Only the command line calls this: a library caller keeps its
    process.
    """
    deadline = time.monotonic() + EXIT_SECONDS
    for thread in threading.enumerate():
        if thread is threading.current_thread() or thread.daemon:
            continue
        thread.join(max(0.0, deadline - time.monotonic()))
    if any(t.is_alive() and not t.daemon and t is not threading.current_thread()
           for t in threading.enumerate()):
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(code)
