"""``corpus segment``: split text into sentences, one per line."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import TextIO

import click

from corpus.cli.base import CorpusCommand, checked_languages
from corpus.stages.sentences import sentence_spans


def _paragraphs(lines: Iterable[str]) -> Iterator[tuple[int, str]]:
    """``(offset, text)`` of each run of non-blank lines; memory holds one paragraph."""
    offset = 0
    start = 0
    buf: list[str] = []
    for line in lines:
        if line.strip():
            if not buf:
                start = offset
            buf.append(line)
        elif buf:
            yield start, "".join(buf)
            buf = []
        offset += len(line)
    if buf:
        yield start, "".join(buf)


@click.command("segment", cls=CorpusCommand)
@click.argument("file", type=click.File("r", encoding="utf-8"), default="-")
@click.option("--lang", "-l", default="und", show_default=True,
              help="Language of the text (a code `corpus detect` knows), or und.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per sentence, with span.")
def segment(file: TextIO, lang: str, as_json: bool) -> None:
    """Split FILE (or stdin, "-") into sentences, one per line.

    A blank line always ends a sentence; a line without final punctuation ends one too
    unless the next line starts in lower case. With --json each line is
    {"text", "start", "end"}, character offsets into the input.

    \b
        corpus segment --lang ru article.txt
        echo "Мы пришли. Он ушёл." | corpus segment --lang ru -
        corpus segment --lang de --json notes.txt
    """
    checked_languages([lang], "--lang", und=True)
    for offset, para in _paragraphs(file):
        for a, b in sentence_spans(para, lang):
            text = para[a:b]
            if as_json:
                row = {"text": text, "start": offset + a, "end": offset + b}
                click.echo(json.dumps(row, ensure_ascii=False))
            else:
                click.echo(" ".join(text.split()))
