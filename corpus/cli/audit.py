"""``corpus audit``: which segments are in which language, what was dropped, what waits."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from corpus.cli.base import CorpusCommand, checked_languages, parse_languages, pipeline_option

FORMATS = ("table", "json", "csv", "html")
SUFFIXES = {".json": "json", ".csv": "csv", ".html": "html", ".htm": "html", ".txt": "table"}


def _codes(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted({c.strip() for v in values for c in v.split(",") if c.strip()}))


def choose_format(fmt: str | None, output: str | None, tty: bool) -> str:
    """Explicit ``--format``; else the ``-o`` file's suffix; else table on a terminal, JSON not."""
    if fmt:
        return fmt
    if output and output != "-":
        suffix = Path(output).suffix.lower()
        if suffix in SUFFIXES:
            return SUFFIXES[suffix]
    return "table" if tty and not output else "json"


@click.command(cls=CorpusCommand)
@click.argument("paths", nargs=-1, required=True)
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS),
              help="Output format. Default: table on a terminal, else JSON (or from -o's suffix).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True),
              help="Write the report to this file instead of standard output.")
@click.option("--lang", "langs", multiple=True, metavar="CODE[,CODE]",
              help="Only segments detected as these languages (repeatable).")
@click.option("--foreign", is_flag=True,
              help="Only segments whose language differs from their document's (kept ones "
                   "unless --all).")
@click.option("--kept-only", is_flag=True, default=None,
              help="Only segments that went into the corpus (the default with --foreign).")
@click.option("--all", "all_segments", is_flag=True,
              help="Kept and dropped segments alike (with --foreign: the dropped menus and "
                   "banners too).")
@click.option("--min-prob", type=click.FloatRange(0.0, 1.0),
              help="Only segments detected with at least this probability.")
@click.option("--doc", "docs", multiple=True, metavar="ID|PATH|GLOB",
              help="Only these documents: id (or its prefix), source path or glob (repeatable).")
@click.option("--low-prob", type=click.FloatRange(0.0, 1.0), default=0.5, show_default=True,
              help="Segments below this probability are listed as low-confidence.")
@click.option("--limit", type=click.IntRange(0), default=20, show_default=True,
              help="Rows per list in the table format.")
@click.option("--max-rows", type=click.IntRange(0, 1_000_000),
              help="Rows kept per list in JSON/HTML; the rest are counted, not listed "
                   "(default 1000; HTML: 100000, paged in the page).")
@pipeline_option("Pipeline for raw inputs (default: the packaged default pipeline).")
@click.option("--languages", help="Raw inputs: allowed languages for detection, e.g. en,ru,uk.")
def audit(paths, fmt, output, langs, foreign, kept_only, all_segments, min_prob, docs,
          low_prob, limit, max_rows, pipeline, languages):
    """Audit the languages of a corpus: per language, per document, foreign and unsure lines.

    PATHS are `corpus build` output folders (read from segments.jsonl, sentences.jsonl,
    documents.jsonl and manifest.json), or raw inputs (files, folders, globs), which are
    run through the pipeline up to language detection without writing anything.

    \b
        corpus audit out/                          # table at the terminal
        corpus audit out/ --foreign --lang ru      # kept Russian lines in other documents
        corpus audit out/ --foreign --all          # … and the dropped ones (menus, banners)
        corpus audit out/ -o audit.html            # self-contained HTML report
        corpus audit out/ --format csv > segs.csv  # one row per segment
        corpus audit seeds/ --languages en,ru,uk   # raw inputs, nothing written

    JSON layout: corpus/audit/SCHEMA.md. Exit status 0 on success, 1 when the files
    cannot be read, 2 on usage errors.
    """
    from corpus.api import audit as run_audit
    from corpus.api import audit_csv
    from corpus.audit import HTML_MAX_ROWS, HTML_SEGMENTS, Filters, render

    if kept_only and all_segments:
        raise click.UsageError("--kept-only and --all contradict each other; give one")
    keep = False if all_segments else bool(kept_only or foreign)

    to_file = output not in (None, "-")
    fmt = choose_format(fmt, output, sys.stdout.isatty())
    codes = tuple(checked_languages(list(_codes(langs)), "--lang", und=True))
    filters = Filters(langs=codes, foreign=foreign, min_prob=min_prob, docs=tuple(docs),
                      kept_only=keep)
    for path in paths:
        if path != "-" and not any(ch in path for ch in "*?[") and not Path(path).exists():
            raise click.UsageError(f"{path}: no such file or directory")
    options = {"filters": filters, "pipeline": pipeline, "languages": parse_languages(languages)}
    if fmt == "csv":
        if to_file:
            with open(output, "w", encoding="utf-8", newline="") as fh:
                audit_csv(paths, fh, **options)
        else:
            audit_csv(paths, sys.stdout, **options)
        return
    html = fmt == "html"
    rows = max_rows if max_rows is not None else (HTML_MAX_ROWS if html else 1000)
    result = run_audit(paths, low_prob=low_prob, max_rows=rows,
                       segment_budget=HTML_SEGMENTS if html else 0, **options)
    if html and to_file:  # written in pieces: a large report is never one string
        from corpus.audit.html import iter_html

        with open(output, "w", encoding="utf-8", newline="\n") as fh:
            for piece in iter_html(result, report_dir=Path(output).parent):
                fh.write(piece)
        click.echo(f"wrote {output} ({fmt})", err=True)
        return
    width = shutil.get_terminal_size((80, 24)).columns if not to_file else 80
    text = render(result, fmt, limit=limit, width=min(max(width, 60), 120),
                  report_dir=Path(output).parent if to_file else None)
    if to_file:
        Path(output).write_text(text, encoding="utf-8", newline="\n")
        click.echo(f"wrote {output} ({fmt})", err=True)
    else:
        click.echo(text, nl=False)
