"""corpus as plug-ins of the shared main-content harness (``bench-data/boilerplate/harness``).

``clean_html`` and ``keep_lines`` are the public functions, exactly what ``corpus build``
keeps with the default pipeline (the headline included). The harness's gold texts never
hold the headline (scrapinghub's article bodies start below it), so the ``*_body``
variants leave out the one segment corpus itself marks as the headline (kind ``title``):
the like-for-like comparison with peers that do not return headlines either.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # a checkout, not installed

import corpus
from corpus.stages.boilerplate.classify import classify_page
from corpus.textnorm import normalize_text


def clean_html(html: str, url: str | None = None) -> str:
    return corpus.clean_html(html, url)


def clean_html_body(html: str, url: str | None = None) -> str:
    return "\n".join(s.text for s in corpus.page_segments(html, url)
                     if s.kept and s.kind != "title")


def keep_lines(lines: list[str], lang: str | None = None) -> list[bool]:
    return corpus.keep_lines(lines, lang)


def keep_lines_body(lines: list[str], lang: str | None = None) -> list[bool]:
    keep = corpus.keep_lines(lines, lang)
    texts = [normalize_text(line) for line in lines]
    present = [i for i, t in enumerate(texts) if t]
    for i, verdict in zip(present, classify_page([texts[i] for i in present], lang=lang),
                          strict=True):
        if verdict.kind == "title":
            keep[i] = False
    return keep
