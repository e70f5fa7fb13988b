"""Errors named by their consequence; ``corpus.cli`` maps them to exit codes in one place.

* ``ConfigError``  – raised before any work starts (bad pipeline file, unknown step,
  bad flag or parameter value). Exit 2.
* ``MismatchError`` – what ``--resume`` or ``--append`` would build on is not what it
  expects (a damaged or older state, a changed or missing file, other inputs): nothing
  was touched; the message names the file and how to rebuild. Exit 2, one line.
* ``InputError``   – an input cannot be used. Inside a build it is never fatal: the
  reader turns it into a ``dropped:<reason>`` / ``error:<message>`` entry of the
  manifest. Where a command reads one file and cannot (``corpus audit`` of a broken
  ``segments.jsonl``), exit 1.
* ``FatalError``   – the run cannot complete (disk full, output not writable). Exit 1;
  outputs already in OUT stay as they were before the run.
* ``ModelError``   – a translation model cannot be installed, found, loaded or removed.
  Exit 1; the message says which ``corpus models`` command mends it.
* ``InUseError``   – another run holds OUT's lock (``OUT/.corpus-lock``). Exit 1; nothing
  was touched.
* ``Interrupted``  – Ctrl-C or SIGTERM; OUT is unchanged. Exit 130 (or 128 + signal).

Record-level problems are not exceptions: they are rejections with a reason (STYLE 5).
"""

from __future__ import annotations


class CorpusError(Exception):
    """Base class of every error this package raises on purpose."""

    exit_code = 1


class ConfigError(CorpusError):
    """The pipeline file or the command line is wrong; nothing has been done yet."""

    exit_code = 2


class MismatchError(CorpusError):
    """OUT does not hold what --resume/--append expects; nothing has been done yet."""

    exit_code = 2


class InputError(CorpusError):
    """An input cannot be read; in a build it is recorded in the manifest and skipped."""


class FatalError(CorpusError):
    """The run cannot complete; no half-written outputs are left in OUT."""


class ModelError(FatalError):
    """A model cannot be installed, found, loaded or removed; the message says what to do."""


class InUseError(FatalError):
    """Another run is writing the same OUT; the message names it (pid, host, start)."""


class Interrupted(CorpusError):
    """The run was interrupted (SIGINT, SIGTERM); the message says how to continue."""

    def __init__(self, message: str, exit_code: int = 130) -> None:
        super().__init__(message)
        self.exit_code = exit_code
