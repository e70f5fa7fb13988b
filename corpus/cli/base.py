"""What every command shares: one error → exit-code mapping and the common options."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from typing import Any

import click

from corpus.errors import ConfigError, CorpusError, Interrupted
from corpus.languages import check_detectable
from corpus.run import signals


def exit_code(exc: BaseException) -> int:
    """The exit status for an error that ends a command."""
    if isinstance(exc, CorpusError):
        return exc.exit_code
    if isinstance(exc, KeyboardInterrupt):
        return signals.interrupt_exit_code(exc)
    return 1


class CorpusCommand(click.Command):
    """A command whose library errors become one-line messages and the exit codes above.

    SIGINT and SIGTERM both end a command as Ctrl-C does (:mod:`corpus.run.signals`),
    with 130 or 143; a command that finishes although a signal arrived (one that hit a
    commit, which is never cut) still exits with that code, so the status always says
    the run was interrupted.
    """

    def invoke(self, ctx: click.Context) -> Any:
        restore = signals.install()
        try:
            result = self._invoke(ctx)
            received = signals.received()
            if received is not None:
                click.echo(f"\nInterrupted ({signal.Signals(received).name}) as the command "
                           "finished; its work is complete.", err=True)
                ctx.exit(128 + received)
            return result
        finally:
            restore()

    def _invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            raise click.UsageError(str(exc), ctx) from None
        except BrokenPipeError:
            _quiet_broken_pipe()
        except Interrupted as exc:
            click.echo(f"\n{exc}", err=True)
            ctx.exit(exc.exit_code)
        except CorpusError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exit_code(exc))
        except KeyboardInterrupt as exc:
            click.echo("\nInterrupted.", err=True)
            ctx.exit(exit_code(exc))
        except OSError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(1)


class CorpusGroup(click.Group):
    """A group whose commands (and sub-groups) are :class:`CorpusCommand` s."""

    command_class = CorpusCommand

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _quiet_broken_pipe()
        except KeyboardInterrupt as exc:  # before a command started (click says "Aborted!")
            click.echo("\nInterrupted.", err=True)
            ctx.exit(exit_code(exc))


CorpusGroup.group_class = CorpusGroup


def _quiet_broken_pipe() -> None:
    """The reader of stdout went away (``| head``): stop without a word, as ``cat`` does.

    Python would report the failed flush at exit; point stdout at /dev/null first.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - no real stdout (CliRunner)
        pass
    raise click.exceptions.Exit(0)



# ---- options more than one command takes ---------------------------------------------
def parse_languages(value: str | None) -> list[str] | None:
    """``en, ru,uk`` → ``["en", "ru", "uk"]``; no value → None (the pipeline decides)."""
    if value is None:
        return None
    return [code.strip() for code in value.split(",") if code.strip()]


def checked_languages(codes: list[str], flag: str, *, und: bool = False) -> list[str]:
    """*codes* if language ID knows each (``und`` too where *und*); else a usage error
    naming *flag* and the known codes (``--lang xx`` used to be accepted with exit 0)."""
    for code in codes:
        try:
            check_detectable(code, flag, und=und)
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
    return codes


def models_dir_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--models-dir", type=click.Path(file_okay=False),
        help="Argos models directory (else $CORPUS_MODELS_DIR, else $ARGOS_PACKAGES_DIR, "
             "else ~/.local/share/argos-translate/packages).",
    )(func)


def pipeline_option(help: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option("-p", "--pipeline", type=click.Path(dir_okay=False), help=help)


def quiet_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")(func)
