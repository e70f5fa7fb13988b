"""The statistical core: langdetect's n-gram profiles, scored deterministically, plus word lists.

langdetect estimates a language by *randomly sampling* n-grams in 7 trials, which is why it needs
a seed and why it is slow. Here the same profiles (langdetect's 55 languages, shipped in its
wheel) are scored exactly: every n-gram of the text adds its log-probability under each
language (a naive-Bayes sum over a numpy matrix), so results are deterministic by construction
and several times faster. On top of the n-grams, a frequent-word lexicon (``corpus/langdata``)
adds evidence that n-grams cannot give on one or two words, and alphabet checks rule out
Cyrillic languages whose alphabet lacks a letter of the text (ы is not Ukrainian, ї not
Russian, ђ only Serbian).
"""

from __future__ import annotations

import gzip
import json
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from corpus.langid_script import script_of

WORDS_DIR = Path(__file__).with_name("langdata") / "words"

# langdetect profile name -> our code; zh-cn and zh-tw both answer "zh".
PROFILE_CODES = {"no": "nb", "zh-cn": "zh", "zh-tw": "zh"}

# Languages without a langdetect profile, scored with a close relative's n-grams ("proxy") and
# told apart by their own word list and alphabet. be/kk/mn have neither list nor profile: they
# only win when the alphabet rules out every profiled Cyrillic language.
PROXIES = {"ms": "id", "sr": "hr", "be": "ru", "kk": "ru", "mn": "ru"}
PROXY_MARGIN = {"ms": 0.0, "sr": 0.0, "be": 3.0, "kk": 3.0, "mn": 3.0}

_CYR_COMMON = set("абвгдежзиклмнопрстуфхцчшщъыьэюяёйєіїґўђћџјљњѓќѕәғқңөұүһ")
ALPHABETS: dict[str, frozenset[str]] = {
    "ru": frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюя"),
    "uk": frozenset("абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"),
    "be": frozenset("абвгдеёжзійклмнопрстуўфхцчшыьэюя"),
    "bg": frozenset("абвгдежзийклмнопрстуфхцчшщъьюя"),
    "mk": frozenset("абвгдѓежзѕијклљмнњопрстќуфхцчџш"),
    "sr": frozenset("абвгдђежзијклљмнњопрстћуфхцчџш"),
    "kk": frozenset("аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"),
    "mn": frozenset("абвгдеёжзийклмнопрстуүфхцчшщъыьэюяө"),
}
OUT_OF_ALPHABET = 12.0  # log-odds cost of each letter a language's alphabet lacks

_SR_LAT = dict(
    zip(
        "абвгдђежзијклљмнњопрстћуфхцчџш",
        "a b v g d đ e ž z i j k l lj m n nj o p r s t ć u f h c č dž š".split(),  # noqa: SIM905
        strict=True,
    )
)

_URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|@\w+|#\w+", re.IGNORECASE)
LN10 = math.log(10.0)


def strip_noise(text: str) -> str:
    """Drop URLs, e-mail addresses, @handles and #tags: they are in no language."""
    return _URL.sub(" ", text)


@lru_cache(maxsize=65536)
def _word_char(ch: str) -> str:
    """*ch* lower-cased if it belongs in a word (letters, combining marks, apostrophes)."""
    if ch.isalpha() or ch in "'’" or unicodedata.category(ch)[0] == "M":
        return ch.lower() if ch != "’" else "'"
    return " "


def words_of(text: str) -> list[str]:
    """Lower-cased words of *text*; vowel signs of Indic and Arabic scripts stay inside words."""
    return [w.strip("'") for w in "".join(map(_word_char, text)).split() if w.strip("'")]


@dataclass(frozen=True, slots=True)
class Params:
    """Global weights of the evidence; fitted once on held-out data, never per language."""

    eps: float = 5e-5  # langdetect's smoothing: alpha 0.5 / BASE_FREQ 10000
    char_temp: float = 3.0  # each letter sits in three n-grams: their log-probs overstate it
    lex_share: float = 0.5  # share of running text that the top words of a language cover
    nolex_bonus: float = 0.0  # log-odds for a language that has no word list, per word
    lex_words: float = 2.0  # word-list evidence counts as if from at most this many words
    char_offset: float = 12.0  # puts the n-gram word model on the scale of the word lists
    top_words: int = 50000  # words per language read from the lists


class Model:
    """langdetect profiles as a log-probability matrix, and the frequent-word lexicon."""

    def __init__(self, params: Params | None = None) -> None:
        from langdetect import detector_factory

        self.params = params or Params()
        prof_dir = Path(detector_factory.PROFILES_DIRECTORY)
        names = sorted(p.name for p in prof_dir.iterdir() if not p.name.startswith("."))
        freqs: list[dict[str, int]] = []
        totals: list[list[int]] = []
        for name in names:
            data = json.loads((prof_dir / name).read_text(encoding="utf-8"))
            freqs.append(data["freq"])
            totals.append(data["n_words"])
        grams = sorted({g for f in freqs for g in f})
        self.gram_index = {g: i for i, g in enumerate(grams)}
        mat = np.full((len(grams), len(names)), self.params.eps, dtype=np.float64)
        for j, f in enumerate(freqs):
            for g, c in f.items():
                mat[self.gram_index[g], j] += c / totals[j][len(g) - 1]
        self.logp = (np.log(mat) / self.params.char_temp).astype(np.float32)
        self.profile_names = names  # columns of the matrix, langdetect's names
        self.profile_langs = [PROFILE_CODES.get(n, n) for n in names]
        # the languages we answer: every profile language plus the proxied ones
        self.langs = sorted(set(self.profile_langs) | set(PROXIES))
        self.lang_index = {lang: i for i, lang in enumerate(self.langs)}
        # for each answer language, the profile column scoring its n-grams (zh: both columns)
        cols: dict[str, list[int]] = {}
        for j, lang in enumerate(self.profile_langs):
            cols.setdefault(lang, []).append(j)
        for lang, base in PROXIES.items():
            cols[lang] = cols[base]
        self.columns = cols
        self.hr_col = names.index("hr")
        self.lexicon = _load_lexicon(self.langs, self.params.top_words)
        self.lexicon_langs = frozenset(
            p.name.split(".")[0] for p in WORDS_DIR.glob("*.txt.gz")
        ) & frozenset(self.langs)

    # -- n-grams -------------------------------------------------------------------------
    def gram_ids(self, word: str) -> list[int]:
        """Indices of a word's known 1-, 2- and 3-grams, extracted the way langdetect does."""
        index = self.gram_index
        out: list[int] = []
        for piece in _normalized(word).split(" "):
            if not piece:
                continue
            padded = f" {piece} "
            for i in range(1, len(padded)):
                ch = padded[i]
                if ch != " ":
                    j = index.get(ch)
                    if j is not None:
                        out.append(j)
                j = index.get(padded[i - 1 : i + 1])
                if j is not None:
                    out.append(j)
                if i >= 2:
                    j = index.get(padded[i - 2 : i + 1])
                    if j is not None:
                        out.append(j)
        return out

    def char_scores(self, words: list[str]) -> np.ndarray:
        """Tempered n-gram log-probability of each word under each profile: (words, profiles)."""
        ids: list[int] = []
        starts: list[int] = []
        for w in words:
            starts.append(len(ids))
            ids.extend(self.gram_ids(w))
        if not ids:
            return np.zeros((len(words), len(self.profile_names)))
        rows = self.logp[ids].astype(np.float64)
        out = np.zeros((len(words), rows.shape[1]))
        # reduceat needs strictly increasing in-range starts: words without grams score 0
        ends = [*starts[1:], len(ids)]
        has = [k for k in range(len(words)) if ends[k] > starts[k]]
        if has:
            out[has] = np.add.reduceat(rows, [starts[k] for k in has], axis=0)
        return out

    # -- the full score ------------------------------------------------------------------
    def scores(self, text: str, candidates: list[str], script: str = "") -> np.ndarray:
        """Log-likelihood of *text*'s words under each candidate language.

        Each word is either one of the language's frequent words (probability from the word
        list) or spelled by its n-gram model: ``P(w) = s * f(w) + (1 - s) * P_ngram(w)``.
        """
        p = self.params
        words = words_of(text)
        if script:  # a brand name in Latin letters says nothing about which Cyrillic language
            words = [w for w in words if script_of(w) == script] or words
        if not words:
            return np.zeros(len(candidates))
        char = self.char_scores(words) + p.char_offset
        letters = Counter(ch for w in words for ch in w if ch in _CYR_COMMON)
        log_s, log_1s = math.log(p.lex_share), math.log(1.0 - p.lex_share)
        lex_weight = min(1.0, p.lex_words / len(words))
        out = np.empty(len(candidates), dtype=np.float64)
        sr_char: np.ndarray | None = None
        for k, lang in enumerate(candidates):
            if lang == "sr" and letters:
                latin_words = ["".join(_SR_LAT.get(ch, ch) for ch in w) for w in words]
                if sr_char is None:
                    sr_char = self.char_scores(latin_words)[:, self.hr_col] + p.char_offset
                word_char, lex_words, lex_lang = sr_char, latin_words, "hr"
            else:
                cols = self.columns[lang]
                word_char = char[:, cols[0]] if len(cols) == 1 else char[:, cols].max(axis=1)
                word_char = word_char - PROXY_MARGIN.get(lang, 0.0)
                lex_words, lex_lang = words, lang
            # word-list evidence, relative to the n-gram model; its weight is capped at
            # ``lex_words`` words, so in a sentence the n-grams (langdetect's strength) decide
            if lex_lang in self.lexicon_langs:
                delta = 0.0
                for w, c in zip(lex_words, word_char, strict=True):
                    z = self.lexicon.get(w, {}).get(lex_lang)
                    if z is None:
                        delta += log_1s
                    else:
                        delta += float(np.logaddexp(log_s + LN10 * (z - 9.0), log_1s + c)) - c
            else:
                delta = p.nolex_bonus * len(words)
            total = float(word_char.sum()) + delta * lex_weight
            if letters and lang in ALPHABETS:
                alphabet = ALPHABETS[lang]
                total -= OUT_OF_ALPHABET * sum(n for ch, n in letters.items() if ch not in alphabet)
            out[k] = total
        return out


def _normalized(text: str) -> str:
    from langdetect.utils.ngram import NGram

    text = NGram.normalize_vi(text)
    return "".join(map(_norm_char, text))


@lru_cache(maxsize=65536)
def _norm_char(ch: str) -> str:
    from langdetect.utils.ngram import NGram

    return NGram.normalize(ch)


def _load_lexicon(langs: list[str], top: int) -> dict[str, dict[str, float]]:
    """word -> {lang: zipf}; the lists are sorted by frequency, so *top* keeps the head."""
    lexicon: dict[str, dict[str, float]] = {}
    for lang in langs:
        path = WORDS_DIR / f"{lang}.txt.gz"
        if not path.exists():
            continue
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                if i >= top:
                    break
                word, _, z = line.rstrip("\n").partition("\t")
                lexicon.setdefault(word, {})[lang] = int(z) / 10
    return lexicon
