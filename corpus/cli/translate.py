"""``corpus translate OUT``: fill in the translations a build left pending."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from corpus.errors import ConfigError, FatalError


@click.command()
@click.argument("out", type=click.Path(exists=True, file_okay=False))
@click.option("--target", help="Target language (default: the one the build used).")
@click.option("--device", type=click.Choice(["cpu", "cuda", "auto"]), default="cpu",
              show_default=True, help="Where CTranslate2 runs.")
@click.option("--beam-size", type=click.IntRange(min=1), help="Beam size (default: the build's).")
@click.option("--models-dir", type=click.Path(file_okay=False),
              help="Argos models directory (else $CORPUS_MODELS_DIR, else Argos' default).")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def translate(out, target, device, beam_size, models_dir, quiet):
    """Translate the sentences OUT has pending, after installing the missing models.

    \b
        corpus models install ru en        # or: corpus models install FILE.argosmodel
        corpus translate out/

    Rewrites OUT/sentences.jsonl, parallel/, manifest.json and the audit atomically;
    sentences already translated are left as they are, and the translation cache means
    nothing is translated twice.
    """
    import json

    from corpus.retranslate import fill_pending
    from corpus.steps.translate import Translate

    try:
        manifest = json.loads((Path(out) / "manifest.json").read_text(encoding="utf-8"))
        steps = manifest.get("pipeline", {}).get("steps", [])
        built = next((s for s in steps if s.get("use") == "translate"), {})
        params = {k: v for k, v in built.items() if k in Translate.__dataclass_fields__}
        params.pop("use", None)
        if target:
            params["target"] = target
        params.setdefault("target", manifest.get("pipeline", {}).get("target", "en"))
        params["device"] = device
        if beam_size:
            params["beam_size"] = beam_size
        if models_dir:
            params["models_dir"] = models_dir
        step = Translate(**params)
        result = fill_pending(Path(out), step)
    except (OSError, ValueError, KeyError) as exc:
        raise click.UsageError(f"{out}: not a readable build output ({exc})") from None
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    except FatalError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    if not quiet:
        for pair, n in result.manifest["counts"]["translation"].items():
            click.echo(f"translation {pair}: {n['translated']} translated ({n['new']} new, "
                       f"{n['cached']} from cache), {n['pending']} pending")
        for pair in result.missing:
            src, tgt = pair.split("-", 1)
            click.echo(f"  still missing {pair}: corpus models install {src} {tgt}")
