"""Checks on a finished translation, before the pair may enter ``parallel/``.

A machine translation can fail silently: the model copies its input, answers in the
wrong language, stops early, or loops on a phrase until the length limit (a
hallucination). Each check here is a pure function of the source, the output and the
two languages, and names a flag (:data:`corpus.records.TRANSLATION_FLAGS`):

``empty``         the output is empty (or only spaces) for a source that is not
``copy``          the output repeats the source (same words, case and punctuation aside),
                  or reuses most of its words (``max_copy_ratio``, from 4 output words)
``wrong_lang``    the detector, told to expect the target, is still sure (p ≥ 0.5) the
                  output is in another language
``length_ratio``  output/source length in characters outside the pair's bounds (sources
                  of 10 characters or more)
``loop``          a stretch of the output repeats one unit (1-30 characters, with a
                  letter) 3 times or more in a row, over 12 characters or more, and over
                  twice the longest such stretch of the source

Length bounds: characters per unit of meaning differ by language, so the expected
ratio of a pair is ``DENSITY[target] / DENSITY[source]``, and the default bounds are
that ratio divided and multiplied by ``length_slack`` (3). The densities are the median
length of the translation over the English original in Debian's gettext catalogues on
this machine (``/usr/share/locale/<lang>/LC_MESSAGES/*.mo``, messages of 3+ words and
10+ characters, 2.7k-45k pairs per language); there the 1st-99th percentile range of
every language lies within a factor 2.5 of its median. Per-pair bounds in the pipeline
file replace the default (``length_ratio = {"ru-en" = [0.4, 2.0]}``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from corpus.records import TRANSLATION_FLAGS
from corpus.stages.filters.checks import comparable, copy_ratio
from corpus.stages.translate.routes import argos_code
from corpus.words import words

CHECKS = tuple(TRANSLATION_FLAGS)

# median len(translation) / len(English) in the catalogues (see the module docstring)
DENSITY = {
    "en": 1.0, "zh": 0.42, "zt": 0.42, "ja": 0.64, "ko": 0.63, "ru": 1.14, "uk": 1.14,
    "de": 1.19, "fr": 1.24, "es": 1.19, "ar": 0.86, "he": 0.90, "hi": 1.00, "th": 0.95,
    "el": 1.22, "fi": 1.12, "vi": 1.09, "tr": 1.06, "pl": 1.13,
}
DEFAULT_DENSITY = 1.1  # languages not measured: between English and the European median
RATIO_MIN_CHARS = 10  # shorter sources: a ratio says little ("Да." → "Yes.")
MAX_COPY_RATIO = 0.8
COPY_MIN_WORDS = 4
# another language is the top answer despite the target's 30:1 prior, and at least this sure
# (calibrated probabilities: a two-word German output copied into English is 0.48)
MIN_WRONG_PROB = 0.4
LOOP_MIN_CHARS = 12
_LOOP = re.compile(r"(.{1,30}?)\1{2,}", re.S)
_LETTER = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class CheckSettings:
    """Which checks run and the bounds they use (the translate step's parameters)."""

    checks: tuple[str, ...] = CHECKS
    length_slack: float = 3.0
    length_ratio: Mapping[str, tuple[float, float]] | None = None  # "src-tgt" → (low, high)

    def bounds(self, src: str, tgt: str) -> tuple[float, float]:
        return length_bounds(src, tgt, self.length_slack, self.length_ratio or {})


def length_bounds(src: str, tgt: str, slack: float,
                  overrides: Mapping[str, tuple[float, float]]) -> tuple[float, float]:
    """(low, high) for len(output)/len(source) of the pair *src*-*tgt*."""
    given = overrides.get(f"{src}-{tgt}")
    if given is not None:
        return given[0], given[1]
    expected = DENSITY.get(tgt, DEFAULT_DENSITY) / DENSITY.get(src, DEFAULT_DENSITY)
    return expected / slack, expected * slack


def longest_loop(text: str) -> int:
    """Characters covered by the longest run of one unit (1-30 characters holding a
    letter) repeated at least 3 times in a row; 0 when there is none."""
    best = 0
    for match in _LOOP.finditer(text):
        if _LETTER.search(match.group(1)):
            best = max(best, match.end() - match.start())
    return best


def is_copy(source: str, output: str) -> bool:
    if comparable(source) == comparable(output) and words(output):
        return True
    if source.strip() == output.strip():
        return True
    return len(words(output)) >= COPY_MIN_WORDS and copy_ratio(source, output) > MAX_COPY_RATIO


def is_loop(source: str, output: str) -> bool:
    found = longest_loop(output)
    return found >= LOOP_MIN_CHARS and found > 2 * longest_loop(source)


def text_flags(source: str, output: str, src: str, tgt: str,
               settings: CheckSettings) -> list[str]:
    """The flags of one pair that need no language detection, in :data:`CHECKS` order."""
    wanted = settings.checks
    if not output.strip():
        return ["empty"] if "empty" in wanted and source.strip() else []
    flags = []
    if "copy" in wanted and is_copy(source, output):
        flags.append("copy")
    if "length_ratio" in wanted and len(source.strip()) >= RATIO_MIN_CHARS:
        low, high = settings.bounds(src, tgt)
        ratio = len(output.strip()) / len(source.strip())
        if not low <= ratio <= high:
            flags.append("length_ratio")
    if "loop" in wanted and is_loop(source, output):
        flags.append("loop")
    return flags


def check_pairs(sources: Sequence[str], outputs: Sequence[str], src: str, tgt: str,
                settings: CheckSettings) -> list[tuple[str, ...]]:
    """The flags of each (source, output) pair of one language pair, in :data:`CHECKS`
    order; languages are detected for all outputs at once."""
    flags = [text_flags(s, o, src, tgt, settings)
             for s, o in zip(sources, outputs, strict=True)]
    if "wrong_lang" in settings.checks:
        from corpus.stages.langid import detect_many, supported_languages

        target = "zh" if tgt == "zt" else tgt
        if target in supported_languages():
            todo = [i for i, o in enumerate(outputs) if o.strip()]
            guesses = detect_many([outputs[i] for i in todo], hints=[target] * len(todo),
                                 context=False)
            for i, guess in zip(todo, guesses, strict=True):
                lang = argos_code(guess.lang)
                if lang not in ("und", target) and guess.prob >= MIN_WRONG_PROB:
                    flags[i].append("wrong_lang")
    order = {name: n for n, name in enumerate(CHECKS)}
    return [tuple(sorted(f, key=order.__getitem__)) for f in flags]
