"""Unicode script analysis: the first and cheapest language-identification decision.

Many scripts are written by one language only (Hangul, Greek, Thai, Georgian, ...): a line in
them needs no statistical model at all. Others (Cyrillic, Arabic, Devanagari, Latin) are shared
by several languages; knowing the script still shrinks the candidate list a model has to choose
from, which is what keeps langdetect from calling a Russian word Bulgarian *and* Persian.
"""

from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# (first code point, last code point, script). Only letters matter; ranges cover the blocks.
_RANGES: list[tuple[int, int, str]] = sorted(
    [
        (0x0041, 0x024F, "Latin"),
        (0x1E00, 0x1EFF, "Latin"),
        (0x2C60, 0x2C7F, "Latin"),
        (0xA720, 0xA7FF, "Latin"),
        (0xFF21, 0xFF5A, "Latin"),
        (0x0370, 0x03FF, "Greek"),
        (0x1F00, 0x1FFF, "Greek"),
        (0x0400, 0x052F, "Cyrillic"),
        (0x1C80, 0x1C8F, "Cyrillic"),
        (0x2DE0, 0x2DFF, "Cyrillic"),
        (0xA640, 0xA69F, "Cyrillic"),
        (0x0530, 0x058F, "Armenian"),
        (0x0590, 0x05FF, "Hebrew"),
        (0xFB1D, 0xFB4F, "Hebrew"),
        (0x0600, 0x06FF, "Arabic"),
        (0x0750, 0x077F, "Arabic"),
        (0x08A0, 0x08FF, "Arabic"),
        (0xFB50, 0xFDFF, "Arabic"),
        (0xFE70, 0xFEFF, "Arabic"),
        (0x0700, 0x074F, "Syriac"),
        (0x0780, 0x07BF, "Thaana"),
        (0x0900, 0x097F, "Devanagari"),
        (0x0980, 0x09FF, "Bengali"),
        (0x0A00, 0x0A7F, "Gurmukhi"),
        (0x0A80, 0x0AFF, "Gujarati"),
        (0x0B00, 0x0B7F, "Oriya"),
        (0x0B80, 0x0BFF, "Tamil"),
        (0x0C00, 0x0C7F, "Telugu"),
        (0x0C80, 0x0CFF, "Kannada"),
        (0x0D00, 0x0D7F, "Malayalam"),
        (0x0D80, 0x0DFF, "Sinhala"),
        (0x0E00, 0x0E7F, "Thai"),
        (0x0E80, 0x0EFF, "Lao"),
        (0x0F00, 0x0FFF, "Tibetan"),
        (0x1000, 0x109F, "Myanmar"),
        (0x10A0, 0x10FF, "Georgian"),
        (0x1C90, 0x1CBF, "Georgian"),
        (0x1100, 0x11FF, "Hangul"),
        (0x3130, 0x318F, "Hangul"),
        (0xA960, 0xA97F, "Hangul"),
        (0xAC00, 0xD7AF, "Hangul"),
        (0x1200, 0x139F, "Ethiopic"),
        (0x1780, 0x17FF, "Khmer"),
        (0x1800, 0x18AF, "Mongolian"),
        (0x3040, 0x309F, "Hiragana"),
        (0x30A0, 0x30FF, "Katakana"),
        (0x31F0, 0x31FF, "Katakana"),
        (0xFF66, 0xFF9F, "Katakana"),
        (0x3100, 0x312F, "Bopomofo"),
        (0x2E80, 0x2FDF, "Han"),
        (0x3005, 0x3007, "Han"),
        (0x3400, 0x4DBF, "Han"),
        (0x4E00, 0x9FFF, "Han"),
        (0xF900, 0xFAFF, "Han"),
        (0x20000, 0x3134F, "Han"),
    ]
)
_STARTS = [r[0] for r in _RANGES]

# Scripts that one language (of those we name) writes: decided without a model.
UNAMBIGUOUS: dict[str, str] = {
    "Greek": "el",
    "Hangul": "ko",
    "Thai": "th",
    "Georgian": "ka",
    "Armenian": "hy",
    "Hebrew": "he",
    "Gujarati": "gu",
    "Gurmukhi": "pa",
    "Tamil": "ta",
    "Telugu": "te",
    "Kannada": "kn",
    "Malayalam": "ml",
    "Sinhala": "si",
    "Lao": "lo",
    "Khmer": "km",
    "Myanmar": "my",
    "Tibetan": "bo",
    "Oriya": "or",
    "Ethiopic": "am",
    "Thaana": "dv",
    "Hiragana": "ja",
    "Katakana": "ja",
    "Bopomofo": "zh",
}

# Scripts shared by several languages: the model chooses, but only among these.
CANDIDATES: dict[str, tuple[str, ...]] = {
    "Cyrillic": ("ru", "uk", "bg", "mk", "sr", "be", "kk", "mn"),
    "Arabic": ("ar", "fa", "ur"),
    "Devanagari": ("hi", "mr", "ne"),
    "Bengali": ("bn",),
    "Han": ("zh", "ja"),
}

# Which script each language is written in (its usual one); used to check a *hint*.
LANG_SCRIPTS: dict[str, frozenset[str]] = {}
for _script, _lang in UNAMBIGUOUS.items():
    LANG_SCRIPTS.setdefault(_lang, frozenset())
    LANG_SCRIPTS[_lang] = LANG_SCRIPTS[_lang] | {_script}
for _script, _langs in CANDIDATES.items():
    for _lang in _langs:
        LANG_SCRIPTS[_lang] = LANG_SCRIPTS.get(_lang, frozenset()) | {_script}
LANG_SCRIPTS["ja"] = frozenset({"Hiragana", "Katakana", "Han"})
LANG_SCRIPTS["zh"] = frozenset({"Han", "Bopomofo"})
LANG_SCRIPTS["sr"] = frozenset({"Cyrillic", "Latin"})


def lang_script_ok(lang: str, script: str) -> bool:
    """Whether *lang* is normally written in *script* (every unlisted language is Latin)."""
    return script in LANG_SCRIPTS.get(lang, frozenset({"Latin"}))


@lru_cache(maxsize=65536)
def char_script(ch: str) -> str:
    """Script of one character, or "" for non-letters (digits, punctuation, symbols)."""
    cp = ord(ch)
    i = bisect.bisect_right(_STARTS, cp) - 1
    if i >= 0 and cp <= _RANGES[i][1]:
        script = _RANGES[i][2]
        if script == "Latin" and not ch.isalpha():
            return ""  # × ÷ and friends sit inside the Latin-1 block
        if script in ("Han", "Hiragana", "Katakana") or unicodedata.category(ch)[0] in "LM":
            return script
    return ""


KANA_LETTERS = 3  # Latin letters a Japanese syllable is worth against Latin (detector.SYLLABIC)


@dataclass(frozen=True, slots=True)
class ScriptProfile:
    """Letter counts by script, most frequent first."""

    counts: tuple[tuple[str, int], ...]

    @property
    def main(self) -> str:
        """The dominant script; Japanese kana outrank Han, which both languages use."""
        if not self.counts:
            return ""
        names = dict(self.counts)
        kana = names.get("Hiragana", 0) + names.get("Katakana", 0)
        if kana and kana + names.get("Han", 0) >= self.counts[0][1]:
            return (
                "Hiragana" if names.get("Hiragana", 0) >= names.get("Katakana", 0) else "Katakana"
            )
        top = self.counts[0][0]
        if top == "Latin" and len(self.counts) > 1:
            # Latin letters in a text of another script are mostly names, brands and
            # English web furniture ("Read more", "Posted by"); the reverse is rare. So
            # Latin counts half against another script.
            other, n = self.counts[1]
            if kana:  # a kana or Han character of a Japanese line is a syllable, about
                # three Latin letters ("※「iPhone」は、Apple Inc.の商標です。" is Japanese)
                other = "Hiragana" if names.get("Hiragana", 0) >= names.get("Katakana",
                                                                           0) else "Katakana"
                n = max(n, KANA_LETTERS * (kana + names.get("Han", 0)))
            if 2 * n >= self.counts[0][1]:
                return other
        return top

    @property
    def letters(self) -> int:
        return sum(n for _, n in self.counts)


class _ScriptCodes(dict):
    """``str.translate`` table: each letter becomes one ASCII character naming its script,
    anything else is deleted, so counting scripts is a C loop (``str.count``)."""

    def __missing__(self, cp: int) -> str | None:
        script = char_script(chr(cp))
        code = _CODE_OF.setdefault(script, chr(0x41 + len(_CODE_OF))) if script else None
        if code is not None:
            _SCRIPT_OF[code] = script
        self[cp] = code
        return code


_CODE_OF: dict[str, str] = {}
_SCRIPT_OF: dict[str, str] = {}
_SCRIPT_CODES = _ScriptCodes()


_recent: dict[str, ScriptProfile] = {}  # the last texts' profiles: a page is asked twice


def script_profile(text: str) -> ScriptProfile:
    """Count the letters of *text* per script."""
    hit = _recent.get(text)
    if hit is not None:
        return hit
    if len(_recent) >= 1024:
        _recent.clear()
    profile = _recent[text] = _script_profile(text)
    return profile


def _script_profile(text: str) -> ScriptProfile:
    codes = text.translate(_SCRIPT_CODES)
    kinds = set(codes)
    if len(kinds) == 1:
        [code] = kinds
        return ScriptProfile(((_SCRIPT_OF[code], len(codes)),))
    named = ((_SCRIPT_OF[c], codes.count(c)) for c in kinds)
    return ScriptProfile(tuple(sorted(named, key=lambda kv: (-kv[1], kv[0]))))


def script_of(text: str) -> str:
    """The dominant Unicode script of *text*'s letters ("" when it has none)."""
    return _script_profile(text).main


class _Letters(dict):
    """``str.translate`` table keeping one ``a`` per letter (``str.isalpha``), deleting the rest."""

    def __missing__(self, cp: int) -> str | None:
        out = "a" if chr(cp).isalpha() else None
        self[cp] = out
        return out


_LETTERS = _Letters()


def count_letters(text: str) -> int:
    """How many characters of *text* are letters (``str.isalpha``), counted in C."""
    return len(text.translate(_LETTERS))


_JAPANESE = frozenset({"Han", "Hiragana", "Katakana"})


def single_script(text: str) -> bool:
    """Whether the letters of *text* are in one script at most (Japanese kana and kanji count
    as one): :func:`script_runs` then returns a single run."""
    scripts = {name for name, _ in script_profile(" ".join(text.split())).counts}
    return len(scripts) <= 1 or scripts <= _JAPANESE


def script_runs(text: str) -> list[tuple[int, int, str]]:
    """Maximal runs of one script as ``(start, end, script)``; non-letters join a neighbour run.

    Digits, spaces and punctuation between two runs of the same script stay in that run; between
    two different scripts they go to the earlier run, so runs tile the text without gaps.
    """
    scripts = {_SCRIPT_OF[c] for c in set(text.translate(_SCRIPT_CODES))}
    if len(scripts) <= 1 or scripts <= _JAPANESE:  # one run: no per-character loop
        [script] = {"Han" if s in _JAPANESE else s for s in scripts} or {""}
        return [(0, len(text), script)]
    runs: list[tuple[int, int, str]] = []
    start, current = 0, ""
    for i, ch in enumerate(text):
        s = char_script(ch)
        if s in ("Hiragana", "Katakana"):
            s = "Han"  # Japanese mixes kana and kanji inside one word
        if not s or s == current:
            continue
        if current:
            # cut at the last whitespace before i, so the separator stays with the earlier run
            cut = i
            while cut > start and not text[cut - 1].isspace():
                cut -= 1
            cut = cut if cut > start else i
            runs.append((start, cut, current))
            start = cut
        current = s
    runs.append((start, len(text), current))
    return runs
