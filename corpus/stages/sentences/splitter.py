"""The sentence splitter: one compiled regex finds boundary candidates, a small rule table
decides each one.

Why this shape: the regex engine walks the characters (C speed); Python only runs once per
*candidate* (a terminator followed by space, a full-width stop, a line break, a bullet or a
list marker), which is about once per sentence. The decision looks at two tokens: the one
before the terminator (abbreviation? initial? number?) and the one after (lower case?
a typical sentence starter?). All language knowledge comes from ``LangRules``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from corpus.stages.sentences.rules import LangRules, rules_for

__all__ = ["iter_spans"]

STRONG = "!?‼⁇⁈⁉"
TERMINATORS = "." + STRONG + "…"
# Closing quotes and brackets that stay with the sentence they close.
CLOSERS = "\"'”’“»›)]}」』）】》〉"
# Stops that end a sentence without a following space (CJK, Ethiopic, Myanmar, Indic,
# Urdu, Arabic question mark, Armenian full stop).
SPACE_FREE = "。！？｡։።፧፨။।॥۔؟"
BULLETS = "•⁃▪●◦‣"
# Openers whose closer is a different character: inside them a stop does not end the
# sentence (a quotation with an author's interjection is one sentence). Symmetric ASCII
# quotes cannot be paired reliably and are left out.
QUOTE_PAIRS = (("«", "»"), ("„", "“"), ("“", "”"))
CJK_PAIRS = (("「", "」"), ("『", "』"), ("（", "）"), ("《", "》"), ("【", "】"), ("〈", "〉"))

_QUOTE_REACH = 1000
_MIN_WORDS_AFTER_DATE = 6  # words (mark included) for a year mark to end a sentence alone
_MAX_FRAGMENT_WORDS = 3  # up to this many words ending in an abbreviation are no sentence
_WS = " \t\n\r\f\v\u00a0\u2009\u202f\u3000"
_LEAD_STRIP = "\"'“‘«„‚‹([{¿¡"
_TRAIL_STRIP = "\"'”’»›)]}"

# What follows a candidate: openers, dashes and bullets are skipped; then the next word and
# whether a period sticks to it (the next word is itself an abbreviation or an initial).
_NEXT = re.compile(
    r"[\s\"'“”‘’«»„‚‹›()\[\]{}¿¡\-‐‑–—―*•·]*"
    r"([^\s.,;:!?…\"'“”‘’«»„()\[\]{}]*)(\.?)"
)
_DIGITS_1_3 = re.compile(r"\d{1,3}")
_ROMAN = re.compile(r"[IVXLC]+")
# A number as it stands before a unit or a year mark: "1937", "2010-2012", "1970-х", "150 000".
_NUMBERISH = re.compile(r"[\d.,:/–-]*\d(?:-?[^\W\d_]{1,3})?")
_NUMBER = re.compile(r"[$€£¥₽#№]?[\d.,:/%-]*\d[%°]?")
# Short dotted forms (U.S, Ph.D, т.е, куб.м) are abbreviations; e-mail addresses, URLs
# and domain names have longer parts and are words.
_DOTTED = re.compile(r"(?:\w{1,4}\.)+\w{1,4}")
_LIST_LABEL = re.compile(r"\d{1,2}|[a-z]")
_LIST_SCAN = re.compile(r"(?:^|(?<=[\s" + BULLETS + r"]))(\d{1,2}|[a-z])(\.\)|[.)])(?=\s)")


@lru_cache(maxsize=64)
def _pattern(extra: str, spaced_closers: str) -> re.Pattern[str]:
    """The candidate regex for a language adding *extra* terminators (``:`` for hy) and
    writing some closing quotes after a space (French ``… importants. »``)."""
    term = re.escape(TERMINATORS + extra)
    close = re.escape(CLOSERS)
    spaced = rf"(?:[ \u00a0\u202f][{re.escape(spaced_closers)}])?" if spaced_closers else ""
    return re.compile(
        rf"(?P<t>[{term}](?:[ \u00a0]?[{term}])*{spaced}(?:[{close}]+[{term}]*)*)(?P<ws>\s+|\Z)"
        rf"|(?P<c>(?:[{re.escape(SPACE_FREE)}]|．(?![０-９0-9]))+[{close}]*)\s*"
        r"|(?P<nl>\n\s*)"
        rf"|(?<=\s)(?P<b>[{BULLETS}])"
        r"|(?<=\s)(?P<li>(?=(?:\d{1,2}|[a-z])(?:\.\)|[.)])\s))"
    )


def _list_markers(text: str) -> frozenset[int]:
    """Offsets of inline list markers that form a run ("1. … 2. …", "a) … b) …").

    A lone "2." is a number ending a sentence; only a consecutive run of at least two
    markers of the same style is a list, so only those cut a line without punctuation.
    """
    runs: dict[tuple[bool, str], tuple[int, list[int]]] = {}
    found: list[int] = []
    for m in _LIST_SCAN.finditer(text):
        label, style = m.group(1), m.group(2)
        is_digit = label.isdigit()
        value = int(label) if is_digit else ord(label) - ord("a") + 1
        key = (is_digit, style)
        last, positions = runs.get(key, (0, []))
        if value == last + 1:
            positions.append(m.start())
            runs[key] = (value, positions)
            if len(positions) >= 2:
                found.extend(positions[-2:] if len(positions) == 2 else positions[-1:])
        elif value == 1:
            runs[key] = (1, [m.start()])
    return frozenset(found)


def _open_depth(text: str, start: int, end: int, pairs: tuple[tuple[str, str], ...]) -> int:
    """How many paired quotes/brackets are open at *end* (counted from *start*) and closed
    again within the next ``_QUOTE_REACH`` characters.

    A quotation whose closer never comes (it runs on into the next paragraph, or the
    closer was lost) must not swallow the rest of the text.
    """
    depth = 0
    for opener, closer in pairs:
        opened = text.count(opener, start, end)
        if (
            opened
            and opened > text.count(closer, start, end)
            and text.find(closer, end, end + _QUOTE_REACH) >= 0
        ):
            depth += 1
    return depth


def _prev_tokens(text: str, lo: int, end: int) -> tuple[str, str]:
    """The token ending at *end* and the one before it (each a maximal non-space run)."""
    if end <= lo or text[end - 1].isspace():
        return "", ""
    parts = text[lo:end].rsplit(maxsplit=2)
    tok = parts[-1].strip(_LEAD_STRIP).rstrip(_TRAIL_STRIP)
    prev = parts[-2].lstrip(_LEAD_STRIP) if len(parts) > 1 else ""
    elided = max(tok.rfind("'"), tok.rfind("’"))
    if 0 < elided < 4:
        tok = tok[elided + 1 :]  # "l'Ing." → "Ing.": the article is not part of the title
    return tok, prev


def _key(token: str) -> str:
    return token.rstrip(".").lower()


class _Decider:
    """Decides one period candidate; holds the rules of one language."""

    __slots__ = ("ascii_quotes", "quote_pairs", "rules")

    def __init__(self, rules: LangRules, ascii_quotes: bool = True) -> None:
        self.rules = rules
        self.ascii_quotes = ascii_quotes
        pairs = QUOTE_PAIRS
        if rules.lang == "en" or rules.lang in ("es", "it", "pt", "fr", "nl"):
            pairs = (("«", "»"), ("“", "”"))
        elif rules.lang in ("de", "ru", "uk", "bg", "pl", "cs", "sk", "hr", "sl", "sr", "ro"):
            pairs = (("«", "»"), ("„", "“"))
        self.quote_pairs = pairs

    def is_starter(self, word: str, dot: str) -> bool:
        """Does *word* typically open a sentence (pronoun, article, title such as "Mr.")?"""
        if dot:
            return self.rules.kind(word.lower()) == "prefix"
        return word in self.rules.starters

    def period(self, text: str, t_start: int, sent_start: int, word: str, dot: str) -> bool:
        """Is a period at *t_start* (next word *word*, not lower case) a sentence end?"""
        rules = self.rules
        tok, prev = _prev_tokens(text, max(sent_start, t_start - 80), t_start)
        if not tok:
            return True
        key = _key(tok)
        kind = ""
        if prev.endswith(".") and len(prev) <= 5:
            kind = rules.kind(_key(prev) + "." + key)  # "т. е.", "z. B.", "v. Chr."
        if not kind and dot and rules.kind(key + "." + word.lower()):
            return False  # first half of a spaced abbreviation: "EE. UU.", "z. B."
        kind = kind or rules.kind(key)
        if kind == "prefix":
            return False
        if kind == "final":
            return not word[:1].isdigit()
        if kind == "after_number":
            if _NUMBERISH.fullmatch(prev) or _ROMAN.fullmatch(prev):
                if word[:1].isdigit():
                    return False
                # "в 1937 г. Она …" ends a sentence; a short run ending in a date is the
                # adverbial opening of one ("В 2010-2012 гг. Виктор …") unless a typical
                # sentence opener follows.
                words = len(text[sent_start:t_start].split())
                return words >= _MIN_WORDS_AFTER_DATE or self.is_starter(word, dot)
            kind = "abbr"  # "г. Волгоград": the other reading of the same abbreviation
        if kind == "numeric":
            if word[:1].isdigit():
                return False  # "p. 55", "No. 5", "кв. 234"
            kind = ""
        if _NUMBER.fullmatch(tok):
            # A number ends a sentence, except an ordinal: "am 21. Oktober", "3. Liga".
            return not (
                rules.ordinal_dot
                and _DIGITS_1_3.fullmatch(tok)
                and text[t_start - 1].isdigit()
                and word[:1].isupper()
                and not self.is_starter(word, dot)
            )
        if not (kind or len(tok) == 1 or _DOTTED.fullmatch(tok)):
            return True  # an ordinary word
        if tok == "I" and rules.lang == "en" and prev[:1].islower():
            return True  # "you and I." – the pronoun, not an initial
        if len(text[sent_start:t_start].split()) <= _MAX_FRAGMENT_WORDS:
            return False  # "At 5 a.m. Mr. Smith…": too short to be a sentence of its own
        return self.is_starter(word, dot)


@lru_cache(maxsize=64)
def _decider(lang: str) -> _Decider:
    return _Decider(rules_for(lang))


def iter_spans(text: str, lang: str = "und") -> Iterator[tuple[int, int]]:
    """Yield ``(start, end)`` of each sentence of *text*, whitespace excluded."""
    decider = _decider(lang)
    pattern = _pattern(decider.rules.extra_terminators, decider.rules.spaced_closers)
    markers: frozenset[int] | None = None  # list markers, computed at the first candidate
    n = len(text)
    sent_start = 0
    for m in pattern.finditer(text):
        cut = -1
        group = m.lastgroup
        if group == "ws":
            end = m.end()
            if end >= n:
                break
            t_start, t_end = m.span("t")
            ws = m.group("ws")
            if ws.count("\n") >= 2:
                cut = t_end
            elif _cut_after_terminator(text, t_start, t_end, end, sent_start, decider):
                cut = t_end
                t = m.group("t")
                if t.startswith(". . . .") and t_start and text[t_start - 1] not in _WS:
                    cut = t_start + 1  # "compounds. . . . The": period, then an ellipsis
        elif group == "c":
            end = m.end()
            if end < n and not _open_depth(text, sent_start, m.start(), CJK_PAIRS):
                cut = m.end("c")
        elif group == "nl":
            ws = m.group("nl")
            nxt = text[m.end() : m.end() + 1]
            if m.end() < n and (ws.count("\n") >= 2 or not nxt.islower()):
                cut = m.start()
        elif group == "b":
            cut = m.start()
        else:  # an inline list marker, if it belongs to a run of them
            if markers is None:
                markers = _list_markers(text)
            if m.start() in markers:
                cut = m.start()
        if cut > sent_start:
            span = _trim(text, sent_start, cut)
            if span:
                yield span
            sent_start = cut
    span = _trim(text, sent_start, n)
    if span:
        yield span


def _cut_after_terminator(
    text: str, t_start: int, t_end: int, next_pos: int, sent_start: int, decider: _Decider
) -> bool:
    """Does the terminator cluster ``text[t_start:t_end]`` end a sentence?"""
    nm = _NEXT.match(text, next_pos)
    word, dot = nm.group(1), nm.group(2)
    first = word[:1]
    if first.islower():
        # Spanish "¿y …?" opens a sentence whatever its case; otherwise lower case goes on
        # the sentence: "Yahoo! in …", "— спросил он", "etc. and".
        lead = text[next_pos : nm.start(1)]
        return "¿" in lead or "¡" in lead
    if not first and nm.end() < len(text) and text[nm.end()] in ",;:":
        return False
    t = text[t_start:t_end]
    if t in (".", ".)", ")") and _LIST_LABEL.fullmatch(
        text[sent_start:t_start].strip(_WS + BULLETS)
    ):
        return False  # "1. The first item", "a. …": the label of a list item
    ellipsis = "…" in t or ".." in t or ". ." in t
    if ellipsis and t_start and text[t_start - 1] in "[(":
        return False  # "[...]": an omission mark, not a stop
    if _open_depth(text, sent_start, t_end, decider.quote_pairs):
        return False  # «К чему ты готовишься? – спросила мама. – …»
    if decider.ascii_quotes and text.count('"', sent_start, t_end) % 2:
        return False  # inside "…" (straight quotes pair up by parity)
    if ellipsis:
        return not (decider.rules.lang == "en" and word == "I" and not dot)
    if t[0] != "." or any(c in STRONG for c in t):
        return True
    if len(t) > 1 and t.lstrip(". \u00a0\u202f")[:1] in CLOSERS:
        return True  # a period closed by a quote or bracket
    return decider.period(text, t_start, sent_start, word, dot)


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Shrink ``[start, end)`` to exclude surrounding whitespace; ``None`` when empty."""
    seg = text[start:end]
    stripped = seg.strip()
    if not stripped:
        return None
    a = start + len(seg) - len(seg.lstrip())
    return a, a + len(stripped)
