"""Per-language segmentation rules, built from the data files in ``corpus/stages/sentences/data``.

Why data files: abbreviation lists are what native speakers review and extend; keeping them
out of the code lets a reviewer change ``ru.txt`` without reading a regex. Every language
file is merged with ``generic.txt`` (Latin and international abbreviations), and a language
without a file gets the generic rules only, so every language has a sane fallback.

A data file has sections, one entry per line, ``#`` starts a comment:

* ``[prefix]``   abbreviations that stand *before* a name or number (``Dr``, ``проф``, ``ул``)
  and so never end a sentence;
* ``[final]``    abbreviations that often end a sentence (``etc``, ``и т.д.``): a capitalised
  word after them starts a new sentence;
* ``[after_number]`` abbreviations that end a sentence like ``[final]`` ones when they
  follow a number (``в 1937 г. Она``: год) and are ordinary ``[abbr]`` otherwise
  (``г. Волгоград``: город);
* ``[numeric]``  abbreviations that stand before a number (``p. 55``, ``No. 5``, ``кв. 234``)
  and are ordinary words otherwise (``I said no.``);
* ``[abbr]``     every other abbreviation: a sentence ends after it only when the next word
  is a typical sentence starter (``[starters]``) or a ``[prefix]`` title;
* ``[starters]`` words that typically open a sentence and rarely follow an abbreviation
  inside one (pronouns, articles, conjunctions).

Entries are written as they appear, trailing period optional; lookup is case-insensitive
and ignores the spaces inside spaced abbreviations (``z. B.`` is stored as ``z.b``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["LANGS_WITH_DATA", "ORDINAL_DOT_LANGS", "LangRules", "rules_for"]

LANGS_WITH_DATA = ("bg", "de", "en", "es", "fr", "it", "pl", "pt", "ru", "uk")

# Languages that write ordinal numbers with a trailing period ("am 21. Oktober",
# "3. maja"): a short number + period + capitalised word is an ordinal there, not an end.
ORDINAL_DOT_LANGS = frozenset(
    [
        "de",
        "pl",
        "cs",
        "sk",
        "sl",
        "hr",
        "sr",
        "bs",
        "da",
        "no",
        "nb",
        "nn",
        "fi",
        "et",
        "lv",
        "lt",
        "hu",
        "is",
        "fo",
        "tr",
    ]
)

# Terminators a language adds to the universal set: Armenian writers often type ASCII ":"
# for the full stop "։", and Greek uses ";" as its question mark.
EXTRA_TERMINATORS = {"hy": ":", "el": ";"}

# Closing quotes a language writes after a space ("… importants. »"): they still close the
# sentence before them. Only unambiguous closers: "»" opens a quote in German/Danish.
SPACED_CLOSERS = {"fr": "»”"}

_SECTIONS = ("prefix", "final", "after_number", "numeric", "abbr", "starters")
_SPACES = re.compile(r"\s+")


def _norm(entry: str) -> str:
    """Lookup key of an abbreviation: lower case, no inner spaces, no trailing period."""
    return _SPACES.sub("", entry).rstrip(".").lower()


def _read(name: str) -> dict[str, set[str]]:
    """Parse one data file into its sections (empty sections when the file is absent)."""
    out: dict[str, set[str]] = {s: set() for s in _SECTIONS}
    path = resources.files("corpus.stages.sentences").joinpath("data", f"{name}.txt")
    if not path.is_file():
        return out
    section = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            if section not in _SECTIONS:
                raise ValueError(f"{name}.txt: unknown section [{section}]")
            continue
        if not section:
            raise ValueError(f"{name}.txt: entry {line!r} before any [section]")
        if section == "starters":
            out[section].add(line)
        else:
            out[section].add(_norm(line))
    return out


@dataclass(frozen=True, slots=True)
class LangRules:
    """Everything the splitter needs to know about one language."""

    lang: str
    prefix: frozenset[str]
    final: frozenset[str]
    after_number: frozenset[str]
    numeric: frozenset[str]
    abbr: frozenset[str]
    starters: frozenset[str]
    ordinal_dot: bool
    extra_terminators: str
    spaced_closers: str

    def kind(self, key: str) -> str:
        """The section (``prefix``, ``final``, …) of a known abbreviation, else ``""``."""
        if key in self.prefix:
            return "prefix"
        if key in self.final:
            return "final"
        if key in self.after_number:
            return "after_number"
        if key in self.numeric:
            return "numeric"
        if key in self.abbr:
            return "abbr"
        return ""


def _base(lang: str) -> str:
    """``pt-BR`` / ``pt_br`` → ``pt``: rules are per language, not per region."""
    return lang.replace("_", "-").split("-", 1)[0].lower() or "und"


@cache
def rules_for(lang: str) -> LangRules:
    """Rules for *lang* (ISO 639-1, region ignored): its data file merged with the generic one."""
    base = _base(lang)
    generic = _read("generic")
    own = _read(base) if base in LANGS_WITH_DATA else {s: set() for s in _SECTIONS}
    # A language's own entry wins over a generic one of another section.
    kinds = ("prefix", "final", "after_number", "numeric", "abbr")
    resolved: dict[str, set[str]] = {}
    for kind in kinds:
        others = set().union(*(own[k] for k in kinds if k != kind))
        resolved[kind] = (generic[kind] - others) | own[kind]
    taken: set[str] = set()
    for kind in kinds:  # an entry listed twice keeps the first kind in this order
        resolved[kind] -= taken
        taken |= resolved[kind]
    return LangRules(
        lang=base,
        prefix=frozenset(resolved["prefix"]),
        final=frozenset(resolved["final"]),
        after_number=frozenset(resolved["after_number"]),
        numeric=frozenset(resolved["numeric"]),
        abbr=frozenset(resolved["abbr"]),
        starters=frozenset(generic["starters"] | own["starters"]),
        ordinal_dot=base in ORDINAL_DOT_LANGS,
        extra_terminators=EXTRA_TERMINATORS.get(base, ""),
        spaced_closers=SPACED_CLOSERS.get(base, ""),
    )
