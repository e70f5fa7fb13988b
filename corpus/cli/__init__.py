"""The ``corpus`` command line: thin wrappers that parse flags and call the library.

Exit codes, the same for every command, mapped in one place
(:class:`corpus.cli.base.CorpusCommand`): 0 the run completed (dropped inputs are normal
and counted), 1 the run could not complete (``FatalError``, ``ModelError``,
``InputError``, any other ``OSError``), 2 usage or configuration error (``ConfigError``),
130/143 interrupted (SIGINT/SIGTERM; also when a signal arrived as the command
finished). A closed standard output (``corpus audit OUT | head``) ends a
command quietly with 0.
"""

from __future__ import annotations

import click

from corpus import __version__
from corpus.cli.audit import audit
from corpus.cli.base import CorpusGroup
from corpus.cli.build import build
from corpus.cli.detect import detect
from corpus.cli.export import export
from corpus.cli.models import models
from corpus.cli.segment import segment
from corpus.cli.spm import spm
from corpus.cli.translate import translate
from corpus.run import signals

INTERRUPTED = {128 + sig for sig in signals.SIGNALS}  # an interrupted command's codes


@click.group(cls=CorpusGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="corpus")
def cli() -> None:
    """Turn scraped multilingual text into clean, language-audited, aligned corpora.

    \b
        corpus build seeds/ -o out/      # ingest, clean, segment, detect, translate, write
        corpus audit out/                # which segments are in which language
        corpus detect "Головна"          # language of a text
    """


for _command in (build, detect, segment, models, translate, audit, spm, export):
    cli.add_command(_command)


def main() -> None:
    # For the whole process, not only while a command runs: a Ctrl-C while Python exits
    # (joining a pool's threads) is then no traceback either.
    signals.install()
    try:
        cli(prog_name="corpus")
    except SystemExit as exc:
        if exc.code in INTERRUPTED:
            signals.exit_interrupted(int(exc.code))
        raise
