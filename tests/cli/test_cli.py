"""Every command is registered, documented and answers --help."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from corpus.cli import cli

EXPECTED = {"build", "audit", "detect", "segment", "models", "translate", "spm", "export"}


def walk(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from walk(command, (*prefix, name))


def test_every_command_is_registered():
    assert set(cli.commands) == EXPECTED


@pytest.mark.parametrize(("path", "command"), list(walk(cli)), ids=lambda p: " ".join(p)
                         if isinstance(p, tuple) else "")
def test_every_command_has_help(path, command):
    assert command.help and len(command.help.split()) >= 5
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_version():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0 and "corpus" in result.output
