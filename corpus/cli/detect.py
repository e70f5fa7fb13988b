"""``corpus detect``: the language of a text, or of each line of standard input."""

from __future__ import annotations

import json
import sys

import click

from corpus.cli.base import CorpusCommand, checked_languages


def _languages(value: str | None) -> list[str] | None:
    if not value:
        return None
    langs = sorted({code.strip().lower() for code in value.split(",") if code.strip()})
    return langs or None


@click.command(cls=CorpusCommand)
@click.argument("texts", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per text.")
@click.option(
    "--languages", metavar="CODES", help="Allowed languages, comma-separated (e.g. en,ru,uk)."
)
@click.option("--hint", metavar="CODE", help="The document's language: a prior for short texts.")
def detect(texts: tuple[str, ...], as_json: bool, languages: str | None, hint: str | None) -> None:
    """Print the language, its probability and the script of each TEXT.

    With no TEXT, read standard input, one text per line. Texts with no letters
    (numbers, URLs, symbols) are `und`.

    \b
        corpus detect "Головна"                 # uk  0.93  Cyrillic
        corpus detect --hint en "Subscribe"
        cat lines.txt | corpus detect --json --languages en,ru,uk
    """
    from corpus.stages.langid.detector import detect as detect_language

    allowed = checked_languages(_languages(languages) or [], "--languages") or None
    if hint is not None:
        checked_languages([hint], "--hint", und=True)
    source = texts if texts else (line.rstrip("\n") for line in sys.stdin)
    for text in source:
        guess = detect_language(text, hint=hint, allowed=allowed)
        if as_json:
            record = {"text": text, "lang": guess.lang, "prob": guess.prob, "script": guess.script}
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            click.echo(f"{guess.lang}\t{guess.prob:.2f}\t{guess.script or '-'}\t{text}")
