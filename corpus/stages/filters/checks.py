"""Quality checks for training sentences and translation pairs: measure, then decide.

Every check is a pure function of text (plus the facts already on the record) that returns
the *reason* to drop, or ``None``. Scores are computed separately (:func:`char_classes`,
:func:`script_purity`, :func:`repeated_token_ratio`, :func:`copy_ratio`) so the audit can
show distributions while thresholds stay in the pipeline file.

Reasons are stable, short identifiers (``too_short_words``, ``low_letter_ratio``,
``translation_wrong_lang`` …): the manifest counts them and the rejects list carries them.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass

from corpus.stages.langid.script import char_script
from corpus.words import words

_JAPANESE = frozenset({"Han", "Hiragana", "Katakana"})


@dataclass(frozen=True, slots=True)
class CharClasses:
    """Shares of the non-space characters of a text."""

    letters: float
    digits: float
    punctuation: float  # punctuation and symbols
    chars: int  # non-space characters counted


def char_classes(text: str) -> CharClasses:
    letters = digits = punct = total = 0
    for ch in text:
        if ch.isspace():
            continue
        total += 1
        cat = unicodedata.category(ch)
        if cat[0] in "LM":
            letters += 1
        elif cat[0] == "N":
            digits += 1
        elif cat[0] in "PS":
            punct += 1
    if not total:
        return CharClasses(0.0, 0.0, 0.0, 0)
    return CharClasses(letters / total, digits / total, punct / total, total)


def script_purity(text: str) -> float:
    """Share of letters in the dominant script (Han and kana count as one: Japanese).

    1.0 for text without letters: purity is about mixing, not about having letters.
    """
    counts: Counter[str] = Counter()
    for ch in text:
        script = char_script(ch)
        if script:
            counts["Japanese" if script in _JAPANESE else script] += 1
    total = sum(counts.values())
    return max(counts.values()) / total if total else 1.0


def repeated_token_ratio(tokens: list[str]) -> float:
    """1 - distinct/total over case-folded tokens: 0 for no repeats, near 1 for spam."""
    if not tokens:
        return 0.0
    return 1.0 - len({t.casefold() for t in tokens}) / len(tokens)


def repeated_line_ratio(lines: list[str]) -> float:
    """Share of non-empty lines that repeat an earlier line of the same document."""
    seen: set[str] = set()
    repeats = total = 0
    for line in lines:
        key = " ".join(line.split()).casefold()
        if not key:
            continue
        total += 1
        if key in seen:
            repeats += 1
        seen.add(key)
    return repeats / total if total else 0.0


def comparable(text: str) -> str:
    """Case-folded words only: "Hello, World!" and "hello world" compare equal."""
    return " ".join(w.casefold() for w in words(text))


def copy_ratio(source: str, target: str) -> float:
    """Share of the target's words that also occur in the source (case-folded).

    A real translation between different languages reuses names and numbers; an output
    that copies most of its input was not translated.
    """
    tgt = [w.casefold() for w in words(target)]
    if not tgt:
        return 0.0
    src = {w.casefold() for w in words(source)}
    return sum(1 for w in tgt if w in src) / len(tgt)


def length_ratio(source: str, target: str) -> float:
    """max/min of the two lengths in characters (>= 1); inf when one side is empty."""
    a, b = len(source.strip()), len(target.strip())
    if not a or not b:
        return float("inf") if a or b else 1.0
    return max(a, b) / min(a, b)


def bounds_reason(value: float, low: float, high: float, name: str) -> str | None:
    """``too_short_<name>`` / ``too_long_<name>``; a bound of 0 is off."""
    if low and value < low:
        return f"too_short_{name}"
    if high and value > high:
        return f"too_long_{name}"
    return None
