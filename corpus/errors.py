"""Errors named by their consequence; only ``corpus.cli`` turns them into exit codes.

* ``ConfigError``  – raised before any work starts (bad pipeline file, unknown step,
  bad flag). The CLI exits 2.
* ``InputError``   – one input cannot be used. It is never fatal: the reader turns it
  into a ``dropped:<reason>`` / ``error:<message>`` entry of the manifest.
* ``FatalError``   – the run cannot complete (disk full, output not writable). The CLI
  exits 1; outputs already in OUT stay as they were before the run.
"""


class CorpusError(Exception):
    """Base class of every error this package raises on purpose."""


class ConfigError(CorpusError):
    """The pipeline file or the command line is wrong; nothing has been done yet."""


class InputError(CorpusError):
    """One input cannot be read; it is recorded in the manifest and skipped."""


class FatalError(CorpusError):
    """The run cannot complete; no half-written outputs are left in OUT."""
