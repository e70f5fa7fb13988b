"""``corpus build``: the main job."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from corpus.cli.base import (
    CorpusCommand,
    models_dir_option,
    parse_languages,
    pipeline_option,
    quiet_option,
)
from corpus.config import load_pipeline
from corpus.errors import Interrupted
from corpus.run.signals import interrupt_exit_code

# Shards bound how much work a --resume repeats, not memory (a shard is a packed list of
# names; every step flushes at a shard's end): the bounds only keep values sane.
MAX_SHARD_FILES = 1_000_000
MAX_SHARD_MB = 1_000_000.0


def _value(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (list, tuple)):
        return ",".join(map(str, value)) or "[]"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False) if value else "{}"
    return "none" if value is None else str(value)


def plan_lines(resolved: dict, inputs: list[str], out: str) -> str:
    """What ``--dry-run`` prints: the pipeline and inputs a build would run, one fact a
    line (``--json`` gives the same as JSON)."""
    lines = [
        f"pipeline   {resolved['path']}  (sha256 {resolved['sha256'][:12]})",
        f"target     {resolved['target']}",
        f"languages  {_value(resolved['languages']) if resolved['languages'] else 'any'}",
        "input      " + " ".join(f"{k}={_value(v)}" for k, v in resolved["input"].items()),
        "output     " + " ".join(f"{k}={_value(v)}" for k, v in resolved["output"].items()),
        f"steps ({len(resolved['steps'])})",
    ]
    for i, step in enumerate(resolved["steps"], start=1):
        params = " ".join(f"{k}={_value(v)}" for k, v in step.items() if k != "use")
        lines.append(f"  {i:>2}. {step['use']}" + (f"  {params}" if params else ""))
    lines.append(f"inputs ({len(inputs)})")
    lines += [f"  {name}" for name in inputs]
    lines.append(f"would write {out}; nothing was read or written (--dry-run)")
    return "\n".join(lines)


@click.command(cls=CorpusCommand)
@click.argument("inputs", nargs=-1, required=True)
@click.option("-o", "--out", "out", type=click.Path(file_okay=False), default="out",
              show_default=True, help="Output directory (created; replaced atomically).")
@pipeline_option("Pipeline file (TOML). Default: the packaged pipelines/default.toml.")
@click.option("--target", help="Language to translate into (overrides the pipeline; e.g. en).")
@click.option("--languages", help="Allowed languages for detection, e.g. en,ru,uk.")
@click.option("--device", type=click.Choice(["cpu", "cuda", "auto"]),
              help="Translation device (overrides the pipeline).")
@models_dir_option
@click.option("-j", "--workers", type=click.IntRange(min=0), default=0, show_default=True,
              help="Worker processes for the per-document steps; 0 = all cores.")
@click.option("--resume", is_flag=True,
              help="Continue an interrupted run into the same OUT from its last checkpoint; "
                   "stops if the checkpoint is of other inputs or another pipeline.")
@click.option("--restart", is_flag=True,
              help="With --resume: where the checkpoint cannot be continued (other inputs, "
                   "another pipeline, damaged), discard it and build from the start.")
@click.option("--append", is_flag=True,
              help="Add inputs not yet in OUT; dedup and counts see the whole corpus.")
@click.option("--executor", type=click.Choice(["local", "ray"]), default="local",
              show_default=True, help="Run on this machine, or on a Ray cluster.")
@click.option("--address", help="Ray cluster address (auto, ray://host:10001).")
@click.option("--shard-files", type=click.IntRange(min=1, max=MAX_SHARD_FILES), default=512,
              show_default=True, help="Inputs per checkpoint (resume granularity).")
@click.option("--shard-mb", type=click.FloatRange(min=0.001, max=MAX_SHARD_MB), default=64.0,
              show_default=True, help="Input megabytes per checkpoint.")
@click.option("--dry-run", is_flag=True, help="Print the resolved pipeline and inputs; do nothing.")
@click.option("--json", "as_json", is_flag=True,
              help="With --dry-run: the plan as JSON (the manifest's pipeline, the inputs).")
@quiet_option
@click.option("-v", "--verbose", is_flag=True, help="Also print per-stage timings.")
def build(inputs, out, pipeline, target, languages, device, models_dir, workers, resume, restart,
          append, executor, address, shard_files, shard_mb, dry_run, as_json, quiet, verbose):
    """Ingest, clean, segment, detect and translate INPUTS into an aligned corpus in OUT.

    INPUTS are files, directories (read recursively), glob patterns or - for stdin:
    plain text, HTML or JSONL, optionally gzip-compressed, in any encoding.

    \b
        corpus build seeds/ -o out/
        corpus build 'dumps/*.jsonl.gz' -o out/ --target en --languages en,ru,uk
        cat page.html | corpus build - -o out/

    Writes OUT/sentences.jsonl, segments.jsonl, documents.jsonl, mono/<lang>.txt,
    parallel/<src>-<tgt>.*, manifest.json, audit.json and audit.html. One run at a
    time per OUT (OUT/.corpus-lock). Exit status 0 when the run completes (dropped
    inputs are listed in the manifest), 1 when it cannot complete (or OUT is in use),
    2 on usage or configuration errors (and when what --resume or --append would
    build on does not check out), 130/143 when interrupted (Ctrl-C, SIGTERM).
    """
    from corpus.ingest import expand_inputs
    from corpus.run.local import cpu_count
    from corpus.run.runner import run_build
    from corpus.run.summary import format_summary

    overrides = {"translate": {"device": device, "models_dir": models_dir}}
    pipe = load_pipeline(
        pipeline, target=target, languages=parse_languages(languages), step_overrides=overrides
    )
    if as_json and not dry_run:
        raise click.UsageError("--json goes with --dry-run")
    if dry_run:
        refs = expand_inputs(list(inputs))
        names = [r.path if r.problem is None else f"{r.path} ({r.problem})" for r in refs]
        if as_json:
            click.echo(json.dumps({"pipeline": pipe.resolved(), "inputs": names},
                                  ensure_ascii=False, indent=2))
        else:
            click.echo(plan_lines(pipe.resolved(), names, out))
        return
    try:
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
            restart=restart,
        )
    except KeyboardInterrupt as exc:
        raise Interrupted(f"Interrupted; {out} is unchanged. Add --resume to the same command "
                          "to continue from the last checkpoint.",
                          exit_code=interrupt_exit_code(exc)) from None
    if not quiet:
        if result.skipped_inputs:
            click.echo(f"  skipped {result.skipped_inputs} inputs already in {out}")
        click.echo(format_summary(result.manifest, out, result.seconds, result.missing_models))
        if verbose:
            timings = dict(result.manifest["timings"])
            cpu = timings.pop("cpu", {})
            click.echo("  timings (s): " + ", ".join(f"{k} {v}" for k, v in timings.items()))
            click.echo("  CPU by stage (s): " + ", ".join(f"{k} {v}" for k, v in cpu.items()))
