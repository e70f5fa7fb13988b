"""Language identification: the one place that decides which language a text is in.

Order of decisions, cheapest and surest first:

1. No letters once URLs, handles and numbers are set aside: ``und``.
2. The letters' Unicode script (:mod:`corpus.langid_script`). A script one language writes
   (Greek, Hangul, Thai, ...) decides without a model; a shared one (Cyrillic, Arabic, Latin)
   limits the candidates.
3. The candidates are scored by :class:`corpus.langid_model.Model`: langdetect's n-gram
   profiles summed exactly (deterministic, no sampling), frequent-word evidence, and alphabet
   checks that separate the Cyrillic languages.
4. Scores become a probability with a temperature fitted on held-out data, so a word that is
   common in three languages gets about a third each, not 0.99. A *hint* (the document's
   language) is a prior: decisive for a one-word line, outweighed by a real sentence.
5. Below ``min_prob`` the answer is ``und``: an honest "don't know" beats a confident mistake.

Results are cached by normalised text, because boilerplate lines repeat across pages.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from corpus.langid_model import Model, strip_noise, words_of
from corpus.langid_script import (
    CANDIDATES,
    UNAMBIGUOUS,
    lang_script_ok,
    script_of,
    script_profile,
    script_runs,
)
from corpus.records import UND

__all__ = [
    "LangGuess",
    "detect",
    "detect_document",
    "script_of",
    "split_by_language",
    "supported_languages",
]

TEMPERATURE = 1.0  # tempers word log-likelihoods into a calibrated probability
HINT_ODDS = 30.0  # prior odds for the document's language on a segment in its script
MIN_PROB = 0.2  # below this, answer "und"
MIN_SPLIT_LETTERS = 8  # a foreign-script run shorter than this stays with its neighbours


@dataclass(frozen=True, slots=True)
class LangGuess:
    lang: str  # ISO 639-1, or "und"
    prob: float  # calibrated probability of ``lang``
    script: str  # dominant Unicode script of the letters, e.g. "Latin", "Cyrillic"; "" if none


_model: Model | None = None
_lock = threading.Lock()


def _get_model() -> Model:
    """Load the profiles and word lists once per process (about a second)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = Model()
    return _model


def supported_languages() -> list[str]:
    """Every code :func:`detect` can answer (besides ``und``), sorted."""
    langs = set(_get_model().langs) | set(UNAMBIGUOUS.values())
    for cands in CANDIDATES.values():
        langs |= set(cands)
    return sorted(langs)


def _latin_candidates(model: Model) -> list[str]:
    return [lang for lang in model.langs if lang_script_ok(lang, "Latin") and lang != "sr"]


def detect(
    text: str,
    *,
    hint: str | None = None,
    allowed: Sequence[str] | None = None,
    min_prob: float = MIN_PROB,
) -> LangGuess:
    """Language of *text*.

    *hint* is the document's main language: a prior that settles short, ambiguous lines
    ("Subscribe" on an English page) but never overrides the script ("Подписаться" on an
    English page is still Russian). *allowed* restricts the answers; text in none of them is
    ``und``. Deterministic: the same input always gives the same answer.
    """
    key = " ".join(text.split())
    allowed_key = tuple(sorted(set(allowed))) if allowed else None
    return _detect_cached(key, hint or None, allowed_key, min_prob)


@lru_cache(maxsize=200_000)
def _detect_cached(
    text: str, hint: str | None, allowed: tuple[str, ...] | None, min_prob: float
) -> LangGuess:
    clean = strip_noise(text)
    profile = script_profile(clean)
    script = profile.main
    if not script:
        return LangGuess(UND, 0.0, "")
    single = UNAMBIGUOUS.get(script)
    if single is not None:
        if allowed is not None and single not in allowed:
            return LangGuess(UND, 0.0, script)
        return LangGuess(single, 1.0, script)
    model = _get_model()
    if script == "Latin":
        cands = _latin_candidates(model)
    else:
        cands = [c for c in CANDIDATES.get(script, ()) if c in model.lang_index]
    if allowed is not None:
        cands = [c for c in cands if c in allowed]
    if not cands:
        return LangGuess(UND, 0.0, script)
    if len(cands) == 1:
        return LangGuess(cands[0], 1.0, script)  # e.g. Bengali script, or one allowed language
    scores = model.scores(clean, cands, script)
    logits = scores / TEMPERATURE
    if hint and hint in cands:
        logits[cands.index(hint)] += math.log(HINT_ODDS)
    post = _softmax(logits)
    best = int(np.argmax(post))
    prob = float(post[best])
    if prob < min_prob:
        return LangGuess(UND, round(prob, 4), script)
    return LangGuess(cands[best], round(prob, 4), script)


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max())
    return e / e.sum()


def detect_document(
    texts: Iterable[str], *, allowed: Sequence[str] | None = None, max_chars: int = 4000
) -> LangGuess:
    """Main language of a document from its segments: the prior for its short lines.

    Longer segments carry the decision (a page's navigation is short, its article long), so
    the longest ones are scored together, up to *max_chars*.
    """
    pieces = sorted((t for t in texts if t.strip()), key=lambda t: (-len(t), t))
    chosen: list[str] = []
    size = 0
    for t in pieces:
        if size >= max_chars:
            break
        chosen.append(t)
        size += len(t)
    return detect("\n".join(chosen), allowed=allowed) if chosen else LangGuess(UND, 0.0, "")


Span = tuple[int, int]


def split_by_language(
    text: str,
    spans: Sequence[Span] | None = None,
    *,
    hint: str | None = None,
    allowed: Sequence[str] | None = None,
) -> list[tuple[Span, LangGuess]]:
    """Cut *text* into runs of one language: ``[((start, end), LangGuess), ...]``.

    *spans* are the sentence spans of the segment (the whole text when omitted). Each sentence
    is detected on its own, with the segment's own language as the prior; inside a sentence, a
    run of another script long enough to judge (e.g. an English phrase in a Russian line with
    no punctuation between) becomes a piece of its own. Adjacent pieces of one language merge,
    so a one-language segment comes back as a single run covering all its sentences.
    """
    if spans is None or not spans:
        spans = [(0, len(text))]
    block_hint = hint or detect(text, allowed=allowed).lang
    block_hint = None if block_hint == UND else block_hint
    pieces: list[tuple[Span, LangGuess]] = []
    for start, end in spans:
        for s, e in _script_pieces(text, start, end):
            guess = detect(text[s:e], hint=block_hint, allowed=allowed)
            pieces.append(((s, e), guess))
    return _merge(pieces, text)


def _script_pieces(text: str, start: int, end: int) -> list[Span]:
    """Split a sentence where the script changes, keeping short foreign runs (names) in place."""
    runs = [(s + start, e + start, sc) for s, e, sc in script_runs(text[start:end])]
    out: list[list[int]] = []
    for s, e, _sc in runs:
        letters = sum(ch.isalpha() for ch in text[s:e])
        if out and (letters < MIN_SPLIT_LETTERS or len(words_of(text[s:e])) < 2):
            out[-1][1] = e  # too short to stand alone: part of the previous piece
        else:
            out.append([s, e])
    # a short first run (e.g. a Latin brand opening a Russian line) joins the next piece
    if len(out) > 1:
        s, e = out[0]
        if sum(ch.isalpha() for ch in text[s:e]) < MIN_SPLIT_LETTERS:
            out[1][0] = s
            out.pop(0)
    return [(s, e) for s, e in out]


def _merge(pieces: list[tuple[Span, LangGuess]], text: str) -> list[tuple[Span, LangGuess]]:
    """Join neighbouring pieces of one language; ``und`` pieces (numbers) join the previous."""
    merged: list[tuple[Span, LangGuess, int]] = []
    for (s, e), g in pieces:
        weight = max(1, sum(ch.isalpha() for ch in text[s:e]))
        if merged and (g.lang == merged[-1][1].lang or g.lang == UND):
            (ps, _pe), pg, pw = merged[-1]
            if g.lang == UND:
                merged[-1] = ((ps, e), pg, pw)
                continue
            prob = (pg.prob * pw + g.prob * weight) / (pw + weight)
            merged[-1] = ((ps, e), LangGuess(pg.lang, round(prob, 4), pg.script), pw + weight)
        else:
            merged.append(((s, e), g, weight))
    return [(span, g) for span, g, _ in merged]
