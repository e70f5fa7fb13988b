"""Boilerplate classification of plain-text lines (a web page dumped as text, one block a line).

Why this design: a naive scraper's text is the article's paragraphs as one contiguous run
of long, punctuated, stopword-rich lines, surrounded by menus, widgets, credits and teasers
that are short, unpunctuated, title-cased, link-like or in another script. No single line
feature separates the two well (a two-word subheading inside an article looks like a menu
item), but the page's *layout* does. So the classifier works in four passes:

1. **Cues** (``_cue``): lines that say what they are in any language we know the words
   for — "READ MORE:", "© …", "log in or register", cookie banners, lone numbers, a
   "Caption. - SiteName" suffix. These are dropped wherever they stand.
2. **Local score** (``_score``): a log-odds-like sum of general features — length in
   words, sentence punctuation, stopword density against the page's jusText stoplist,
   title case, digits, links, separators, a script that differs from the page's, and
   repetition across pages of the same source.
3. **Layout** (``_viterbi``): a four-state path PRE → BODY ⇄ GAP → POST over the lines
   maximises the summed scores of BODY lines minus a cost per state switch and per line
   spent in a GAP inside the article. Weak lines between strong ones are kept (headings,
   short paragraphs), strong-looking lines far from the article are not (teasers, comments
   on the edges, site descriptions). The article does not span a comment header or a
   site's footer (barriers, which close it) nor a full date line (walls: the item header
   of a teaser or comment list, each item's blurb as long as a paragraph). The items
   under a teaser list's header ("Most Popular") are scored like cue lines.
4. **Blocks** (``_with_short_gaps``, ``_with_structured_runs``): a short gap inside the
   article is kept (a subheading, a short list) unless it holds a box's cue ("Related",
   "Share"); a run of lines of one shape (a schedule, a table, a numbered list: numbers
   and punctuation in the same places) that touches the article is its text, however
   little prose its lines hold.

The parameters are a handful of general constants chosen from these priors, not fitted
to any data set: no weight was learned. (The barrier rule for comment threads, the inline
"(Image: …)" credit, the no-full-stop cost, the walls, the boxes and the structured runs
were added after reading error *classes* on a benchmark — the shared harness's 181 pages,
its errors bucketed by ``bench/boilerplate_errors.py`` and scored on both halves of the
pages —; each constant moves F1 there by a point or two over ±50%.) Deterministic, pure
Python, no model.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import chain

from corpus.stages.boilerplate import cues as data

__all__ = ["Verdict", "classify_lines", "classify_page", "guess_stoplist", "line_cue",
           "line_kind", "line_script"]

# --- general parameters (log-odds units) -------------------------------------------------
NEUTRAL_WORDS = 8.0  # a line this long is neither body- nor boilerplate-like by length
SWITCH_COST = 2.0  # cost of entering or leaving the article body
GAP_LINE_COST = 0.25  # cost per line of a gap inside the article (distance penalty)
# Per line beyond the first MAX_KEPT_GAP of a gap (lines that are not kept anyway): as
# much as leaving the article and coming back, so that an article seldom goes on after a
# long stretch of furniture (F1 on the shared harness is flat from 1x to 2.5x this).
LONG_GAP_LINE_COST = SWITCH_COST
CUE_SCORE_CAP = -0.5  # cue lines never seed a body region
# Paragraphs end with sentence punctuation about nine times in ten, furniture (menus,
# headlines, teaser lists) about one in ten: ln(9) ≈ 2.2 between the two outcomes (2.5
# here: a mid-length line without a full stop is the signature of a headline list).
TERMINAL_BONUS = 1.0
NO_TERMINAL_COST = 1.5
# Positive score (about two paragraphs) before a barrier that makes it close the article.
CLOSING_MASS = 10.0
# A gap of at most this many lines between two stretches of article is article too: a
# subheading with a list of up to five items.
MAX_KEPT_GAP = 6
# Non-empty lines beyond which a text is not one page (the longest of the 181 real pages
# in the shared harness has 520 lines): it may hold many articles (see ``_viterbi``).
MANY_PAGES_LINES = 3000
# Cue reasons that close an article: its body never continues past a comment thread's
# header or the copyright footer.
BARRIER_REASONS = frozenset({"comment_widget", "comment_header", "copyright"})
# Cue reasons that open an inline box (teasers, share buttons, a sign-up form) rather
# than a figure: a gap inside the article holding one is left out whole.
BOX_REASONS = frozenset({"teaser", "share_prompt", "subscribe_prompt", "login_prompt",
                         "comment_widget", "advertisement", "ui_string", "disclosure"})
MIN_STOPLIST_COVERAGE = 0.05  # below this, no stoplist explains the page

_TERMINAL = set(".!?。！？؟।")
_COMMAS = frozenset(",;，、")  # a clause inside the line
_CLOSERS = "\"'”’»)]）」』›*"
_WORD_RE = re.compile(r"\w+", re.UNICODE)
_URL_RE = re.compile(r"(https?://|www\.)\S+|\b[\w.+-]+@[\w-]+\.[\w.]+\b", re.IGNORECASE)
_HANDLE_RE = re.compile(r"(?<![\w@])@\w{2,}")
_NUMBERISH_RE = re.compile(r"^[\d\s.,:;/%+\-−–—()\[\]#№*°'\"]+$")
# "NAME says:" / "NAME on 17 May 2019 at 6:34 am said:" — a comment's byline.
_COMMENT_HEADER_RE = re.compile(
    r"\b(says|said|wrote|writes|пишет|написал|написала|пише|schreibt|schrieb|dice|dijo|"
    r"escribió|disse|escreveu|dit|écrit|scrive|pisze|napisał|schreef|yazdı)\s*:$",
    re.IGNORECASE,
)
# "(Image: GETTY)", "(AP Photo/John Doe)", "[File: Reuters]": a caption's credit.
_INLINE_CREDIT_RE = re.compile(
    r"[(\[]\s*(?:[\w ]{0,20}\b)?(image|photo|picture|pictured|foto|фото|file|credit|source|"
    r"bild|quelle|источник|illustration)s?\b\s*[:/][^)\]]*[)\]]\s*[.]?$",
    re.IGNORECASE,
)
# "… last week. Credit... Doug Mills/The New York Times", "… a rabbit Credit: Getty": a
# caption that ends in its credit.
_CREDIT_SUFFIX_RE = re.compile(
    r"\b(?:credit|credits|crédit|crédito|photo|image|foto|bild|фото)\s*(?:\.\.\.|…|:)"
    r"\s*[^.!?:]{2,80}$",
    re.IGNORECASE,
)
_YEAR_RE = re.compile(r"\b(19|20)\d\d\b")
# English headline case capitalises the short words prose leaves lower-case mid-sentence
# ("Police: 2 In Custody After Death Of Student"): two of them, not after a sentence's
# or a clause's end, in a long line, mark a teaser's headline run into its blurb.
HEADLINE_CASE_CHARS = 150  # the headline opens the line: only its start is searched
_HEADLINE_CASE_RE = re.compile(
    r"(?<![.!?:;\"“”]) (?:Of|In|To|For|After|With|On|At|From|And|By|Over|Into|About|"
    r"Against|Amid|Before|Is|Are|Was|Its|His|Her|Their)(?= )"
)
_SEPARATOR_RE = re.compile(r"\s[|•·»›>/]\s|\s[|•»›]$|^[|•»›]\s")
_SEPARATOR_CHAR_RE = re.compile(r"[|•·»›>/]")  # a quick scan before the regex above
# " - SiteName" / " | SiteName" at the end: a caption or headline signed by the site.
_SUFFIX_RE = re.compile(r"\s[-–—|]\s+(\S+(?:\s+\S+){0,3})\s*$")

# (first code point, script) ranges; unlisted letters fall into "Other".
_SCRIPT_RANGES: list[tuple[int, str]] = [
    (0x0000, "Latin"), (0x0250, "Latin"), (0x0370, "Greek"), (0x0400, "Cyrillic"),
    (0x0530, "Armenian"), (0x0590, "Hebrew"), (0x0600, "Arabic"), (0x0700, "Other"),
    (0x0750, "Arabic"), (0x0780, "Other"), (0x0900, "Indic"), (0x0E00, "Thai"),
    (0x0E80, "Other"), (0x10A0, "Georgian"), (0x1100, "Hangul"), (0x1200, "Other"),
    (0x1E00, "Latin"), (0x1F00, "Greek"), (0x2000, "Other"), (0x2E80, "CJK"),
    (0xA000, "Other"), (0xAC00, "Hangul"), (0xD7B0, "Other"), (0xF900, "CJK"),
    (0xFB00, "Other"), (0xFB50, "Arabic"), (0xFE00, "Other"), (0xFF00, "CJK"),
    (0xFFF0, "Other"), (0x20000, "CJK"), (0x30000, "Other"),
]  # fmt: skip
_SCRIPT_STARTS = [start for start, _ in _SCRIPT_RANGES]
# Scripts written without spaces: a "word" is about this many characters.
_CHARS_PER_WORD = {"CJK": 2.0, "Thai": 4.0}
_CASED = {"Latin", "Cyrillic", "Greek", "Armenian", "Georgian"}


@cache
def _char_script(ch: str) -> str:
    return _SCRIPT_RANGES[bisect_right(_SCRIPT_STARTS, ord(ch)) - 1][1]


class _Table(dict):
    """A ``str.translate`` table that computes each code point's entry on first use.

    Per-character work (which script, which class) then runs in C: one ``translate`` and a
    few ``str.count`` calls per line instead of a Python loop over its characters.
    """

    def __init__(self, fn: Callable[[str], str | None]) -> None:
        super().__init__()
        self.fn = fn

    def __missing__(self, cp: int) -> str | None:
        out = self[cp] = self.fn(chr(cp))
        return out


def _char_class(ch: str) -> str:
    if ch.isspace():
        return " "
    if ch.isalpha():
        code = _SCRIPT_CODE[_char_script(ch)]
        return code.upper() if ch.isupper() else code
    if ch.isupper():  # Ⓐ and friends: upper case, yet not letters
        return "^"
    return "#" if ch.isdigit() else "."


# One ASCII character per character of a line: a letter's script as a letter (upper case
# for an upper-case letter), " " for white space, "#" a digit, "^" another upper-case
# character, "." anything else. The class string splits into words exactly as the line does.
_SCRIPT_NAMES = sorted({name for _, name in _SCRIPT_RANGES})
_SCRIPT_CODE = {name: chr(0x61 + i) for i, name in enumerate(_SCRIPT_NAMES)}
_CODE_SCRIPT = {c: name for name, code in _SCRIPT_CODE.items() for c in (code, code.upper())}
_LETTER_CODES = "".join(sorted(_CODE_SCRIPT))
_CLASS_TABLE = _Table(_char_class)
_FIRST_LETTER_RE = re.compile(rf"(?:^| )[^ {_LETTER_CODES}]*([{_LETTER_CODES}])")


def _classes(text: str) -> str:
    return text.translate(_CLASS_TABLE)


def _class_counts(classes: str) -> dict[str, int]:
    """How often each class character occurs."""
    return {c: classes.count(c) for c in set(classes)}


def _script_counts(text: str, chars: dict[str, int] | None = None) -> Counter[str]:
    """Letters of *text* per script (from its class counts *chars* when given)."""
    chars = _class_counts(_classes(text)) if chars is None else chars
    out: dict[str, int] = {}
    for c, n in chars.items():
        script = _CODE_SCRIPT.get(c)
        if script is not None:
            out[script] = out.get(script, 0) + n
    return Counter(out)


def line_script(text: str) -> str:
    """Dominant script of the letters of *text* ("Latin", "Cyrillic", "CJK", …; "" if none)."""
    counts = _script_counts(text)
    return max(sorted(counts), key=counts.__getitem__) if counts else ""


# --- stoplists ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Stoplists:
    names: tuple[str, ...]
    scripts: tuple[str, ...]
    index: dict[str, tuple[int, ...]]  # word -> indices of the lists holding it
    sets: tuple[frozenset[str], ...]


@lru_cache(maxsize=1)
def load_stoplists() -> _Stoplists:
    """All jusText stoplists, loaded once (about 0.1 s) and indexed by word."""
    import justext

    names = tuple(sorted(justext.get_stoplists()))
    sets = tuple(frozenset(justext.get_stoplist(n)) for n in names)
    scripts = tuple(line_script(" ".join(words)) for words in sets)  # the order is irrelevant
    # word -> lists holding it; most words are in one list only, indexed in C by fromkeys
    shared = {w for w, n in Counter(chain.from_iterable(sets)).items() if n > 1}
    index: dict[str, tuple[int, ...]] = {}
    for i, words in enumerate(sets):
        index.update(dict.fromkeys(words - shared, (i,)))
    multi: dict[str, list[int]] = {}
    for i, words in enumerate(sets):
        for w in words & shared:
            multi.setdefault(w, []).append(i)
    index.update((w, tuple(ids)) for w, ids in multi.items())
    return _Stoplists(names, scripts, index, sets)


def _stoplist_for_lang(lang: str | None) -> str | None:
    if not lang:
        return None
    names = load_stoplists().names
    if lang in names:
        return lang
    code = re.split(r"[-_]", lang.strip())[0].lower()
    return data.ISO_TO_STOPLIST.get(code)


def guess_stoplist(lines: Sequence[str], script: str | None = None) -> str | None:
    """Name of the jusText stoplist that covers the most tokens of *lines*, or None.

    A cheap language estimate that is all the classifier needs: the list that best
    explains the page is the one whose density tells prose from furniture. Only lists in
    the page's main *script* compete; below ``MIN_STOPLIST_COVERAGE`` there is no answer.
    """
    if script is None:
        script = line_script(" ".join(lines))
    return _best_stoplist(_WORD_RE.findall("\n".join(lines).lower()), script)


def _best_stoplist(tokens: list[str], script: str) -> str | None:
    if not tokens:
        return None
    sl = load_stoplists()
    hits = [0] * len(sl.names)
    for t, n in Counter(tokens).items():
        for i in sl.index.get(t, ()):
            hits[i] += n
    best, best_hits = None, 0
    for i, name in enumerate(sl.names):
        if sl.scripts[i] == script and hits[i] > best_hits:
            best, best_hits = name, hits[i]
    if best is None or best_hits / len(tokens) < MIN_STOPLIST_COVERAGE:
        return None
    return best


# --- per-line features -------------------------------------------------------------------


_NON_WORD_RE = re.compile(r"[\W\d_]+")
_DIGIT_RE = re.compile(r"[\d_]")


def _norm(text: str) -> str:
    """Lower-case, punctuation and digits to spaces: the form cue phrases are matched in."""
    return " ".join(_NON_WORD_RE.sub(" ", text.lower()).split())


_norm_cached = lru_cache(maxsize=4096)(_norm)  # for the few cue lines a page step re-reads


@lru_cache(maxsize=1)
def _cue_regexes() -> dict[str, re.Pattern[str]]:
    def alternation(phrases: Sequence[str]) -> str:
        return "|".join(sorted((re.escape(_norm(p)) for p in phrases if _norm(p)), key=len)[::-1])

    out = {
        reason: re.compile(rf"(?:^| )(?:{alternation(ph)})(?: |$)")
        for reason, ph in data.CUES.items()
    }
    out["whole_ui"] = re.compile(rf"^(?:{alternation(data.CUES['ui_string'])})$")
    out["whole_ad"] = re.compile(rf"^(?:{alternation(data.CUES['advertisement'])})$")
    out["agency"] = re.compile(rf"(?:^| )(?:{alternation(data.CREDIT_AGENCIES)})(?: |$)")
    out["copyright"] = re.compile(rf"(?:^| )(?:{alternation(data.COPYRIGHT_PHRASES)})(?: |$)")
    out["cookie"] = re.compile(rf"(?:^| )(?:{alternation(data.COOKIE_WORDS)})(?: |$)")
    out["consent"] = re.compile(rf"(?:^| )(?:{alternation(data.CONSENT_WORDS)})")
    return out


def _maybe_link(text: str) -> bool:
    """Cheap test that *text* might hold a URL, e-mail address or handle (all need one of
    these), so the costly regexes run only on the few lines that do."""
    return "@" in text or "://" in text or "www." in text.lower()


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip().rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _TERMINAL and not stripped.endswith("...")


def _is_title_case(classes: str) -> bool:
    """Whether three or more words have letters and three in four of them start upper-case
    (*classes* is the line's class string, see ``_classes``)."""
    firsts = _FIRST_LETTER_RE.findall(classes)  # first letter of each lettered word
    if len(firsts) < 3:
        return False
    return sum(map(str.isupper, firsts)) / len(firsts) >= 0.75


# Cue reasons that rest on a line's *shape* (a " - Site" suffix after a title-case text):
# right on a scraped text page, wrong on a table row or list item whose structure the
# markup already gave. HTML pages and records use the other cues only (``strict``).
SHAPE_CUES = frozenset({"headline", "caption_suffix"})


def _cue(text: str, words: Sequence[str], norm: str) -> str | None:
    """Reason a line is furniture by what it says, or None. Works on one line alone."""
    rx = _cue_regexes()
    stripped = text.strip()
    low = stripped.lower()
    n = len(words)
    if _NUMBERISH_RE.match(stripped):
        return "lone_number"
    if _maybe_link(stripped) and (
        _URL_RE.fullmatch(stripped) or _HANDLE_RE.fullmatch(stripped)
    ):
        return "link"
    if low.startswith(data.TEASER_PREFIXES):
        return "teaser"
    if rx["cookie"].search(norm) and rx["consent"].search(norm):
        return "cookie_notice"
    # A site's footer reserves rights or names a year; a photo credit names a person/agency.
    # (Both searches are costly on long lines, and only lines of 20 words or less need them.)
    marked = stripped.startswith(("©", "(c)", "(С)", "Ⓒ", "ⓒ")) or (
        n <= 20 and ("©" in stripped or "ⓒ" in stripped)
    )
    prose = n >= 4 and _ends_sentence(stripped)
    if marked or n <= 20:
        rights = rx["copyright"].search(norm) is not None
        year = _YEAR_RE.search(stripped) is not None
        if marked:
            return "copyright" if rights or year else "photo_credit"
        if rights or (year and "copyright" in low):
            return "copyright"
    if n <= 12 and not prose and (
        low.startswith(data.CREDIT_PREFIXES) or rx["agency"].search(norm)
    ):
        return "photo_credit"
    if _INLINE_CREDIT_RE.search(stripped) or (
        n > 3 and (":" in stripped or "…" in stripped or "..." in stripped)
        and _CREDIT_SUFFIX_RE.search(stripped)
    ):
        return "caption"
    if rx["whole_ui"].match(norm):
        return "ui_string"
    if rx["whole_ad"].match(norm):
        return "advertisement"
    if n <= 8 and _COMMENT_HEADER_RE.search(stripped):
        return "comment_header"
    if n <= data.CUE_MAX_WORDS and not prose:
        for reason in ("login_prompt", "subscribe_prompt", "comment_widget", "share_prompt"):
            m = rx[reason].search(norm)
            # the button word leads, ends or makes up the line ("Share", "Pick Six
            # Newsletter"), not a word in the middle of a phrase ("a piece of email marketing")
            if m and (m.start() == 0 or m.end() == len(norm)
                      or 2 * len(m.group().split()) >= len(norm.split())):
                return reason
    if (reason := _sentence_cue(norm, n)) is not None:
        return reason
    if 2 <= n <= 6 and not prose and _bio_header(stripped, low):
        return "byline"
    if 3 <= n <= data.BYLINE_NAME_MAX_WORDS and _by_name(words):
        return "byline"
    if n <= BIO_MAX_WORDS and not _BIO_COPULAS.isdisjoint(words[2:6]) and _author_bio(words):
        return "byline"
    if n <= 12 and _dateline(norm, stripped):
        return "byline"
    if n >= 8 and len(_HEADLINE_CASE_RE.findall(stripped, 0, HEADLINE_CASE_CHARS)) >= 2:
        return "headline"
    m = _SUFFIX_RE.search(stripped)
    if m and not _ends_sentence(m.group(1)):
        suffix = [w for w in m.group(1).split() if any(c.isalpha() for c in w)]
        if suffix and all(next(c for c in w if c.isalpha()).isupper() for w in suffix):
            title = _is_title_case(_classes(stripped[: m.start()]))
            return "headline" if title else "caption_suffix"
    return None


@lru_cache(maxsize=1)
def _sentence_regexes() -> dict[str, tuple[re.Pattern[str], re.Pattern[str]]]:
    """Per category: (the phrases at the start of a line, the phrases anywhere)."""
    out = {}
    for reason, phrases in data.SENTENCE_CUES.items():
        alt = "|".join(sorted({n for p in phrases if (n := _norm(p))}, key=len)[::-1])
        out[reason] = (re.compile(rf"^(?:{alt})(?: |$)"), re.compile(rf"(?:^| )(?:{alt})(?: |$)"))
    return out


def _sentence_cue(norm: str, n: int) -> str | None:
    """Furniture written as a sentence: a newsletter or app prompt, a byline, a
    disclosure (see ``cues.SENTENCE_CUES`` for where each may stand)."""
    for reason, (start, anywhere) in _sentence_regexes().items():
        if reason == "byline":
            if n <= data.BYLINE_MAX_WORDS and anywhere.search(norm):
                return reason
        elif start.match(norm) or (n <= data.SENTENCE_CUE_MAX_WORDS and anywhere.search(norm)):
            return reason
    return None


@lru_cache(maxsize=1)
def _bio_prefixes() -> tuple[str, ...]:
    return tuple(sorted((p + " " for p in data.BIO_PREFIXES), key=len, reverse=True))


def _bio_header(stripped: str, low: str) -> bool:
    """"About Jane Doe": a bio box's header (the prefix, then capitalised words only)."""
    for prefix in _bio_prefixes():
        if low.startswith(prefix):
            rest = stripped[len(prefix):].split()
            return bool(rest) and all(w[:1].isupper() for w in rest)
    return False


_BYLINE_PREFIXES = frozenset(data.BYLINE_PREFIXES)


def _by_name(words: Sequence[str]) -> bool:
    """"By Jane Doe", "By Eric Song, IGN Staff", "Por María López | Madrid": the byline
    word, then two capitalised words (a first and a last name; "By Monday, the council"
    or "By 2020 the plan" is prose)."""
    if words[0].lower() not in _BYLINE_PREFIXES or not words[0][:1].isupper():
        return False
    first, last = words[1], words[2]
    return (first[:1].isupper() and first[-1:].isalpha() and last[:1].isupper()
            and any(c.isalpha() for c in last))


_BIO_COPULAS = frozenset(data.BIO_COPULAS)
BIO_MAX_WORDS = 80  # an author's bio is a short paragraph (two or three sentences)
_BIO_ROLE_WINDOW = 8  # words after the copula within which the bio names the trade


@lru_cache(maxsize=1)
def _bio_words() -> tuple[frozenset[str], frozenset[str]]:
    return frozenset(data.BIO_COPULAS), frozenset(data.BIO_ROLES)


def _author_bio(words: Sequence[str]) -> bool:
    """"Jane Doe (@jdoe) is a staff writer at …": a name (two to four capitalised words,
    a handle or a bracket after it), a copula, and in the noun phrase after it (a few
    words, up to a comma or a conjunction) a noun of the trade (writer, reporter, editor,
    Redakteur, periodista, журналист, …)."""
    copulas, roles = _bio_words()
    if copulas.isdisjoint(words[2:6]):  # the copula follows a name of two words or more
        return False  # (``_cue`` asks this first: most lines end here)
    names = 0
    k = 0
    while k < len(words) and k < 6:
        w = words[k]
        if w.lower() in copulas:
            break
        if w[:1].isupper() or (names and w[:1] in "(@"):
            names += w[:1].isupper()
            k += 1
            continue
        return False
    if not 2 <= names <= 4 or k >= len(words) or words[k].lower() not in copulas:
        return False
    for w in words[k + 1:k + 1 + _BIO_ROLE_WINDOW]:  # the noun phrase after the copula
        if w.strip(".,;:()").lower() in roles:
            return True
        if w[-1:] in ",;:" or w.lower() in ("and", "who", "that", "und", "et", "y", "e"):
            return False
    return False


@lru_cache(maxsize=1)
def _date_words() -> frozenset[str]:
    return frozenset(w for p in data.DATE_WORDS for w in _norm(p).split())


def _dateline(norm: str, stripped: str) -> bool:
    """A line of only dates and times: month and weekday names and numbers
    ("Tuesday November 19, 2019", "August 22, 2018 at 5:57 am")."""
    if not any(map(str.isdigit, stripped)):
        return False
    words = norm.split()
    return bool(words) and all(w in _date_words() for w in words)


# A teaser list's header ("Most Popular", "Related Articles") heads the lines after it,
# up to this many, until a line that scores like a paragraph or another cue.
TEASER_LIST_LINES = 10
TEASER_ITEM_MAX_SCORE = 3.0


@lru_cache(maxsize=1)
def _teaser_headers() -> frozenset[str]:
    return frozenset(n for p in data.TEASER_PREFIXES if (n := _norm(p)))


def _mark_teaser_lists(lines: Sequence[_Line]) -> list[int]:
    """Score the items under a teaser list's header (a line that is nothing but a teaser
    phrase: "Most Popular", "Related Articles", "Top stories") as cue lines are scored,
    so that no article region takes them in: the headlines after it, until a line that
    scores like a paragraph (an article starting below the box) or another cue line, at
    most ``TEASER_LIST_LINES``. (Their reasons stay their own: a line the box held that
    was left out before is left out for the same reason.) Returns the items' indices."""
    headers = _teaser_headers()
    items: list[int] = []
    for i in [i for i, f in enumerate(lines) if f.cue == "teaser"]:
        if _norm_cached(lines[i].text) not in headers:
            continue
        for j in range(i + 1, min(i + 1 + TEASER_LIST_LINES, len(lines))):
            g = lines[j]
            if g.score >= TEASER_ITEM_MAX_SCORE or g.cue not in (None, "headline"):
                break
            g.score = min(g.score, CUE_SCORE_CAP)
            items.append(j)
    return items


def _barrier(line: _Line) -> bool:
    """Whether the article does not go on past *line* (see ``BARRIER_REASONS``). A
    copyright line closes it only if it is a site's footer — rights reserved, or a year
    among its first words ("© 2019 Site", "Copyright 2019 …") — not a photo's credit
    ("Image copyright EPA", "© Jane Doe Protesters in the square on May 18, 2018.")."""
    if line.cue not in BARRIER_REASONS:
        return False
    if line.cue != "copyright":
        return True
    rest = " ".join(w for w in _norm_cached(line.text).split() if w != "copyright")
    if _cue_regexes()["copyright"].search(rest):
        return True  # a rights phrase other than the bare word
    return _YEAR_RE.search(" ".join(line.text.split()[:4])) is not None


@lru_cache(maxsize=4096)
def _dated_header(text: str) -> bool:
    """Whether a byline cue line is a full date (a year in it) and nothing else: the
    header of an item in a list of comments or teasers, which the article does not span.
    (A date in brackets is a note inside the text: "(Published Monday, Nov. 18, 2019)"
    under an embedded video.)"""
    stripped = text.strip()
    return (not stripped.startswith(("(", "["))
            and _YEAR_RE.search(stripped) is not None and _dateline(_norm(stripped), stripped))


def line_cue(text: str, *, strict: bool = True) -> str | None:
    """The reason *text* is furniture by what it says alone, or None.

    ``strict`` leaves out the cues that rest on a line's shape (:data:`SHAPE_CUES`): what
    HTML pages and records use, where the markup or the record already said what a line
    is, and only strong evidence may drop a line the main-content extraction kept.
    """
    if not text.strip():
        return None
    cue = _features(text).cue
    return None if cue is None or (strict and cue in SHAPE_CUES) else cue


@dataclass(slots=True)
class _Line:
    text: str
    words: int = 0
    units: float = 0.0  # length in words, counting unspaced scripts by characters
    script: str = ""
    counts: Counter[str] = field(default_factory=Counter)  # letters per script
    classes: str = ""  # one class character per character (see ``_classes``)
    chars: dict[str, int] = field(default_factory=dict)  # class characters counted
    tokens: list[str] = field(default_factory=list)  # lower-cased \w+ tokens
    cue: str | None = None
    score: float = 0.0
    why: str = ""  # main negative feature, for the reason of a dropped line


def _units(words: Sequence[str], counts: Counter[str]) -> float:
    """Length in words; runs of unspaced scripts (CJK, Thai) count by characters."""
    if not any(counts.get(script) for script in _CHARS_PER_WORD):
        return float(len(words))
    units = 0.0
    for w in words:
        wc = _script_counts(w)
        spaced = True
        for script, per in _CHARS_PER_WORD.items():
            if wc.get(script):
                units += wc[script] / per
                spaced = False
        if spaced:
            units += 1
    return units


# Lines up to this long have their page-independent features cached: menus, buttons,
# credits and footers recur on every page of a site, and a site's pages come together.
CACHED_LINE_CHARS = 200
_STATIC_CACHE = 1 << 15


def _features(text: str) -> _Line:
    """A line's features; what does not depend on the page is computed once per line text
    (for short lines, see ``CACHED_LINE_CHARS``) and shared, never mutated."""
    static = _static_cached(text) if len(text) <= CACHED_LINE_CHARS else _static(text)
    return _Line(*static)


def _static(text: str) -> tuple:
    words = text.split()
    classes = _classes(text)
    chars = _class_counts(classes)
    counts = _script_counts(text, chars)
    script = max(sorted(counts), key=counts.__getitem__) if counts else ""
    tokens = _WORD_RE.findall(text.lower())
    # the normal form is the \w tokens joined, unless a token holds a digit or "_"
    joined = " ".join(tokens)
    norm = _norm(text) if _DIGIT_RE.search(joined) else joined
    cue = _cue(text, words, norm)
    return (text, len(words), _units(words, counts), script, counts, classes, chars, tokens,
            cue)


_static_cached = lru_cache(maxsize=_STATIC_CACHE)(_static)


def _score(
    line: _Line, *, page_script: str, stopset: frozenset[str] | None, stop_script: str
) -> None:
    """Set ``line.score`` (positive: body-like) and ``line.why`` (its worst feature)."""
    text = line.text.strip()
    penalties: list[tuple[float, str]] = []
    length = 1.5 * math.log2(max(line.units, 0.5) / NEUTRAL_WORDS)
    score = max(-3.5, min(3.0, length))
    if length < 0:
        penalties.append((length, "short_line"))
    if _ends_sentence(text):
        score += TERMINAL_BONUS
    elif text.endswith((",", ";", ":", "、", "，", "：")):
        score += 0.3
    elif not text.endswith(("...", "…")):
        score -= NO_TERMINAL_COST
    if not _COMMAS.isdisjoint(text[:-1]):
        score += 0.2
    if stopset is not None and line.script == stop_script:
        tokens = line.tokens  # the tokens of the stripped line: strip() removes no \w
        if tokens:
            density = sum(map(stopset.__contains__, tokens)) / len(tokens)
            weight = min(1.0, len(tokens) / NEUTRAL_WORDS)
            s = max(-1.5, min(1.5, 5.0 * (density - 0.2))) * weight
            score += s
            if s < -0.5:
                penalties.append((s, "low_stopword_density"))
    chars = line.chars  # of the unstripped line: strip() removes only white space
    if line.script in _CASED:
        if _is_title_case(line.classes):
            score -= 1.5
            penalties.append((-1.5, "headline"))
        letters = sum(line.counts.values())
        upper = sum(n for c, n in chars.items() if c.isupper()) + chars.get("^", 0)
        if letters >= 4 and upper / letters > 0.7:
            score -= 1.0
            penalties.append((-1.0, "navigation"))
    nonspace = len(line.text) - chars.get(" ", 0)
    if nonspace and chars.get("#", 0) / nonspace > 0.3:
        score -= 1.0
        penalties.append((-1.0, "date_or_number"))
    link = _maybe_link(text)
    if link and _URL_RE.search(text):
        score -= 1.0
        penalties.append((-1.0, "link"))
    elif link and line.words <= 8 and _HANDLE_RE.search(text):
        score -= 0.5
        penalties.append((-0.5, "link"))
    if _SEPARATOR_CHAR_RE.search(text) and _SEPARATOR_RE.search(text):
        score -= 1.0
        penalties.append((-1.0, "navigation"))
    letters = sum(line.counts.values())
    # a line mostly in another script is page furniture (a stray UI string); a line that is
    # partly in the page's script too is mixed-language text, left to the language splitter
    if (
        page_script
        and line.script
        and line.script != page_script
        and line.counts.get(page_script, 0) < 0.3 * letters
    ):
        score -= 2.0
        penalties.append((-99.0, "ui_string"))  # ranks first: it names the line best
    line.score = score
    line.why = min(penalties)[1] if penalties else "outside_body"


@lru_cache(maxsize=_STATIC_CACHE)
def _score_cached(text: str, page_script: str, stoplist: str | None) -> tuple[float, str]:
    """``_score`` of a short line on a page of this script and stoplist (they repeat)."""
    line = _Line(*_static_cached(text))
    stopset, stop_script = None, ""
    if stoplist is not None:
        sl = load_stoplists()
        k = sl.names.index(stoplist)
        stopset, stop_script = sl.sets[k], sl.scripts[k]
    _score(line, page_script=page_script, stopset=stopset, stop_script=stop_script)
    return line.score, line.why


# --- layout ------------------------------------------------------------------------------

_PRE, _BODY, _GAP, _POST = range(4)


def _viterbi(
    scores: Sequence[float], barriers: Sequence[bool], many: bool = False,
    walls: Sequence[bool] | None = None,
) -> list[int]:
    """The state of every line on the best path PRE → BODY ⇄ GAP → POST.

    BODY lines earn their score, GAP lines cost ``GAP_LINE_COST`` each up to the
    ``MAX_KEPT_GAP``-th line of a gap and ``LONG_GAP_LINE_COST`` each after it (an article
    seldom goes on after a long stretch of furniture: what follows is teasers, comments,
    another page's text); PRE/POST lines are free; every switch into or out of BODY costs
    ``SWITCH_COST``. A barrier line (comment thread header, copyright footer) must be PRE
    or POST: the article does not span it. With *many* (a text far longer than any page: a
    dump of many pages) POST may lead back into BODY, so each article in it is found, not
    only the best one. A *wall* line (a dated item header in a list of teasers or
    comments) must be PRE or POST too, but does not close the article: the best stretch
    between walls wins. Ties go to PRE, then BODY, then GAP, then POST, and to the shorter
    gap, so the result is deterministic.
    """
    n = len(scores)
    if n == 0:
        return []
    if walls is None:
        walls = [False] * n
    neg = -math.inf
    sw, cost, long_cost = SWITCH_COST, GAP_LINE_COST, LONG_GAP_LINE_COST
    k_max = MAX_KEPT_GAP
    # gap[k] is the best path whose current gap is k + 1 lines long (the last entry: longer)
    pre, body, post = 0.0, (neg if barriers[0] or walls[0] else scores[0] - sw), neg
    gap = [neg] * (k_max + 1)
    # per line: (BODY's predecessor, the long gap's predecessor, POST's predecessor);
    # predecessors as 0 PRE, 1 BODY, 3 POST, 4 + k the gap of k + 1 lines
    back: list[tuple[int, int, int]] = []
    mass = max(scores[0], 0.0)  # body-like evidence seen so far
    for s, barrier, wall in zip(scores[1:], barriers[1:], walls[1:], strict=True):
        # After a barrier that follows article-like text, the article has started:
        # what comes after a comment header or footer is not where it begins.
        closed = barrier and mass >= CLOSING_MASS
        mass += max(s, 0.0)
        # into BODY: from PRE, BODY, the best gap, (POST with many); the first listed wins ties
        b, b_ptr = pre - sw, 0
        if body > b:
            b, b_ptr = body, 1
        g_best = max(gap)
        if g_best - sw > b:
            b, b_ptr = g_best - sw, 4 + gap.index(g_best)  # the shortest of the best gaps
        if many and post - sw > b:
            b, b_ptr = post - sw, 3
        # the long gap: from the longest short gap, or itself
        if gap[k_max] > gap[k_max - 1]:
            g_long, l_ptr = gap[k_max], 4 + k_max
        else:
            g_long, l_ptr = gap[k_max - 1], 3 + k_max
        p, p_ptr = body - sw, 1
        if post > p:
            p, p_ptr = post, 3
        back.append((b_ptr, l_ptr, p_ptr))
        if barrier or wall:
            body = neg
            gap = [neg] * (k_max + 1)
        else:
            new_gap = [body - sw - cost]
            new_gap += [g - cost for g in gap[: k_max - 1]]
            new_gap.append(g_long - long_cost)
            body = b + s
            gap = new_gap
        if closed:
            pre = neg
        post = p
    g_best = max(gap)
    finals = ((pre, 0), (body, 1), (g_best, 4 + gap.index(g_best)), (post, 3))
    state = max(finals, key=lambda f: f[0])[1]  # the first of the best
    path = [state]
    for b_ptr, l_ptr, p_ptr in reversed(back):
        if state == 0:
            state = 0
        elif state == 1:
            state = b_ptr
        elif state == 3:
            state = p_ptr
        elif state == 4:
            state = 1
        elif state == 4 + k_max:
            state = l_ptr
        else:
            state -= 1
        path.append(state)
    path.reverse()
    return [_GAP if state >= 4 else state for state in path]


def _with_short_gaps(states: Sequence[int], cues: Sequence[str | None] | None = None
                     ) -> list[bool]:
    """Body lines, and the lines of every gap of at most ``MAX_KEPT_GAP`` lines between
    two of them: a subheading over the next paragraph, a short list inside the article.
    (A longer gap is an inline box, a tag list, a comment thread: its lines stay out.)
    A gap that holds a box's cue line (*cues*, see ``BOX_REASONS``: "Related", "Share",
    "Subscribe") is an inline box however short it is: its other lines (the teasers'
    headlines) stay out too. (A photo's credit is no box: the article's images and their
    captions stand between its paragraphs.)"""
    out = [s == _BODY for s in states]
    run: list[int] = []
    for i, state in enumerate(states):
        if state == _GAP:
            run.append(i)
            continue
        if (state == _BODY and 0 < len(run) <= MAX_KEPT_GAP
                and (cues is None or not any(cues[j] in BOX_REASONS for j in run))):
            for j in run:
                out[j] = True
        run = []
    return out


# A line's shape: its tokens as N (a number), W (a run of words) and the punctuation
# between them ("June 9 – Tampa, FL @ Amphitheatre" is "W N – W , W @ W").
_LEAD_NUMBER_RE = re.compile(r"\s*(\d{1,3})[.)]\s")
MAX_ROW_WORDS = 30  # a row, an item, a schedule's line is shorter than a paragraph
MIN_RUN_LINES = 3  # lines of the same shape that make a list, a table, a schedule


_NUMBER_TOKEN_RE = re.compile(r"\d+(?:[.,:]\d+)*")
_WORD_TOKEN_RE = re.compile(r"[^\W\d_]+\.?")
_WORD_RUN_RE = re.compile("\x01+")


@lru_cache(maxsize=_STATIC_CACHE)
def _shape(text: str) -> str:
    # numbers, then words, to placeholders (neither word nor space characters), white
    # space and "_" out, runs of words to one: one character a token, in C
    marked = _WORD_TOKEN_RE.sub("\x01", _NUMBER_TOKEN_RE.sub("\x00", text))
    tokens = _WORD_RUN_RE.sub("\x01", "".join(marked.split()).replace("_", ""))
    return " ".join(tokens).replace("\x00", "N").replace("\x01", "W")


@lru_cache(maxsize=_STATIC_CACHE)
def _row_key(text: str) -> tuple[str, str, int]:
    """What a line is as a row: its shape ("" for a line of one word: an image's file
    name, a link, is no row), its punctuation alone where it has two marks or more ("( )
    :" for "England (Group A): 10th appearance", where another row spells the number as
    a word), else "", and the number that leads a numbered item ("3) …", "12. …") or -1."""
    shape = _shape(text) if " " in text.strip() else ""
    marks = " ".join(c for c in shape.split() if c not in "NW")
    m = _LEAD_NUMBER_RE.match(text)
    return shape, (marks if len(marks) > 1 else ""), (int(m.group(1)) if m else -1)


def _structured_runs(texts: Sequence[str], candidates: Sequence[int] | None = None
                     ) -> list[tuple[int, int]]:
    """Runs ``(first, last)`` of at least ``MIN_RUN_LINES`` consecutive lines each of
    which has the shape of a line at most two away (items alternating with a link or a
    price count), a shape with a number or two punctuation marks or more in it: the rows
    of a table, the dates of a schedule, a numbered list. (A run of bare words is a menu,
    one of "Label: headline" lines a teaser list; a line of one word, an image's file
    name, is no row.) Two lines of the same punctuation (two marks or more) are alike
    too, whatever their words and numbers. One line of another shape between two of the
    same shape belongs to the run. *candidates*, when given, are the indices of the only
    lines that may be rows (the others cannot be alike to any line)."""
    if candidates is None:
        candidates = range(len(texts))
    keys = {i: _row_key(texts[i]) for i in candidates}
    rows = {i for i, (shape, marks, _) in keys.items() if "N" in shape or marks}
    if len(rows) < 2:
        return []

    def related(a: tuple[str, str, int], b: tuple[str, str, int]) -> bool:
        return a[0] == b[0] or (a[1] != "" and a[1] == b[1]) or (a[2] >= 0 and b[2] == a[2] + 1)

    alike: set[int] = set()
    for i in sorted(rows):
        for j in (i + 1, i + 2):  # (one line repeated is no table: rows differ)
            if j in rows and texts[i] != texts[j] and related(keys[i], keys[j]):
                alike.add(i)
                alike.add(j)
    # one odd row between two alike ones ("June 14 -- Arena (formerly …), City, ST", or
    # a link between two numbered items)
    for i in [a + 1 for a in alike if a + 1 not in alike and a + 2 in alike]:
        before, after = keys[i - 1], keys[i + 1]
        if texts[i - 1] != texts[i + 1] and (
            before[0] == after[0] or (before[2] >= 0 and after[2] == before[2] + 1)
        ):
            alike.add(i)
    runs = []
    first = last = -2
    for i in sorted(alike):
        if i != last + 1:
            if last - first + 1 >= MIN_RUN_LINES:
                runs.append((first, last))
            first = i
        last = i
    if last - first + 1 >= MIN_RUN_LINES:
        runs.append((first, last))
    return runs


def _with_structured_runs(lines: Sequence[_Line], in_body: list[bool]) -> list[bool]:
    """*in_body* with every structured run (see ``_structured_runs``) that touches the
    article: it starts right after a body line or ends right before one, or a heading
    (a short line that is no cue) stands between. A table, a schedule or a list of steps
    inside or at the end of an article is its text, however little prose its lines hold;
    a row of such a run loses a shape cue (``SHAPE_CUES``) it has alone."""
    out = list(in_body)
    n = len(lines)

    def heading(k: int) -> bool:
        return lines[k].cue is None and lines[k].units <= MAX_HEADING_UNITS

    # only a line with a digit or two marks can be a row (see ``_row_key``), and only a
    # line shorter than a paragraph
    candidates = [i for i, f in enumerate(lines) if f.words <= MAX_ROW_WORDS
                  and (f.chars.get("#") or f.chars.get(".", 0) >= 2)]
    for first, last in _structured_runs([f.text for f in lines], candidates):
        touch = [
            first >= 1 and out[first - 1],
            first >= 2 and out[first - 2] and heading(first - 1),
            last + 1 < n and out[last + 1],
            last + 2 < n and out[last + 2] and heading(last + 1),
        ]
        if not any(touch):
            continue
        lo = first - 1 if touch[1] and not touch[0] else first
        hi = last + 1 if touch[3] and not touch[2] else last
        for k in range(lo, hi + 1):
            out[k] = True
            if lines[k].cue in SHAPE_CUES and first <= k <= last:
                # a row's " – Venue" is no caption's site suffix, its title case no teaser's
                lines[k].cue = None
    return out


def _navigation_runs(lines: Sequence[_Line | None]) -> list[bool]:
    """For each line, whether it is one of three or more consecutive short lines (a
    menu): with the line itself, its neighbours that are short (at most four words, no
    full stop; a blank line breaks the run) make three or more."""
    short = [f is not None and f.units <= 4 and not _ends_sentence(f.text) for f in lines]
    n = len(short)
    before = [0] * n  # short lines right before line i
    for i in range(1, n):
        before[i] = before[i - 1] + 1 if short[i - 1] else 0
    after = [0] * n  # short lines right after line i
    for i in range(n - 2, -1, -1):
        after[i] = after[i + 1] + 1 if short[i + 1] else 0
    return [1 + b + a >= 3 for b, a in zip(before, after, strict=True)]


def classify_lines(
    lines: Sequence[str],
    *,
    lang: str | None = None,
    repeats: Sequence[int] | None = None,
    min_repeats: int = 2,
) -> list[str | None]:
    """For each line, ``None`` if it is body text, else the reason it is boilerplate.

    *lang* is the document's main language (ISO 639-1 such as ``"en"``/``"pt-BR"``, or a
    jusText stoplist name); when None it is estimated from stopword hits. *repeats*, when
    given, is for each line how many other documents of the same source carry the same
    line: from *min_repeats* on the line is ``repeated_across_pages`` (CCNet's rule); one
    repeat weighs against it. Blank lines are ``"empty"``. Reasons are short strings such
    as ``navigation``, ``login_prompt``, ``teaser``, ``photo_credit``, ``outside_body``.
    """
    return [v.reason for v in classify_page(lines, lang=lang, repeats=repeats,
                                            min_repeats=min_repeats)]


@dataclass(frozen=True, slots=True)
class Verdict:
    """What a line of a page is (``kind``) and why it is not kept (``reason``, or None)."""

    reason: str | None
    kind: str


# what furniture a reason says a line is (reasons not here keep the line's own kind)
REASON_KINDS: dict[str, str] = {
    "navigation": "navigation", "short_line": "navigation", "link": "navigation",
    "teaser": "teaser", "headline": "teaser",
    "login_prompt": "prompt", "subscribe_prompt": "prompt", "share_prompt": "prompt",
    "cookie_notice": "prompt", "comment_widget": "comment", "comment_header": "comment",
    "photo_credit": "credit", "caption": "caption", "byline": "byline",
    "date_or_number": "byline", "copyright": "copyright", "advertisement": "ad",
    "disclosure": "ad", "ui_string": "ui", "lone_number": "ui",
}  # fmt: skip
_ITEM_MARKER_RE = re.compile(r"^(?:[-*•·▪►✓✔–—]|\d{1,3}[.)]|\(?[a-z\d]\)|[ivx]{1,4}\.)\s+\S", re.I)
MAX_HEADING_UNITS = 12.0
HEADLINE_WINDOW = 8  # non-empty lines before the article body where its headline may stand


def line_kind(text: str) -> str:
    """The kind of a content line by its shape alone: ``list_item`` (a bullet or number
    leads it), ``table_row`` (cells separated by tabs or " | "), else ``paragraph``."""
    if _ITEM_MARKER_RE.match(text):
        return "list_item"
    if text.count("\t") >= 1 or text.count(" | ") >= 2:
        return "table_row"
    return "paragraph"


def classify_page(
    lines: Sequence[str],
    *,
    lang: str | None = None,
    repeats: Sequence[int] | None = None,
    min_repeats: int = 2,
) -> list[Verdict]:
    """:func:`classify_lines` with each line's kind, and the headline found.

    Kept lines are ``paragraph``, ``list_item``, ``table_row`` (by their shape) or
    ``heading`` (a short line without final punctuation followed by body text); the
    headline is the nearest title-like line before the article's first body line (cue
    lines between them skipped), kept as ``title``. A dropped line's kind is the
    furniture its reason names (:data:`REASON_KINDS`), else its own.
    """
    if repeats is not None and len(repeats) != len(lines):
        raise ValueError(f"repeats has {len(repeats)} entries for {len(lines)} lines")
    feats: list[_Line | None] = [_features(t) if t.strip() else None for t in lines]
    present = [f for f in feats if f is not None]
    if not present:
        return [Verdict("empty", "paragraph")] * len(lines)
    counts: Counter[str] = Counter()
    for f in present:
        counts.update(f.counts)
    page_script = max(sorted(counts), key=counts.__getitem__) if counts else ""
    name = _stoplist_for_lang(lang) or _best_stoplist(
        [t for f in present for t in f.tokens], page_script
    )
    stopset: frozenset[str] | None = None
    stop_script = ""
    if name is not None:
        sl = load_stoplists()
        k = sl.names.index(name)
        stopset, stop_script = sl.sets[k], sl.scripts[k]
    for i, f in enumerate(feats):
        if f is None:
            continue
        if len(f.text) <= CACHED_LINE_CHARS:
            f.score, f.why = _score_cached(f.text, page_script, name)
        else:
            _score(f, page_script=page_script, stopset=stopset, stop_script=stop_script)
        if repeats is not None and repeats[i] >= min_repeats:
            f.cue = f.cue or "repeated_across_pages"
        elif repeats is not None and repeats[i] > 0:
            f.score -= 1.5
        if f.cue is not None:
            f.score = min(f.score, CUE_SCORE_CAP)
    boxed = _mark_teaser_lists(present)
    order = [i for i, f in enumerate(feats) if f is not None]
    states = _viterbi([f.score for f in present],
                      [f.cue in BARRIER_REASONS and _barrier(f) for f in present],
                      many=len(present) > MANY_PAGES_LINES,
                      walls=[f.cue == "byline" and _dated_header(f.text) for f in present])
    in_body = _with_structured_runs(present, _with_short_gaps(states, [f.cue for f in present]))
    reasons: list[str | None] = ["empty"] * len(lines)
    menus: list[bool] | None = None  # computed on first need
    for i, body in zip(order, in_body, strict=True):
        f = feats[i]
        assert f is not None
        if f.cue is not None:
            reasons[i] = "caption" if f.cue == "caption_suffix" else f.cue
        elif body:
            reasons[i] = None
        elif f.why == "short_line" and (menus := menus or _navigation_runs(feats))[i]:
            reasons[i] = "navigation"
        else:
            reasons[i] = f.why
    headline = _headline(feats, order, in_body, {order[k] for k in boxed})
    out: list[Verdict] = []
    for i, (f, reason) in enumerate(zip(feats, reasons, strict=True)):
        if f is None:
            out.append(Verdict("empty", "paragraph"))
        elif i == headline:
            out.append(Verdict(None, "title"))
        elif reason is None:
            out.append(Verdict(None, _content_kind(f, feats, i, reasons)))
        else:
            out.append(Verdict(reason, REASON_KINDS.get(reason) or line_kind(f.text)))
    return out


def _content_kind(f: _Line, feats: Sequence[_Line | None], i: int,
                  reasons: Sequence[str | None]) -> str:
    kind = line_kind(f.text)
    if kind != "paragraph" or f.units > MAX_HEADING_UNITS or _ends_sentence(f.text):
        return kind
    nxt = next((j for j in range(i + 1, len(feats)) if feats[j] is not None), None)
    if nxt is not None and reasons[nxt] is None:
        g = feats[nxt]
        assert g is not None
        if g.units > f.units and line_kind(g.text) == "paragraph":
            return "heading"
    return kind


def _headline(feats: Sequence[_Line | None], order: Sequence[int],
              in_body: Sequence[bool], boxed: set[int] | frozenset[int] = frozenset()
              ) -> int | None:
    """The line that is the article's headline: the nearest title-like line before its
    first body line, cue lines (credits, captions, buttons) and the items of a teaser
    list (*boxed*) between them skipped."""
    first = next((i for i, body in zip(order, in_body, strict=True) if body), None)
    if first is None:
        return None
    seen = 0
    for i in range(first - 1, -1, -1):
        f = feats[i]
        if f is None:
            continue
        seen += 1
        if seen > HEADLINE_WINDOW:
            return None
        if f.cue not in (None, "headline") or i in boxed:
            continue  # a caption, a credit, a button between the headline and the text
        title_like = (3 <= f.words <= 25 and not f.text.rstrip().endswith((".", ":", ","))
                      and f.counts and f.chars.get("#", 0) * 3 < len(f.text))
        return i if title_like else None
    return None
