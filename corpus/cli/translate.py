"""``corpus translate OUT``: fill in the translations a build left pending."""

from __future__ import annotations

from pathlib import Path

import click

from corpus.cli.base import CorpusCommand, models_dir_option, quiet_option
from corpus.errors import Interrupted
from corpus.run.signals import interrupt_exit_code


@click.command(cls=CorpusCommand)
@click.argument("out", type=click.Path(exists=True, file_okay=False))
@click.option("--target", help="Target language (default: the one the build used).")
@click.option("--device", type=click.Choice(["cpu", "cuda", "auto"]),
              help="Where CTranslate2 runs (default: the build's setting).")
@click.option("--beam-size", type=click.IntRange(min=1), help="Beam size (default: the build's).")
@models_dir_option
@quiet_option
def translate(out, target, device, beam_size, models_dir, quiet):
    """Translate the sentences OUT has pending, after installing the missing models.

    \b
        corpus models install ru en        # or: corpus models install FILE.argosmodel
        corpus translate out/

    Rewrites OUT/sentences.jsonl, parallel/, manifest.json and the audit atomically;
    sentences already translated are left as they are, and the translation cache means
    nothing is translated twice. The build's pipeline (from manifest.json) decides the
    translate step's settings and what is written; the options above override them.
    """
    from corpus.run.fill import fill_pending
    from corpus.run.summary import translation_lines

    try:
        result = fill_pending(Path(out), target=target, device=device, beam_size=beam_size,
                              models_dir=models_dir)
    except KeyboardInterrupt as exc:
        raise Interrupted(f"Interrupted; {out} is unchanged. Run the same command again to "
                          "translate what is pending.",
                          exit_code=interrupt_exit_code(exc)) from None
    if quiet:
        return
    counts = result.manifest["counts"]["translation"]
    if not counts:
        click.echo(f"{out}: nothing to translate (no sentence outside the target language)")
        return
    if not any(n["new"] or n["cached"] or n["pending"] for n in counts.values()):
        done = ", ".join(f"{pair} {n['translated']}" for pair, n in counts.items())
        click.echo(f"{out}: nothing pending; every sentence was already translated ({done})")
        return
    kept_flagged = bool(result.manifest["pipeline"].get("output", {}).get("parallel_flagged"))
    for pair, n in counts.items():
        for line in translation_lines(pair, n, kept_flagged):
            click.echo(line)
    for pair in result.missing:
        src, tgt = pair.split("-", 1)
        click.echo(f"  still missing {pair}: corpus models install {src} {tgt}")
