"""The ``corpus`` command line: thin wrappers that parse flags and call the library.

Exit codes: 0 the run completed (dropped inputs are normal and counted), 1 the run could
not complete, 2 usage or configuration error.
"""

from __future__ import annotations

import importlib

import click

from corpus import __version__

# Sub-commands live in their own modules (one per command); a module that fails to
# import must not take the whole CLI down, so each is loaded by name.
_COMMANDS = (
    ("corpus.cli.build", "build"),
    ("corpus.cli.detect", "detect"),
    ("corpus.cli.segment", "segment"),
    ("corpus.cli.models", "models"),
    ("corpus.cli.translate", "translate"),
    ("corpus.cli.audit", "audit"),
    ("corpus.cli.spm", "spm"),
    ("corpus.cli.export", "export"),
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="corpus")
def cli() -> None:
    """Turn scraped multilingual text into clean, language-audited, aligned corpora.

    \b
        corpus build seeds/ -o out/      # ingest, clean, segment, detect, translate, write
        corpus audit out/                # which segments are in which language
        corpus detect "Головна"          # language of a text
    """


for _module, _name in _COMMANDS:
    try:
        _mod = importlib.import_module(_module)
    except ModuleNotFoundError as _exc:
        if _exc.name != _module:
            raise
        continue
    cli.add_command(getattr(_mod, _name))


def main() -> None:
    cli(prog_name="corpus")
