"""``corpus build``: the main job."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from corpus.config import load_pipeline
from corpus.errors import ConfigError, CorpusError, FatalError


def parse_languages(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [code.strip() for code in value.split(",") if code.strip()]


@click.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--out", "out", type=click.Path(file_okay=False), default="out",
              show_default=True, help="Output directory (created; replaced atomically).")
@click.option("-p", "--pipeline", type=click.Path(dir_okay=False),
              help="Pipeline file (TOML). Default: the packaged pipelines/default.toml.")
@click.option("--target", help="Language to translate into (overrides the pipeline; e.g. en).")
@click.option("--languages", help="Allowed languages for detection, e.g. en,ru,uk.")
@click.option("--device", type=click.Choice(["cpu", "cuda", "auto"]),
              help="Translation device (overrides the pipeline).")
@click.option("--models-dir", type=click.Path(file_okay=False),
              help="Argos models directory (else $CORPUS_MODELS_DIR, else Argos' default).")
@click.option("-j", "--workers", type=click.IntRange(min=0), default=0, show_default=True,
              help="Worker processes for the per-document steps; 0 = all cores.")
@click.option("--resume", is_flag=True,
              help="Continue an interrupted run into the same OUT from its last checkpoint.")
@click.option("--append", is_flag=True,
              help="Add inputs not yet in OUT; dedup and counts see the whole corpus.")
@click.option("--executor", type=click.Choice(["local", "ray"]), default="local",
              show_default=True, help="Run on this machine, or on a Ray cluster.")
@click.option("--address", help="Ray cluster address (auto, ray://host:10001).")
@click.option("--shard-files", type=click.IntRange(min=1), default=512, show_default=True,
              help="Inputs per checkpoint (resume granularity).")
@click.option("--shard-mb", type=click.FloatRange(min=0.001), default=64.0, show_default=True,
              help="Input megabytes per checkpoint.")
@click.option("--dry-run", is_flag=True, help="Print the resolved pipeline and inputs; do nothing.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("-v", "--verbose", is_flag=True, help="Also print per-stage timings.")
def build(inputs, out, pipeline, target, languages, device, models_dir, workers, resume, append,
          executor, address, shard_files, shard_mb, dry_run, quiet, verbose):
    """Ingest, clean, segment, detect and translate INPUTS into an aligned corpus in OUT.

    INPUTS are files, directories (read recursively), glob patterns or - for stdin:
    plain text, HTML or JSONL, optionally gzip-compressed, in any encoding.

    \b
        corpus build seeds/ -o out/
        corpus build 'dumps/*.jsonl.gz' -o out/ --target en --languages en,ru,uk
        cat page.html | corpus build - -o out/

    Writes OUT/sentences.jsonl, segments.jsonl, documents.jsonl, mono/<lang>.txt,
    parallel/<src>-<tgt>.*, manifest.json, audit.json and audit.html. Exit status 0
    when the run completes (dropped inputs are listed in the manifest), 1 when it
    cannot complete, 2 on usage or configuration errors.
    """
    from corpus.executors import cpu_count
    from corpus.ingest import expand_inputs
    from corpus.pipeline import run_build
    from corpus.summary import format_summary

    overrides = {"translate": {"device": device, "models_dir": models_dir}}
    try:
        pipe = load_pipeline(
            pipeline, target=target, languages=parse_languages(languages), step_overrides=overrides
        )
        if dry_run:
            refs = expand_inputs(list(inputs))
            click.echo(json.dumps({"pipeline": pipe.resolved(),
                                   "inputs": [str(r) for r in refs]},
                                  ensure_ascii=False, indent=2))
            return
        result = run_build(
            inputs,
            Path(out),
            pipe,
            progress=not quiet and sys.stderr.isatty(),
            workers=workers or cpu_count(),
            resume=resume,
            append=append,
            executor=executor,
            address=address,
            shard_files=shard_files,
            shard_mb=shard_mb,
        )
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    except FatalError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        click.echo(f"\nInterrupted; {out} is unchanged. Add --resume to the same command to "
                   "continue from the last checkpoint.", err=True)
        sys.exit(130)
    except CorpusError as exc:  # pragma: no cover - every error has a class above
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    if not quiet:
        if result.skipped_inputs:
            click.echo(f"  skipped {result.skipped_inputs} inputs already in {out}")
        click.echo(format_summary(result.manifest, out, result.seconds, result.missing_models))
        if verbose:
            click.echo("  timings (s): " + ", ".join(
                f"{k} {v}" for k, v in result.manifest["timings"].items()))
