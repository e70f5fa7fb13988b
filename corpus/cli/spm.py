"""``corpus spm``: SentencePiece models trained on a build output, and tokenising with them."""

from __future__ import annotations

from pathlib import Path

import click

from corpus.cli.base import CorpusGroup, checked_languages


@click.group(cls=CorpusGroup)
def spm() -> None:
    """Train and apply SentencePiece models on a corpus built by `corpus build`.

    \b
        corpus spm train out --vocab-size 8000
        corpus spm encode out/spm/unigram-8000.model out/mono/en.txt > en.tok
    """


@spm.command()
@click.argument("out", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--vocab-size", type=click.IntRange(min=8, max=1_000_000), default=8000,
              show_default=True)
@click.option("--model-type", type=click.Choice(["unigram", "bpe"]), default="unigram",
              show_default=True)
@click.option("--lang", "langs", multiple=True,
              help="Train on these languages only (repeat or comma-separate: --lang en,ru).")
@click.option("--sides", type=click.Choice(["all", "mono", "parallel"]), default="all",
              show_default=True,
              help="mono: original sentences; parallel: both sides of the pairs; "
                   "all: original sentences plus translations.")
@click.option("--sample", type=click.IntRange(min=0), default=2_000_000, show_default=True,
              help="Sentences SentencePiece samples while streaming the input; 0 = all.")
@click.option("--character-coverage", type=click.FloatRange(0.9, 1.0), default=0.9995,
              show_default=True)
@click.option("--hard-vocab-limit", is_flag=True,
              help="Fail when the corpus is too small for --vocab-size "
                   "(default: train a smaller vocabulary and say so).")
@click.option("--byte-fallback", is_flag=True, help="Unknown characters become UTF-8 bytes.")
@click.option("--name", default="",
              help="Model file name (default: <model-type>-<pieces>, the pieces it holds).")
@click.option("--seed", type=int, default=1, show_default=True)
@click.option("--threads", type=click.IntRange(min=0), default=0,
              help="Training threads (0 = all cores).")
def train(out, vocab_size, model_type, langs, sides, sample, character_coverage,
          hard_vocab_limit, byte_fallback, name, seed, threads):
    """Train a SentencePiece model on the text of OUT; write it to OUT/spm/.

    The model and vocabulary go to OUT/spm/<name>.model and .vocab, and the
    configuration to manifest.json under "spm".

    \b
        corpus spm train out --vocab-size 8000
        corpus spm train out --vocab-size 32000 --model-type bpe --lang en,ru --sample 1000000
    """
    from corpus.export.spm import SpmConfig
    from corpus.export.spm import train as train_model
    from corpus.run.lock import OutLock

    codes = [c.strip() for item in langs for c in item.split(",") if c.strip()]
    checked_languages(codes, "--lang", und=True)
    config = SpmConfig(
        vocab_size=vocab_size, model_type=model_type, sides=sides, langs=codes, sample=sample,
        character_coverage=character_coverage, hard_vocab_limit=hard_vocab_limit,
        byte_fallback=byte_fallback, seed=seed, threads=threads,
    )
    with OutLock(out, "corpus spm train"):  # it writes OUT/spm/ and OUT's manifest
        entry = train_model(out, config, name)
    click.echo(f"{out / entry['model']}: {entry['pieces']} pieces from "
               f"{len(entry['inputs'])} file(s)", err=True)
    if entry["pieces"] < vocab_size:
        click.echo(f"note: the corpus supports only {entry['pieces']} pieces, fewer than "
                   f"--vocab-size {vocab_size} (the file is named by the pieces it holds; "
                   "--hard-vocab-limit makes this an error)", err=True)


@spm.command()
@click.argument("model", type=click.Path(exists=True, path_type=Path))
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
@click.option("-o", "--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Where to write (default: stdout).")
@click.option("--ids", is_flag=True, help="Write piece ids instead of pieces.")
def encode(model, file, output, ids):
    """Tokenise FILE (one sentence per line; - for stdin) with MODEL.

    MODEL is a .model file, or an OUT folder holding exactly one model in spm/.
    Writes one line of space-separated pieces per input line.

    \b
        corpus spm encode out/spm/unigram-8000.model out/mono/en.txt -o en.tok
    """
    from corpus.export.spm import encode_lines, load_model

    sp = load_model(model)
    for line in encode_lines(sp, file, ids=ids):
        output.write(line + "\n")
