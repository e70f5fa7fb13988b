"""One definition of a word, shared by the filters, near-dup shingles and the audit."""

from __future__ import annotations

import pytest
from records_fixture import doc_of

from corpus.audit.stats import count_words as audit_count
from corpus.records import Sentence
from corpus.stages.filters.step import SentenceFilter
from corpus.words import count_words, words


@pytest.mark.parametrize(("text", "expected"), [
    ("Hello, world — again!", ["Hello", "world", "again"]),
    ("don't stop, l'homme well-known", ["don't", "stop", "l'homme", "well-known"]),
    ("नमस्ते दुनिया", ["नमस्ते", "दुनिया"]),  # combining marks stay inside the word
    ("我们今天", ["我", "们", "今", "天"]),  # no spaces: one word per character
    ("Pi is 3.14, not 1,000", ["Pi", "is", "3.14", "not", "1,000"]),
    ("x_y", ["x", "y"]),
    ("— … !", []),
])
def test_words(text, expected):
    assert words(text) == expected
    assert count_words(text) == len(expected)


def test_the_filter_and_the_audit_count_alike():
    """`min_words = 3` keeps a Chinese sentence of three characters or more, and its count
    is the one the audit reports."""
    text = "我们今天去公园。"
    step = SentenceFilter(min_words=3)
    doc = doc_of([text, "好"], lang="zh")
    list(step([doc]))
    kept = [s.text for s in doc.segments[0].sentences if s.kept]
    assert kept == [text]
    assert audit_count(text) == count_words(text) == 7
    assert isinstance(doc.segments[0].sentences[1], Sentence)
    assert doc.segments[0].sentences[1].reason == "too_short_words"


def test_ascii_text_gets_the_same_words_by_the_fast_pattern():
    """ASCII text goes through a standard-library pattern; it must find what the full
    pattern finds, on every mix of letters, digits, joiners and separators."""
    import random

    from corpus.words import _WORD

    rng = random.Random(7)
    alphabet = "ab Z09.,'-_ \t!x"
    texts = ["3.14a", "1,000,", "'quoted' - dash", "a--b", "x'-y", "9.", "co-op's 12-3"]
    texts += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 14)))
              for _ in range(20_000)]
    for text in texts:
        assert words(text) == _WORD.findall(text), text
