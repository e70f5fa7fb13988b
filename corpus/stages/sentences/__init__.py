"""Sentence segmentation, language-aware, with exact character spans.

``sentence_spans(text, lang)`` returns ``(start, end)`` offsets into *text* (whitespace
between sentences excluded, so ``text[start:end]`` is the sentence); ``split_sentences``
returns the sentence strings. Rules per language live in ``corpus/stages/sentences/data/*.txt``;
every other language gets the generic rules (all scripts' stops: 。！？ । ؟ ։ ። …).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from corpus.stages.sentences.rules import LANGS_WITH_DATA, rules_for
from corpus.stages.sentences.splitter import iter_spans

__all__ = [
    "LANGS_WITH_DATA",
    "iter_paragraph_sentences",
    "rules_for",
    "sentence_spans",
    "split_sentences",
]


def sentence_spans(text: str, lang: str = "und") -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences of *text* (whitespace excluded)."""
    return list(iter_spans(text, lang))


def split_sentences(text: str, lang: str = "und") -> list[str]:
    """The sentences of *text*, language-aware for *lang* (ISO 639-1; region ignored)."""
    return [text[a:b] for a, b in iter_spans(text, lang)]


def iter_paragraph_sentences(lines: Iterable[str], lang: str = "und") -> Iterator[str]:
    """Sentences of a stream of lines, holding one paragraph in memory at a time.

    A blank line always ends a sentence, so paragraphs can be split independently: memory
    stays flat however long the stream is.
    """
    buf: list[str] = []
    for line in lines:
        if line.strip():
            buf.append(line)
            continue
        if buf:
            yield from split_sentences("".join(buf), lang)
            buf = []
    if buf:
        yield from split_sentences("".join(buf), lang)
