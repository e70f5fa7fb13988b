"""Language identification: the one place that decides which language a text is in.

Order of decisions, cheapest and surest first:

1. No letters once URLs, handles and numbers are set aside: ``und``.
2. The letters' Unicode script (:mod:`corpus.stages.langid.script`). A script one language writes
   (Greek, Hangul, Thai, ...) decides without a model; a shared one (Cyrillic, Arabic, Latin)
   limits the candidates.
3. The candidates are scored by :class:`corpus.stages.langid.model.Model`: langdetect's n-gram
   profiles summed exactly (deterministic, no sampling), frequent-word evidence, and alphabet
   checks that separate the Cyrillic languages.
4. Scores become a probability with a temperature fitted on held-out data, so a word that is
   common in three languages gets about a third each, not 0.99. A *hint* (the document's
   language) is a prior: decisive for a one-word line, outweighed by a real sentence.
5. Below ``min_prob`` the answer is ``und``: an honest "don't know" beats a confident mistake.
6. Languages whose n-grams are nearly one model are told apart by words: a close pair
   (``CLOSE_PAIRS``: id/ms, zu/xh, ...) by the words each list has ten times as often as
   the other's, Bosnian (scored as Croatian) by its marker words (``MARKED``).

Results are cached by normalised text, because boilerplate lines repeat across pages.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from corpus.records import UND
from corpus.stages.langid.model import Model, Parts, strip_noise, words_of
from corpus.stages.langid.script import (
    CANDIDATES,
    UNAMBIGUOUS,
    ScriptProfile,
    count_letters,
    lang_script_ok,
    script_of,
    script_profile,
    script_runs,
    single_script,
)

__all__ = [
    "LangGuess",
    "clear_caches",
    "detect",
    "detect_document",
    "detect_many",
    "detect_page",
    "script_of",
    "split_by_language",
    "split_many",
    "supported_languages",
]

# Temperatures that temper log-likelihoods into calibrated probabilities, by number of
# words (more for longer texts: their words' evidence is not independent). Fitted by
# bench/langid_calibrate.py on gettext strings of packages the profiles are not built from
# (ECE 0.177/0.129/0.047 at 1.0 -> 0.045/0.029/0.020 for 1, 2 and 5+ words); 3-4 words
# take the value between. One word: 2.0 there, 1.5 on the benchmark's held-out rows 40-79
# (single words ECE 0.058 -> 0.022; rows 0-39 0.058 -> 0.028, rows 80-199 0.052 ->
# 0.017): the one-word probabilities were too flat (answers at 0.3 right 40 % of the time).
TEMPERATURES = {0: 1.5, 1: 1.5, 2: 2.25, 3: 2.5, 4: 2.5}
TEMPERATURE = 2.75  # five words or more
HINT_ODDS = 30.0  # prior odds for the document's language on a segment in its script
MIN_PROB = 0.1  # below this, "und": as often as 0.2 before calibration (langid_calibrate.py)
MIN_SPLIT_LETTERS = 8  # a foreign-script run shorter than this stays with its neighbours
CACHE_CHARS = 200  # texts up to this long are cached: boilerplate repeats, paragraphs do not
CACHE_SIZE = 50_000  # cached answers (a few hundred bytes each: 20 MB at most)
# Longer texts are cached by a digest of their text, a few thousand of them: a one-sentence
# paragraph is detected again as its own sentence, with the same prior when it is in its
# page's language (a tenth of the long texts of a crawl), and a long notice repeats.
LONG_CACHE_SIZE = 8192
MAX_CHARS = 2000  # characters of a long text that are scored: the first ones decide it
# In the page's script vote a character of these scripts is a syllable, worth the three or
# so Latin letters that spell it: a Chinese lyrics page with a pinyin title is Chinese.
SYLLABIC = {"Han": 3, "Hiragana": 3, "Katakana": 3, "Hangul": 3}


@dataclass(frozen=True, slots=True)
class LangGuess:
    lang: str  # ISO 639-1, or "und"
    prob: float  # calibrated probability of ``lang``
    script: str  # dominant Unicode script of the letters, e.g. "Latin", "Cyrillic"; "" if none


@dataclass(frozen=True, slots=True)
class _Analysis:
    """What a text says before any prior: decided outright, or scores over candidates."""

    script: str
    counts: tuple[tuple[str, int], ...]  # letters per script
    cands: tuple[str, ...] = ()
    fixed: LangGuess | None = None  # decided without the model
    parts: Parts | None = None  # additive score parts, one row
    logits: np.ndarray | None = None
    text: str = ""  # what was scored: the evidence for another language than the hint


_model: Model | None = None
_lock = threading.Lock()
_cache: OrderedDict[tuple, LangGuess] = OrderedDict()  # least recently used goes first
_long_cache: OrderedDict[tuple, LangGuess] = OrderedDict()  # keyed by a digest of the text
_cache_lock = threading.Lock()


def _get_model() -> Model:
    """Load the profiles and word lists once per process (under a second)."""
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                _model = Model()
    return _model


def clear_caches() -> None:
    """Forget cached answers and word rows (for benchmarks; answers never depend on them)."""
    with _cache_lock:
        _cache.clear()
        _long_cache.clear()
    if _model is not None:
        _model.clear_cache()


def supported_languages() -> list[str]:
    """Every code :func:`detect` can answer (besides ``und``), sorted."""
    model = _get_model()
    langs = set(model.langs) | set(UNAMBIGUOUS.values()) | set(model.markers)
    for cands in CANDIDATES.values():
        langs |= set(cands)
    return sorted(langs)


@lru_cache(maxsize=1)
def _latin_candidates() -> tuple[str, ...]:
    model = _get_model()
    return tuple(lang for lang in model.langs if lang_script_ok(lang, "Latin") and lang != "sr")


@lru_cache(maxsize=1024)
def _candidates(script: str, allowed: tuple[str, ...] | None) -> tuple[str, ...]:
    if script == "Latin":
        cands = _latin_candidates()
    else:
        index = _get_model().lang_index
        cands = tuple(c for c in CANDIDATES.get(script, ()) if c in index)
    if allowed is not None:
        cands = tuple(c for c in cands if c in allowed)
    return cands


def _key(text: str) -> str:
    return " ".join(text.split())


def _allowed_key(allowed: Sequence[str] | None) -> tuple[str, ...] | None:
    return tuple(sorted(set(allowed))) if allowed else None


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
    return detect_many([text], hints=[hint], allowed=allowed, min_prob=min_prob)[0]


def detect_many(
    texts: Sequence[str],
    *,
    hints: Sequence[str | None] | None = None,
    allowed: Sequence[str] | None = None,
    min_prob: float = MIN_PROB,
    context: bool = True,
) -> list[LangGuess]:
    """:func:`detect` of each text (with its hint), scored together: much faster in bulk.

    *context* False makes each hint a prior only (as for a translation's target language,
    where the question is whether the output is in it, not what page it sits on): another
    language then wins on n-grams alone, without the evidence a page's line needs.
    """
    return _detect_keys([_key(t) for t in texts], hints, _allowed_key(allowed), min_prob,
                        context=context)


def _detect_keys(
    keys: list[str],
    hints: Sequence[str | None] | None,
    allowed: tuple[str, ...] | None,
    min_prob: float,
    known: dict[str, _Analysis] | None = None,
    context: bool = True,
) -> list[LangGuess]:
    out: list[LangGuess | None] = [None] * len(keys)
    todo: list[tuple[int, OrderedDict[tuple, LangGuess], tuple]] = []
    for i, key in enumerate(keys):
        hint = (hints[i] if hints is not None else None) or None
        if len(key) <= CACHE_CHARS:
            cache, ck = _cache, (key, hint, allowed, min_prob, context)
        else:
            digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16)
            cache, ck = _long_cache, (digest.digest(), hint, allowed, min_prob, context)
        with _cache_lock:
            hit = cache.get(ck)
            if hit is not None:
                cache.move_to_end(ck)
        if hit is not None:
            out[i] = hit
            continue
        todo.append((i, cache, ck))
    if todo:
        known = dict(known or {})
        missing = sorted({keys[i] for i, _, _ in todo if keys[i] not in known})
        known.update(zip(missing, _analyse(missing, allowed), strict=True))
        guesses = _decide_many([known[keys[i]] for i, _, _ in todo],
                               [ck[1] for _, _, ck in todo], min_prob, context, allowed)
        for (i, cache, ck), guess in zip(todo, guesses, strict=True):
            out[i] = guess
            with _cache_lock:
                cache[ck] = guess
                if len(cache) > (CACHE_SIZE if cache is _cache else LONG_CACHE_SIZE):
                    cache.popitem(last=False)
    return out  # type: ignore[return-value]


def _analyse(keys: list[str], allowed: tuple[str, ...] | None) -> list[_Analysis]:
    """Script and candidate scores of each text; texts of one script are scored in one batch."""
    out: list[_Analysis | None] = [None] * len(keys)
    groups: dict[tuple[str, tuple[str, ...]], list[tuple[int, str, ScriptProfile]]] = {}
    for i, key in enumerate(keys):
        clean = strip_noise(key)
        profile = script_profile(clean)
        script = profile.main
        fixed = _fixed(script, allowed)
        if fixed is not None:
            out[i] = _Analysis(script, profile.counts, fixed=fixed)
            continue
        cands = _candidates(script, allowed)
        if len(cands) == 1:  # e.g. Bengali script, or one allowed language
            out[i] = _Analysis(script, profile.counts, cands, LangGuess(cands[0], 1.0, script))
            continue
        groups.setdefault((script, cands), []).append((i, _head(clean), profile))
    model = _get_model() if groups else None
    for (script, cands), items in groups.items():
        assert model is not None
        char, delta, n_words, penalty = model.score_parts([t for _, t, _ in items], list(cands),
                                                          script)
        logits = model.combine((char, delta, n_words, penalty))
        for row, (i, text, profile) in enumerate(items):
            parts = (char[row], delta[row], n_words[row : row + 1], penalty[row])
            out[i] = _Analysis(script, profile.counts, cands, None, parts, logits[row], text)
    return out  # type: ignore[return-value]


def _head(text: str) -> str:
    """The first ``MAX_CHARS`` characters of a long text, cut between words."""
    if len(text) <= MAX_CHARS:
        return text
    cut = text.rfind(" ", 0, MAX_CHARS)
    return text[: cut if cut > 0 else MAX_CHARS]


def _fixed(script: str, allowed: tuple[str, ...] | None) -> LangGuess | None:
    """The answer when the script alone decides it (or no candidate is left)."""
    if not script:
        return LangGuess(UND, 0.0, "")
    single = UNAMBIGUOUS.get(script)
    if single is not None:
        if allowed is not None and single not in allowed:
            return LangGuess(UND, 0.0, script)
        return LangGuess(single, 1.0, script)
    if not _candidates(script, allowed):
        return LangGuess(UND, 0.0, script)
    return None


def _decide_many(
    analyses: Sequence[_Analysis], hints: Sequence[str | None], min_prob: float, context: bool,
    allowed: tuple[str, ...] | None = None,
) -> list[LangGuess]:
    """The answer for each analysed text with its hint: :func:`_posterior_many` of those the
    script did not decide (a marked language's hint scored as the language it is scored
    as), then :func:`_marked`."""
    out: list[LangGuess | None] = [a.fixed for a in analyses]
    todo = [i for i, a in enumerate(analyses) if a.fixed is None]
    items = []
    for i in todo:
        a = analyses[i]
        assert a.logits is not None and a.parts is not None
        hint = hints[i]
        items.append(_Item(a.logits, a.cands, a.script, MARKED.get(hint or "", hint),
                           a.text if context else "", int(a.parts[2][0])))
    for i, guess in zip(todo, _posterior_many(items, min_prob), strict=True):
        out[i] = _marked(guess, analyses[i].text, hints[i], allowed)
    return out  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class _Item:
    """One text's question to :func:`_posterior_many`."""

    scores: np.ndarray  # log-likelihood per candidate
    cands: tuple[str, ...]
    script: str
    hint: str | None = None
    text: str = ""  # the text, when its page's context may overrule the hint (else "")
    n_words: int = 0


# A language scored as another and told from it only by marker words (build.MARKERS):
# Bosnian, written and scored as Croatian.
MARKED = {"bs": "hr"}
_MARKED_BASES = frozenset(MARKED.values())


def _marked(guess: LangGuess, text: str, hint: str | None,
            allowed: tuple[str, ...] | None) -> LangGuess:
    """*guess*, or the marked language scored as it where *text*'s marker words say so.

    Without a page (or on a page of a third language), more of Bosnian's marker words
    than of Croatian's make a Croatian answer Bosnian; on a Bosnian page a Croatian answer
    stays Bosnian unless Croatian's markers are more; on a Croatian page it stays Croatian.

    Without a page the probability is shared between the two by the markers
    (``MARKER_ODDS`` for each one more of the answer's than of the other's): the n-grams
    and lists that gave it are one model of both, so a text without markers is as likely
    Bosnian as Croatian, and a 0.99 there was wrong half of the time. On a page of a third
    language the probability stays the model's: the segment step splits a line off its
    segment only when it is sure of it (``min_split_prob``), and a Croatian sentence in
    an English segment is surely not English.
    """
    if guess.lang not in _MARKED_BASES:
        return guess  # nearly every answer: no work
    for lang, base in MARKED.items():
        if guess.lang != base or hint == base or not text:
            continue
        if allowed is not None and lang not in allowed:
            continue
        markers = _get_model().markers
        if lang not in markers:
            continue
        words = set(words_of(text))
        mine, theirs = len(words & markers[lang]), len(words & markers.get(base, frozenset()))
        if hint == lang:  # the page's language: ties are Bosnian, as sure as the model
            if mine >= theirs:
                return LangGuess(lang, guess.prob, guess.script)
            return guess
        answer = lang if mine > theirs else base
        if hint is not None:  # a line of a third language's page: how sure it is of
            # not being in the page's language is what the segment step's split asks
            return guess if answer == base else LangGuess(lang, guess.prob, guess.script)
        share = 1.0 / (1.0 + MARKER_ODDS ** -abs(mine - theirs))
        return LangGuess(answer, round(guess.prob * share, 4), guess.script)
    return guess


# Odds for one more marker word of a language than of the language it is scored as (see
# _marked): on held-out rows 40-79 a text with one more Bosnian marker than Croatian was
# Bosnian 5 times in 5, one with one more Croatian marker Croatian 11 times in 18.
MARKER_ODDS = 2.0


def _posterior(
    scores: np.ndarray,
    cands: Sequence[str],
    script: str,
    hint: str | None,
    min_prob: float,
    text: str = "",
    n_words: int = 0,
) -> LangGuess:
    """The calibrated answer from the candidates' log-likelihoods (see
    :func:`_posterior_many`)."""
    return _posterior_many([_Item(scores, tuple(cands), script, hint, text, n_words)],
                           min_prob)[0]


def _posterior_many(items: Sequence[_Item], min_prob: float) -> list[LangGuess]:
    """The calibrated answer of each text from its candidates' log-likelihoods.

    With a *hint* (the page's language) in the candidates, another language wins only with
    evidence the hint lacks (:func:`_evidence`): the n-grams of one word or of a sentence
    full of names are no reason to leave the page's language ("Klapptext:" is not Swedish
    on a German page). Without a hint, a text of one or two words leans towards the
    languages the web is mostly written in ("hello" is English before it is Malay).

    Texts with the same candidates are tempered and normalised as one matrix: per text,
    the dozen small numpy calls cost more than the arithmetic (36 us a text). Row by row
    the operations are the ones a single text gets (elementwise, and a reduction along
    each row), so every probability is the same to the last bit.
    """
    out: list[LangGuess | None] = [None] * len(items)
    groups: dict[tuple[str, ...], list[int]] = {}
    for i, item in enumerate(items):
        groups.setdefault(item.cands, []).append(i)
    for cands, idx in groups.items():
        scores = np.stack([items[i].scores for i in idx])
        hint_at = [cands.index(h) if (h := items[i].hint) and h in cands else -1 for i in idx]
        hinted = [k for k, at in enumerate(hint_at) if at >= 0]
        if hinted:  # the hint's odds are in the scores' own units, tempered with them: with
            # a hint the decisions stay those made before calibration, only the
            # probabilities are tempered
            scores[hinted, [hint_at[k] for k in hinted]] += math.log(HINT_ODDS)
        logits = scores / np.array([temperature(items[i].n_words) for i in idx])[:, None]
        prior = [k for k, i in enumerate(idx) if hint_at[k] < 0 and items[i].text
                 and items[i].n_words <= PRIOR_WORDS and items[i].script != "Han"]
        if prior:  # Han: rarely ja. In the scores' units, tempered with them: the
            # temperatures only make the probabilities honest, not the decisions
            temps = np.array([temperature(items[idx[k]].n_words) for k in prior])[:, None]
            logits[prior] = logits[prior] + _frequent_prior(cands) / temps
        post = np.exp(logits - logits.max(axis=1, keepdims=True))
        post /= post.sum(axis=1, keepdims=True)
        order = np.argsort(-post, axis=1, kind="stable")
        for k, i in enumerate(idx):
            out[i] = _answer(items[i], post[k], order[k], hint_at[k] >= 0, min_prob)
    return out  # type: ignore[return-value]


def _answer(item: _Item, post: np.ndarray, order: np.ndarray, hinted: bool,
            min_prob: float) -> LangGuess:
    cands, hint = item.cands, item.hint
    best = int(order[0])
    if hinted and cands[best] != hint and item.text:
        model = _get_model()
        skipped = 0.0
        for k in order.tolist():
            if cands[k] == hint or _evidence(model, item.text, cands[k], hint):  # type: ignore[arg-type]
                best = k
                break
            skipped += float(post[k])
        prob = float(post[best]) / max(1e-12, 1.0 - skipped)
    else:
        prob = float(post[best])
        if item.text and len(order) > 1:
            second = int(order[1])
            if _distinct_words(item.text, cands[second], cands[best]):
                best = second  # as sure of it as of the model's own first answer
    if prob < min_prob:
        return LangGuess(UND, round(prob, 4), item.script)
    return LangGuess(cands[best], round(prob, 4), item.script)


def temperature(n_words: int) -> float:
    """The temperature for a text of *n_words* words (see ``TEMPERATURES``)."""
    return TEMPERATURES.get(n_words, TEMPERATURE)


def _evidence(model: Model, text: str, lang: str, hint: str) -> bool:
    """Whether *text* shows *lang* rather than the page's language *hint* beyond n-grams.

    Evidence is a letter of *lang*'s own that *hint* does not write (ñ on a German page), or
    at least ``CONTEXT_WORDS`` words that *lang*'s word list has ten times as frequent as
    *hint*'s (or than *hint*'s list could have it, when it lacks the word), and far fewer
    the other way round: German lists "the" and "with" too, but a thousand times rarer
    than English. Where either language has no word list, the words cannot speak and the
    n-grams decide, as without a hint, on texts of ``NO_LIST_WORDS`` words or more.
    """
    words = words_of(text)
    for ch in {c for w in words for c in w if not c.isascii()}:
        if (model.letter_freq(hint, ch) < RARE_LETTER
                and model.letter_freq(lang, ch) >= OWN_LETTER):
            return True
    if not (model.has_list(lang) and model.has_list(hint)):
        # the n-grams decide, but only over a real sentence: on one or two words they
        # gave "May" and names on English pages to Somali, which has no list
        return len(words) >= NO_LIST_WORDS
    own, other = _word_margins(model, words, lang, hint)
    return own >= CONTEXT_WORDS and own >= 3 * other


def _word_margins(model: Model, words: Iterable[str], lang: str, other: str) -> tuple[int, int]:
    """How many distinct *words* *lang*'s list has ten times as often as *other*'s, and how
    many the other way round. A word one list lacks is compared at the most it could be
    there (a cut list's floor, :meth:`Model.zipf`): "logout" is not ten times as frequent in
    Indonesian as in English because English's 50,000 words stop just before it."""
    mine = theirs = 0
    for w in set(words):
        mine += model.zipf(w, lang) - model.zipf(w, other, bound=True) >= WORD_MARGIN
        theirs += model.zipf(w, other) - model.zipf(w, lang, bound=True) >= WORD_MARGIN
    return mine, theirs


# Languages so close that their n-gram profiles cannot tell them apart on a sentence: when
# the two best are one of these pairs, the words each one's list has ten times as often as
# the other's decide between them ("bahawa", "kerana" are Malay; "bahwa", "karena"
# Indonesian).
CLOSE_PAIRS = frozenset(map(frozenset, [("id", "ms"), ("zu", "xh"), ("st", "tn"),
                                        ("da", "nb"), ("nb", "nn"), ("cs", "sk")]))
_CLOSE = {lang: frozenset(o for p in CLOSE_PAIRS if lang in p for o in p - {lang})
          for p in CLOSE_PAIRS for lang in p}


def _distinct_words(text: str, lang: str, other: str) -> bool:
    """Whether *lang* and *other* are a close pair and *text* has more words that *lang*'s
    list has ten times as often as *other*'s than the other way round
    (:func:`_word_margins`)."""
    if other not in _CLOSE.get(lang, ()):
        return False
    model = _get_model()
    if not (model.has_list(lang) and model.has_list(other)):
        return False
    mine, theirs = _word_margins(model, words_of(text), lang, other)
    return mine > theirs


# Rough shares of web content by language (W3Techs-style surveys, in %), for one- and
# two-word texts without a page to go by. Not fitted to any benchmark: a common word
# shared by English and Malay is far more often English on the pages we read.
WEB_SHARE = {
    "en": 50.0, "es": 6.0, "de": 5.5, "ja": 4.5, "fr": 4.3, "ru": 4.0, "pt": 3.5, "it": 2.5,
    "nl": 1.8, "pl": 1.7, "tr": 1.7, "zh": 1.3, "fa": 1.2, "vi": 1.1, "id": 1.0, "cs": 0.9,
    "ko": 0.8, "uk": 0.7, "ar": 0.6, "hu": 0.5, "sv": 0.5, "el": 0.5, "ro": 0.5, "da": 0.4,
}
PRIOR_WORDS = 2  # texts of at most this many words get the web-share prior
PRIOR_WEIGHT = 0.3  # log-odds in the scores' units: it tips near-ties ("hello": en over ms)
MIN_SHARE = 0.2  # a language not in WEB_SHARE counts as this share
CONTEXT_WORDS = 2  # listed words another language needs to take a sentence from its page
NO_LIST_WORDS = 5  # a language without a word list takes no shorter line from its page
WORD_MARGIN = 1.0  # Zipf units: a word ten times as frequent in one list as in the other
RARE_LETTER = 1e-4  # a letter this rare in a language's profile is not one of its own
OWN_LETTER = 5e-4  # ... and this frequent, it is


@lru_cache(maxsize=256)
def _frequent_prior(cands: tuple[str, ...]) -> np.ndarray:
    shares = np.array([WEB_SHARE.get(c, MIN_SHARE) for c in cands])
    return PRIOR_WEIGHT * np.log(shares / MIN_SHARE)


def _chosen(texts: Iterable[str], max_chars: int) -> list[str]:
    """The longest texts, up to *max_chars* in all: they carry a page's language."""
    pieces = sorted((t for t in texts if t.strip()), key=lambda t: (-len(t), t))
    chosen: list[str] = []
    size = 0
    for t in pieces:
        if size >= max_chars:
            break
        chosen.append(t)
        size += len(t)
    return chosen


def detect_document(
    texts: Iterable[str], *, allowed: Sequence[str] | None = None, max_chars: int = 4000
) -> LangGuess:
    """Main language of a document from its segments: the prior for its short lines.

    Longer segments carry the decision (a page's navigation is short, its article long), so
    the longest ones are scored together, up to *max_chars*.
    """
    allowed_key = _allowed_key(allowed)
    keys = sorted({_key(t) for t in _chosen(texts, max_chars)})
    return _document(dict(zip(keys, _analyse(keys, allowed_key), strict=True)), allowed_key)


def _document(analyses: dict[str, _Analysis], allowed: tuple[str, ...] | None) -> LangGuess:
    """The language of texts joined: their script letters and score parts summed.

    Scores are sums over words, so adding the parts of each text gives the score of the
    texts joined, without scoring them again.
    """
    if not analyses:
        return LangGuess(UND, 0.0, "")
    counts: Counter[str] = Counter()
    for a in analyses.values():
        counts.update({s: n * SYLLABIC.get(s, 1) for s, n in a.counts})
    script = ScriptProfile(tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))).main
    fixed = _fixed(script, allowed)
    if fixed is not None:
        return fixed
    cands = _candidates(script, allowed)
    if len(cands) == 1:
        return LangGuess(cands[0], 1.0, script)
    rows = [a.parts for _, a in sorted(analyses.items())
            if a.parts is not None and a.script == script and a.cands == cands]
    if not rows:
        return LangGuess(UND, 0.0, script)
    summed = tuple(np.sum([r[j] for r in rows], axis=0) for j in range(4))
    parts = (summed[0][None], summed[1][None], summed[2], summed[3][None])
    guess = _posterior(_get_model().combine(parts)[0], cands, script, None, MIN_PROB,
                       n_words=int(summed[2][0]))
    if guess.lang not in _MARKED_BASES:
        return guess
    # a Bosnian page is told from a Croatian one by the marker words of its texts
    texts = " ".join(a.text for _, a in sorted(analyses.items())
                     if a.parts is not None and a.script == script and a.cands == cands)
    return _marked(guess, texts, None, allowed)


def detect_page(
    texts: Sequence[str],
    *,
    body: Sequence[bool] | None = None,
    allowed: Sequence[str] | None = None,
    max_chars: int = 4000,
) -> tuple[LangGuess, list[LangGuess]]:
    """The document's language and each segment's, with the document's as their prior.

    The same as :func:`detect_document` over the *body* segments (all when none is body)
    followed by :func:`detect` of each segment with that hint, but each text is scored once.
    """
    allowed_key = _allowed_key(allowed)
    sel = [t for t, b in zip(texts, body, strict=True) if b and t] if body is not None else []
    keys = sorted({_key(t) for t in _chosen(sel or list(texts), max_chars)})
    known = dict(zip(keys, _analyse(keys, allowed_key), strict=True))
    doc = _document(known, allowed_key)
    hint = None if doc.lang == UND else doc.lang
    seg_keys = [_key(t) for t in texts]
    guesses = _detect_keys(seg_keys, [hint] * len(texts), allowed_key, MIN_PROB, known)
    return doc, guesses


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
    return split_many([(text, spans, hint)], allowed=allowed)[0]


def split_many(
    items: Sequence[tuple[str, Sequence[Span] | None, str | None]],
    *,
    allowed: Sequence[str] | None = None,
) -> list[list[tuple[Span, LangGuess]]]:
    """:func:`split_by_language` of many ``(text, spans, hint)`` at once (one scoring pass)."""
    allowed_key = _allowed_key(allowed)
    no_hint = [i for i, (_, _, hint) in enumerate(items) if not hint]
    own = _detect_keys([_key(items[i][0]) for i in no_hint], None, allowed_key, MIN_PROB)
    block_hints = [hint for _, _, hint in items]
    for i, guess in zip(no_hint, own, strict=True):
        block_hints[i] = guess.lang
    pieces: list[list[Span]] = []
    keys: list[str] = []
    hints: list[str | None] = []
    for (text, spans, _), block_hint in zip(items, block_hints, strict=True):
        if not spans:
            spans = [(0, len(text))]
        if single_script(text):  # one script throughout: the sentences are the pieces
            mine = [(start, end) for start, end in spans]
        else:
            mine = [p for start, end in spans for p in _script_pieces(text, start, end)]
        pieces.append(mine)
        keys += [_key(text[s:e]) for s, e in mine]
        hints += [None if block_hint == UND else block_hint] * len(mine)
    guesses = iter(_detect_keys(keys, hints, allowed_key, MIN_PROB))
    return [
        _merge([(span, next(guesses)) for span in mine], text)
        for mine, (text, _, _) in zip(pieces, items, strict=True)
    ]


def _script_pieces(text: str, start: int, end: int) -> list[Span]:
    """Split a sentence where the script changes, keeping short foreign runs (names) in place."""
    runs = [(s + start, e + start, sc) for s, e, sc in script_runs(text[start:end])]
    if len(runs) == 1:
        return [(start, end)]
    out: list[list[int]] = []
    for s, e, _sc in runs:
        if out and (
            count_letters(text[s:e]) < MIN_SPLIT_LETTERS or len(words_of(text[s:e])) < 2
        ):
            out[-1][1] = e  # too short to stand alone: part of the previous piece
        else:
            out.append([s, e])
    # a short first run (e.g. a Latin brand opening a Russian line) joins the next piece
    if len(out) > 1:
        s, e = out[0]
        if count_letters(text[s:e]) < MIN_SPLIT_LETTERS:
            out[1][0] = s
            out.pop(0)
    return [(s, e) for s, e in out]


def _merge(pieces: list[tuple[Span, LangGuess]], text: str) -> list[tuple[Span, LangGuess]]:
    """Join neighbouring pieces of one language; ``und`` pieces (numbers) join the previous.

    A merged piece's probability is its pieces' mean weighted by their letters; the letters
    are counted only when the probabilities differ (equal ones average to themselves).
    """
    # per merged piece: span, guess, letters counted so far, spans not counted yet
    merged: list[list] = []
    for (s, e), g in pieces:
        if merged and (g.lang == merged[-1][1].lang or g.lang == UND):
            last = merged[-1]
            last[0] = (last[0][0], e)
            if g.lang == UND:
                continue
            pg = last[1]
            if g.prob != pg.prob:
                last[2] += sum(max(1, count_letters(text[a:b])) for a, b in last[3])
                last[3] = []
                weight = max(1, count_letters(text[s:e]))
                prob = (pg.prob * last[2] + g.prob * weight) / (last[2] + weight)
                last[1] = LangGuess(pg.lang, round(prob, 4), pg.script)
                last[2] += weight
            else:
                last[3].append((s, e))
        else:
            merged.append([(s, e), g, 0, [(s, e)]])
    return [(span, g) for span, g, _, _ in merged]
