"""``corpus export``: a build output in the formats training tools read."""

from __future__ import annotations

from pathlib import Path

import click

from corpus.cli.base import CorpusCommand
from corpus.export.formats import FORMATS
from corpus.export.splits import DEFAULT_RATIOS


@click.command(cls=CorpusCommand)
@click.argument("out", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("-f", "--format", "formats", type=click.Choice(FORMATS), multiple=True,
              default=["jsonl"], show_default=True,
              help="Output format; repeat for several (one pass over the corpus).")
@click.option("--split", is_flag=True,
              help="Write train/dev/test files, assigned by hashing the document id.")
@click.option("--ratios", default=DEFAULT_RATIOS, show_default=True,
              help="Split names and shares (implies --split).")
@click.option("--seed", default="", help="Salt of the split hash: another seed, another split.")
@click.option("-o", "--dest", type=click.Path(file_okay=False, path_type=Path),
              help="Where to write <format>/ folders (default: OUT/export).")
def export(out, formats, split, ratios, seed, dest):
    """Export the sentences of OUT as jsonl, parquet, moses, tsv, tmx or hf.

    Rows are kept sentences with their translation (schema: corpus.export.formats). Pair
    formats (moses, tsv, tmx) hold translated sentences only. With --split, every
    document goes whole to one of the splits, the same one on every run.

    \b
        corpus export out --format parquet
        corpus export out -f moses -f tmx --split --ratios train=0.9,dev=0.05,test=0.05
    """
    from corpus.export.formats import export as run_export
    from corpus.export.splits import Splitter
    from corpus.run.lock import OutLock

    split = split or ratios != DEFAULT_RATIOS
    splitter = Splitter.parse(ratios, seed) if split else None
    with OutLock(out, "corpus export"):  # it records the export in OUT's manifest
        summary = run_export(out, formats, dest=dest, splitter=splitter)
    rows = ", ".join(f"{k} {v}" for k, v in summary["rows"].items())
    click.echo(f"{summary['dest']}: {', '.join(formats)} ({rows} sentences; "
               f"{sum(summary['pairs'].values())} pairs)", err=True)
