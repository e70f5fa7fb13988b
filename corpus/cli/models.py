"""``corpus models``: list, install and remove Argos Translate packages."""

from __future__ import annotations

from pathlib import Path

import click

from corpus.cli.base import CorpusGroup, models_dir_option


def _store(models_dir: str | None):
    from corpus.stages.translate.models import ModelStore

    return ModelStore(models_dir)


def _human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover


@click.group(cls=CorpusGroup)
def models() -> None:
    """Manage the offline translation models (Argos Translate packages).

    \b
        corpus models list
        corpus models install ru en                    # from the Argos index (online)
        corpus models install translate-ru_en.argosmodel   # from a file (offline)
        corpus models remove ru en
    """


@models.command("list")
@models_dir_option
def list_models(models_dir: str | None) -> None:
    """List installed packages: pair, version, size and path."""
    store = _store(models_dir)
    installed = store.list()
    if not installed:
        click.echo(f"No translation models in {store.dir}.")
        click.echo("Install one: corpus models install ru en   (or FILE.argosmodel offline)")
    for model in installed:
        click.echo(f"{model.pair:<10} {model.version:<8} {_human(model.size_bytes()):>9}  "
                   f"{model.path}")
    for problem in store.problems:
        click.echo(f"warning: skipped {problem}", err=True)


@models.command("install")
@click.argument("what", nargs=-1, required=True)
@models_dir_option
def install(what: tuple[str, ...], models_dir: str | None) -> None:
    """Install FROM TO from the Argos package index, or a FILE.argosmodel offline.

    \b
        corpus models install ru en
        corpus models install ~/Downloads/translate-ru_en-1_9.argosmodel

    Only the FROM TO form uses the network; offline it fails within seconds and says
    how to install from a file instead.
    """
    store = _store(models_dir)
    if len(what) == 1:
        if not what[0].endswith(".argosmodel") and not Path(what[0]).is_file():
            raise click.UsageError(
                "give FROM TO language codes (e.g. `ru en`) or a path to a .argosmodel file"
            )
        installed = store.install_file(what[0])
    elif len(what) == 2:
        installed = store.install_by_name(what[0], what[1])
    else:
        raise click.UsageError("expected FROM TO or FILE.argosmodel")
    for model in installed:
        click.echo(f"installed {model.id} ({model.pair}) in {model.path}")


@models.command("remove")
@click.argument("src", metavar="FROM")
@click.argument("tgt", metavar="TO")
@models_dir_option
def remove(src: str, tgt: str, models_dir: str | None) -> None:
    """Uninstall the FROM → TO package."""
    removed = _store(models_dir).remove(src, tgt)
    for model in removed:
        click.echo(f"removed {model.id} from {model.path}")
