"""The statistical core: langdetect's n-gram profiles, scored deterministically, plus word lists.

langdetect estimates a language by *randomly sampling* n-grams in 7 trials, which is why it needs
a seed and why it is slow. Here the same profiles (langdetect's 55 languages, shipped in its
wheel) are scored exactly: every n-gram of the text adds its log-probability under each
language (a naive-Bayes sum over a numpy matrix), so results are deterministic by construction
and several times faster. On top of the n-grams, a frequent-word lexicon
(``corpus/stages/langid/data``) adds evidence that n-grams cannot give on one or two words,
and alphabet checks rule out Cyrillic languages whose alphabet lacks a letter of the text
(ы is not Ukrainian, ї not Russian, ђ only Serbian).

Speed comes from working per *word*: a text's score is a sum over its words, and words repeat
(Zipf), so each distinct word's n-gram sums and lexicon entries are computed once and kept in a
bounded table; a text is then a gather of rows and a few vector operations over the candidates.
"""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from corpus.stages.langid.script import script_of

LEXICON = Path(__file__).with_name("data") / "lexicon.npz"
PROFILES = Path(__file__).with_name("data") / "profiles.npz"
MARKER_FILE = Path(__file__).with_name("data") / "markers.npz"

# langdetect profile name -> our code; zh-cn and zh-tw both answer "zh".
PROFILE_CODES = {"no": "nb", "zh-cn": "zh", "zh-tw": "zh"}
# A profile of Serbian written in Cyrillic (built from LibreOffice's Serbian by build.py):
# not a language of its own but a second model of sr's Cyrillic words, beside their Latin
# transliteration scored as Serbo-Croatian; a word takes the better of the two. The
# transliteration alone lost Serbian without ђ/ћ to Macedonian.
SR_CYRILLIC = "sr-Cyrl"

# Languages without a langdetect profile, scored with a close relative's n-grams ("proxy") and
# told apart by their own word list and alphabet. be/kk/mn have neither list nor profile: they
# only win when the alphabet rules out every profiled Cyrillic language.
PROXIES = {"ms": "id", "sr": "hr", "be": "ru", "kk": "ru", "mn": "ru"}
PROXY_MARGIN = {"ms": 0.0, "sr": 0.0, "be": 3.0, "kk": 3.0, "mn": 3.0}

_CYR_COMMON = "абвгдежзиклмнопрстуфхцчшщъыьэюяёйєіїґўђћџјљњѓќѕәғқңөұүһ"
_CYR_RE = re.compile(f"[{_CYR_COMMON}]")
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
# log-odds cost of each letter a language's alphabet lacks: near-decisive (ђ is not
# Macedonian, ы not Ukrainian), yet a foreign name's letter or two cannot outvote a long
# sentence. 12 let the n-grams of a long Serbian sentence outvote two ђ; 30 was measured
# better for sr, be, kk and mn on held-out rows with ru/uk/bg/mk unchanged.
OUT_OF_ALPHABET = 30.0

_SR_LAT = dict(
    zip(
        "абвгдђежзијклљмнњопрстћуфхцчџш",
        "a b v g d đ e ž z i j k l lj m n nj o p r s t ć u f h c č dž š".split(),  # noqa: SIM905
        strict=True,
    )
)
_SR_TABLE = str.maketrans(_SR_LAT)

_URL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+|@\w+|#\w+", re.IGNORECASE)
LN10 = math.log(10.0)
WORD_CACHE = 1 << 16  # distinct words whose rows are kept (85 MB at most)
LISTED_CACHE = 1 << 14  # words whose list entries the context check keeps (a few MB)
SUM_WORDS = 256  # new words whose n-gram rows are gathered at once (a few MB)
MAX_WORDS = 4096  # words scored per text: far more than any decision needs
assert MAX_WORDS <= WORD_CACHE // 4  # a chunk of new words always fits the table

Parts = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def strip_noise(text: str) -> str:
    """Drop URLs, e-mail addresses, @handles and #tags: they are in no language."""
    if "@" in text or "#" in text or "://" in text or "www." in text.lower():
        return _URL.sub(" ", text)
    return text  # none of them can be there: skip the (slow) regex


class _WordChars(dict):
    """``str.translate`` table: a word character lower-cased, anything else a space.

    Word characters are letters, combining marks (vowel signs of Indic and Arabic scripts) and
    apostrophes. The table fills itself per code point, so the loop over characters runs in C.
    """

    def __missing__(self, cp: int) -> str:
        ch = chr(cp)
        if ch == "’":
            out = "'"
        elif ch.isalpha() or ch == "'" or unicodedata.category(ch)[0] == "M":
            out = ch.lower()
        else:
            out = " "
        self[cp] = out
        return out


_WORD_CHARS = _WordChars()


# ASCII bytes that are not word characters (all but letters and the apostrophe) -> space
_ASCII_GAPS = bytes(
    c if chr(c).isalpha() or c == ord("'") or c >= 0x80 else ord(" ") for c in range(256)
)


# Latin letters that look like Cyrillic ones (after lower-casing: B H K M T were capitals).
# Ukrainian typed on a Latin keyboard layout gets "i" for "і" ("Твiй", "iз"); OCR and
# spam mix the others. Inside a word that also has Cyrillic letters they are Cyrillic.
_HOMOGLYPHS = str.maketrans("aceiopxybhkmtï", "асеіорхувнкмтї")
_MIXED = re.compile(r"[a-zï](?=[\u0400-\u04ff])|(?<=[\u0400-\u04ff])[a-zï]")


def _cyrillic_homoglyphs(tokens: list[str]) -> list[str]:
    """Tokens with Latin look-alike letters inside Cyrillic words made Cyrillic."""
    return [t.translate(_HOMOGLYPHS) if _MIXED.search(t) else t for t in tokens]


def words_of(text: str) -> list[str]:
    """Lower-cased words of *text*; vowel signs of Indic and Arabic scripts stay inside words.

    The per-character table costs about 50 ns a character outside ASCII, so non-ASCII text
    takes a faster road to the same words: lower-case it, blank ASCII punctuation and digits
    as bytes, split; only the tokens that are not all letters then (non-ASCII punctuation,
    combining marks, apostrophes) go through the table.
    """
    if text.isascii() or "Σ" in text:  # Σ: whole-text lower() would give a final ς
        mapped = text.translate(_WORD_CHARS)  # ASCII: translate's fast path
        if "'" not in mapped:
            return mapped.split()
        return [s for w in mapped.split() if (s := w.strip("'"))]
    lowered = text.lower()
    tokens = lowered.encode("utf-8").translate(_ASCII_GAPS).decode("utf-8").split()
    if _MIXED.search(lowered):
        tokens = _cyrillic_homoglyphs(tokens)
    if all(map(str.isalpha, tokens)):
        return tokens
    out: list[str] = []
    for token in tokens:
        if token.isalpha():
            out.append(token)
        else:
            out += [s for w in token.translate(_WORD_CHARS).split() if (s := w.strip("'"))]
    return out


@dataclass(frozen=True, slots=True)
class Params:
    """Global weights of the evidence; fitted once on held-out data, never per language."""

    eps: float = 5e-5  # langdetect's smoothing: alpha 0.5 / BASE_FREQ 10000
    char_temp: float = 3.0  # each letter sits in three n-grams: their log-probs overstate it
    lex_share: float = 0.5  # share of running text that the top words of a language cover
    nolex_bonus: float = 0.0  # log-odds for a language that has no word list, per word
    lex_words: float = 2.0  # word-list evidence counts as if from at most this many words
    char_offset: float = 12.0  # puts the n-gram word model on the scale of the word lists


@dataclass(frozen=True)
class Profiles:
    """langdetect's n-gram profiles as sparse counts: ``counts[i]`` of gram ``rows[i]`` in
    profile ``cols[i]``; ``n_words[profile, n - 1]`` is its total of n-grams."""

    names: list[str]
    grams: list[str]
    rows: np.ndarray
    cols: np.ndarray
    sizes: np.ndarray  # length of each entry's gram
    counts: np.ndarray
    n_words: np.ndarray


def profiles_from_langdetect(
    extra: dict[str, tuple[dict[str, int], list[int]]] | None = None,
) -> Profiles:
    """Read the profiles from langdetect's package (55 JSON files; about 0.3 s), plus the
    *extra* ones ``{name: (gram counts, totals per length)}`` built by
    :mod:`corpus.stages.langid.build` for languages langdetect lacks."""
    import json

    from langdetect import detector_factory

    prof_dir = Path(detector_factory.PROFILES_DIRECTORY)
    names = sorted(p.name for p in prof_dir.iterdir() if not p.name.startswith("."))
    data = [json.loads((prof_dir / n).read_text(encoding="utf-8")) for n in names]
    for name, (freq, n_words) in sorted((extra or {}).items()):
        if name in names:
            raise ValueError(f"profile {name!r} is langdetect's already")
        names.append(name)
        data.append({"freq": freq, "n_words": n_words})
    grams = sorted({g for d in data for g in d["freq"]})
    index = {g: i for i, g in enumerate(grams)}
    rows, cols, counts = [], [], []
    for j, d in enumerate(data):
        for g, c in sorted(d["freq"].items()):
            rows.append(index[g])
            cols.append(j)
            counts.append(c)
    rows_a = np.array(rows, dtype=np.int32)
    lengths = np.array([len(g) for g in grams], dtype=np.int8)
    return Profiles(
        names, grams, rows_a, np.array(cols, dtype=np.int16), lengths[rows_a],
        np.array(counts, dtype=np.int64), np.array([d["n_words"] for d in data], np.float64),
    )


def load_profiles(path: Path = PROFILES) -> Profiles:
    """The profiles from ``corpus/stages/langid/data/profiles.npz`` (written by
    :mod:`corpus.stages.langid.build` from langdetect's own files), else from langdetect."""
    if not path.exists():
        return profiles_from_langdetect()
    with np.load(path, allow_pickle=False) as data:
        grams = data["grams"].tobytes().decode("utf-8").split("\n")
        rows = data["rows"]
        lengths = np.array([len(g) for g in grams], dtype=np.int8)
        return Profiles(
            [str(x) for x in data["names"]], grams, rows, data["cols"], lengths[rows],
            data["counts"].astype(np.int64), data["n_words"],
        )


def load_markers(path: Path = MARKER_FILE) -> dict[str, frozenset[str]]:
    """The marker words of a language scored as another (``build.MARKERS``: Bosnian's and
    Croatian's), by language; empty without the file."""
    if not path.exists():
        return {}
    with np.load(path, allow_pickle=False) as data:
        return {lang: frozenset(data[lang].tobytes().decode("utf-8").split("\n"))
                for lang in data.files}


class Lexicon:
    """Frequent words of each language with their Zipf frequency (``corpus/stages/langid/data``).

    The words are UTF-8 bytes grouped by length; each group is one fixed-width numpy array,
    sorted, so a look-up is a binary search in place and the whole lexicon (1.3 M words, 39
    languages) costs about 25 MB, not the 500 MB of a dict of dicts. See
    :mod:`corpus.stages.langid.build` for the file layout.
    """

    def __init__(self, path: Path = LEXICON) -> None:
        with np.load(path, allow_pickle=False) as data:
            self.langs = [str(x) for x in data["langs"]]
            lengths = data["lengths"].tolist()
            groups = data["groups"].tolist()
            blob = data["words"]
            counts = data["counts"]
            self.entry_lang = data["entry_lang"]
            self.entry_zipf = data["entry_zipf"]
            # the Zipf each frequency list was cut at; -inf for a list that was not cut
            # (a stoplist or a dictionary: a word it lacks may well not be the language's)
            floors = data["floors"] if "floors" in data else np.zeros(len(self.langs))
        self.floors = np.where(floors > 0, floors / 10.0, -np.inf)
        self.start = np.zeros(len(counts) + 1, dtype=np.int32)
        np.cumsum(counts, out=self.start[1:])
        self.groups: dict[int, tuple[np.ndarray, int]] = {}
        offset = row = 0
        for n, size in zip(lengths, groups, strict=True):
            arr = blob[offset : offset + n * size].view(f"S{n}")  # no copy
            self.groups[n] = (arr, row)
            offset += n * size
            row += size

    def entries(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        """``(language indices, zipf)`` of *word*; empty when no list has it."""
        b = word.encode("utf-8", "surrogatepass")
        group = self.groups.get(len(b))
        if group is not None:
            arr, row = group
            i = int(arr.searchsorted(b))
            if i < len(arr) and arr[i] == b:
                a, z = self.start[row + i], self.start[row + i + 1]
                return self.entry_lang[a:z], self.entry_zipf[a:z] / 10.0
        return self.entry_lang[:0], np.zeros(0)

    def lookup(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`entries` of many words at once, as ``(word index, entry index)`` pairs:
        one binary search per word length instead of one per word."""
        encoded = [w.encode("utf-8", "surrogatepass") for w in words]
        by_len: dict[int, list[int]] = {}
        for i, b in enumerate(encoded):
            if len(b) in self.groups:
                by_len.setdefault(len(b), []).append(i)
        word_parts: list[np.ndarray] = []
        row_parts: list[np.ndarray] = []
        for n, idx in by_len.items():
            arr, row = self.groups[n]
            probe = np.array([encoded[i] for i in idx], dtype=f"S{n}")
            at = arr.searchsorted(probe)
            at[at == len(arr)] = 0
            hit = arr[at] == probe
            word_parts.append(np.array(idx, dtype=np.int64)[hit])
            row_parts.append(at[hit] + row)
        if not word_parts:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        found = np.concatenate(word_parts)
        rows = np.concatenate(row_parts)
        first, last = self.start[rows].astype(np.int64), self.start[rows + 1].astype(np.int64)
        counts = last - first
        entry = np.repeat(first - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        return np.repeat(found, counts), entry


class Model:
    """langdetect profiles as a log-probability matrix, and the frequent-word lexicon."""

    def __init__(self, params: Params | None = None) -> None:
        self.params = params or Params()
        prof = load_profiles()
        names = prof.names
        self.gram_index = {g: i for i, g in enumerate(prof.grams)}
        keys = np.array([gram_key(g) for g in prof.grams], dtype=np.int64)
        order = np.argsort(keys, kind="stable")
        self._gram_keys, self._gram_key_ids = keys[order], order
        # log of the smoothed frequency, tempered: langdetect's eps where a gram is unseen
        eps = self.params.eps
        self.logp = np.full(
            (len(prof.grams), len(names)), np.float32(math.log(eps) / self.params.char_temp)
        )
        freq = eps + prof.counts / prof.n_words[prof.cols, prof.sizes - 1]
        self.logp[prof.rows, prof.cols] = (np.log(freq) / self.params.char_temp).astype(np.float32)
        self.profile_names = names  # columns of the matrix, langdetect's names
        self.profile_langs = [PROFILE_CODES.get(n, n) for n in names]
        self.sr_cyr_col = names.index(SR_CYRILLIC) if SR_CYRILLIC in names else None
        # the languages we answer: every profile language plus the proxied ones
        self.langs = sorted((set(self.profile_langs) - {SR_CYRILLIC}) | set(PROXIES))
        self.lang_index = {lang: i for i, lang in enumerate(self.langs)}
        # for each answer language, the profile column scoring its n-grams (zh: both columns)
        cols: dict[str, list[int]] = {}
        for j, lang in enumerate(self.profile_langs):
            if lang != SR_CYRILLIC:
                cols.setdefault(lang, []).append(j)
        # a proxied language with a profile of its own (build.NEW_PROFILES) uses it
        self.proxied = {lang: base for lang, base in PROXIES.items() if lang not in cols}
        for lang, base in self.proxied.items():
            cols[lang] = cols[base]
        self.columns = cols
        self.hr_col = names.index("hr")
        self.lexicon = Lexicon()
        self.markers = load_markers()  # Bosnian's and Croatian's (detector.MARKED)
        self.lexicon_langs = frozenset(self.lexicon.langs) & frozenset(self.langs)
        self._lex_col = {lang: k for k, lang in enumerate(self.lexicon.langs)}
        # the most a word a list lacks can be (zipf(bound=True)): a cut list's floor, else 0
        self._unlisted = [float(z) if z != -np.inf else 0.0 for z in self.lexicon.floors]
        # Per distinct word, one row over the answer languages: the word's n-gram score
        # (offset, less the margin of proxied languages), its word-list evidence, and both
        # again for Serbian through the word's Latin transliteration. A text's score is then
        # a sum of rows: no per-text arithmetic beyond gathering them.
        n_lang = len(self.langs)
        self._alpha_langs = sorted(ALPHABETS)
        self._foreign = [_foreign_letters(ALPHABETS[lang]) for lang in self._alpha_langs]
        # [n-gram (L) | list (L) | sr n-gram, sr list | alphabet penalties | Cyrillic letters | 0]
        self._width = 2 * n_lang + 2 + len(self._alpha_langs) + 2
        self._rows = np.empty((WORD_CACHE, self._width), dtype=np.float64)
        self._slot: dict[str, int] = {}
        self._script: list[str] = []
        self._words: list[str] = []  # the word of each row
        self._hits = np.zeros(WORD_CACHE, dtype=np.int32)  # texts each row served
        self._lock = threading.Lock()
        self._listed_in: dict[str, dict[int, float]] = {}  # word -> {list column: zipf}
        self._plans: dict[tuple[str, ...], _Plan] = {}
        self._col0 = np.array([self.columns[lang][0] for lang in self.langs], dtype=np.int64)
        self._max_cols = [(k, alt) for k, lang in enumerate(self.langs)
                          for alt in self.columns[lang][1:]]
        self._offset = np.array([self.params.char_offset - (PROXY_MARGIN[lang]
                                 if lang in self.proxied else 0.0) for lang in self.langs])
        self._lex_of_lang = np.array([self._lex_col.get(lang, -1) for lang in self.langs])
        self._letters = _letter_freqs(prof, self.profile_langs)
        for lang, base in self.proxied.items():
            self._letters.setdefault(lang, self._letters.get(base, {}))
        for lang, alphabet in ALPHABETS.items():
            self._letters[lang] = dict.fromkeys(alphabet, 1.0)

    def letter_freq(self, lang: str, letter: str) -> float:
        """How often *letter* (lower-cased) occurs among *lang*'s letters, from its n-gram
        profile (0.0 when the profile never saw it): tells a language's own letters (ñ in
        Spanish, 2e-3) from those of names and loanwords (é in German, 4e-4)."""
        return self._letters.get(lang, {}).get(letter, 0.0)

    def zipf(self, word: str, lang: str, *, bound: bool = False) -> float:
        """*word*'s Zipf frequency in *lang*'s word list; 0.0 when the list lacks it (or
        *lang* has none).

        With *bound*, what it could be at most: a list cut at a frequency lacks a word
        only because it is rarer than the cut (English's 50,000 words stop at Zipf 2.6,
        so "logout" may be 2.5 there), so the cut list's floor; 0.0 still for a stoplist
        or a dictionary, which is not cut by frequency.
        """
        col = self._lex_col.get(lang)
        if col is None:
            return 0.0
        listed = self._listed_in.get(word)
        if listed is None:
            if len(self._listed_in) >= LISTED_CACHE:
                self._listed_in.clear()  # bounded; entries are pure functions of the word
            langs, zipf = self.lexicon.entries(word)
            listed = self._listed_in[word] = dict(zip(langs.tolist(), zipf.tolist(),
                                                      strict=True))
        return listed.get(col, self._unlisted[col] if bound else 0.0)

    def has_list(self, lang: str) -> bool:
        """Whether *lang* has a word list, so that :meth:`zipf` can speak for it."""
        return lang in self.lexicon_langs

    def clear_cache(self) -> None:
        """Forget the per-word rows (they are recomputed on demand; results do not change)."""
        with self._lock:
            self._clear()

    def _clear(self) -> None:
        self._slot.clear()
        self._script.clear()
        self._words.clear()
        self._hits[:] = 0

    def _compact(self) -> None:
        """Make room in a full word table, keeping the rows that served most texts.

        Emptying the whole table threw away the frequent words with the rare ones: on text
        in 75 languages a worker computed each distinct word's row twice on average. The
        rows kept (at most 3/8 of the table, those that served two texts or more) move
        to the front, in the order they were computed; the rest are forgotten.
        """
        n = len(self._words)
        hits = self._hits[:n]
        order = np.argsort(-hits, kind="stable")[: WORD_CACHE * 3 // 8]
        keep = np.sort(order[hits[order] >= 2])
        self._rows[: len(keep)] = self._rows[keep]
        words = [self._words[k] for k in keep.tolist()]
        scripts = [self._script[k] for k in keep.tolist()]
        kept_hits = hits[keep] // 2  # older uses count for less than new ones
        self._clear()
        self._words += words
        self._script += scripts
        self._slot.update(zip(words, range(len(words)), strict=True))
        self._hits[: len(keep)] = kept_hits

    # -- n-grams -------------------------------------------------------------------------
    def gram_ids(self, word: str) -> list[int]:
        """Indices of a word's known 1-, 2- and 3-grams, extracted the way langdetect does.

        The readable definition (and what :mod:`~corpus.stages.langid.build` counts by);
        scoring uses :meth:`_batch_gram_ids`, which tests hold to this word for word.
        """
        grams: list[str] = []
        for piece in normalized(word).split(" "):
            if not piece:
                continue
            padded = f" {piece} "
            # in langdetect's order: at each position its letter, then the 2- and 3-gram
            grams.append(padded[1])
            grams.append(padded[0:2])
            for i in range(2, len(padded)):
                if padded[i] != " ":
                    grams.append(padded[i])
                grams.append(padded[i - 1 : i + 1])
                grams.append(padded[i - 2 : i + 1])
        return [j for j in map(self.gram_index.get, grams) if j is not None]

    def _word_slots(self, words: list[str]) -> list[int]:
        """Row of each word in the word table, computing the rows of words not seen yet.

        The caller keeps the table from overflowing (:meth:`score_parts` scores at most
        ``WORD_CACHE // 4`` words at a time and compacts a table three quarters full first).
        """
        slot = self._slot
        out: list[int | None] = list(map(slot.get, words))
        if None not in out:
            return out  # type: ignore[return-value]
        new: list[str] = []
        for i, w in enumerate(words):
            if out[i] is None:
                k = slot.get(w)
                if k is None:
                    k = slot[w] = len(self._script)
                    self._script.append(script_of(w))
                    self._words.append(w)
                    new.append(w)
                out[i] = k
        end = len(self._script)  # the new words took the last rows, in order
        self._fill_rows(new, self._rows[end - len(new) : end])
        return out  # type: ignore[return-value]

    def _fill_rows(self, words: list[str], rows: np.ndarray) -> None:
        """Fill the table rows of new *words* (see the layout in ``__init__``), all at once."""
        n_lang = len(self.langs)
        prof = self._profile_sums(words)
        char = prof[:, self._col0]
        for k, alt in self._max_cols:
            np.maximum(char[:, k], prof[:, alt], out=char[:, k])
        char += self._offset
        rows[:, :n_lang] = char
        zipf = self._zipf(words)
        rows[:, n_lang : 2 * n_lang] = np.where(
            self._lex_of_lang >= 0, self._listed(zipf[:, self._lex_of_lang], char), 0.0
        )
        # Serbian: the Latin transliteration's Serbo-Croatian n-grams and word list
        cyr = [i for i, w in enumerate(words) if _CYR_RE.search(w)]
        char_sr = prof[:, self.hr_col] + self.params.char_offset
        zipf_sr = zipf.copy()
        if cyr:
            latin = [words[i].translate(_SR_TABLE) for i in cyr]
            # a letter written as a Latin digraph (љ -> lj) should not count as two: scale
            # the sum to the Cyrillic word's length
            ratio = np.array([len(words[i]) / max(1, len(w)) for i, w in zip(cyr, latin,
                                                                           strict=True)])
            char_sr[cyr] = (self._profile_sums(latin)[:, self.hr_col] * ratio
                            + self.params.char_offset)
            if self.sr_cyr_col is not None:
                char_sr[cyr] = np.maximum(char_sr[cyr],
                                          prof[cyr, self.sr_cyr_col] + self.params.char_offset)
            zipf_sr[cyr] = self._zipf(latin)
        hr = self._lex_col.get("hr")
        rows[:, 2 * n_lang] = char_sr
        rows[:, 2 * n_lang + 1] = self._listed(
            zipf_sr[:, hr] if hr is not None else np.full(len(words), -np.inf), char_sr
        )
        at = 2 * n_lang + 2
        rows[:, at:] = 0.0
        for i in cyr:  # letters each alphabet lacks, and the Cyrillic letters
            for j, foreign in enumerate(self._foreign):
                rows[i, at + j] = OUT_OF_ALPHABET * len(foreign.findall(words[i]))
            rows[i, -2] = len(_CYR_RE.findall(words[i]))

    def _profile_sums(self, words: list[str]) -> np.ndarray:
        """Each word's summed n-gram log-probabilities under each profile: (words, profiles).

        In pieces of ``SUM_WORDS`` words: the gathered n-gram rows of a whole batch of new
        words (tens of megabytes) made batch detection slower than one text at a time.
        """
        if len(words) > SUM_WORDS:
            return np.concatenate([self._profile_sums(words[i : i + SUM_WORDS])
                                   for i in range(0, len(words), SUM_WORDS)])
        ids, lens = self._batch_gram_ids(words)
        out = np.zeros((len(words), self.logp.shape[1]))
        if len(ids):
            starts = np.zeros(len(words), dtype=np.int64)
            np.cumsum(lens[:-1], out=starts[1:])
            has = lens > 0
            # summed in float64 as the float32 rows are read (the same sums as converting the
            # gathered rows first, without that copy: a quarter of this function's time)
            out[has] = np.add.reduceat(self.logp[ids], starts[has], axis=0, dtype=np.float64)
        return out

    def _batch_gram_ids(self, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`gram_ids` of every word at once: the ids end to end, and each word's count.

        The words are joined by spaces into one array of code points; at every position the
        1-, 2- and 3-gram ending there are keyed as integers (:func:`gram_key`) and looked up
        by binary search, in :meth:`gram_ids`'s order (so the sums over them are the same to
        the last bit). A letter gives its 1-gram, its 2-gram and, unless it opens a piece,
        its 3-gram; the space closing a piece gives the 2- and 3-gram ending in that space.
        Per word that was a Python loop over its grams, the largest cost of a new word.
        """
        if not words:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        lengths, body = _normalized_joined(words)
        joined = "  " + body + " "  # two leading spaces: k - 2 is always there
        code = joined.encode("utf-32-le", "surrogatepass")
        a = np.frombuffer(code, dtype=np.uint32).astype(np.int64)
        space = a == 32
        prev = np.roll(a, 1)
        prev_space = np.roll(space, 1)
        keys = np.stack([a, (prev << 21) | a, (np.roll(a, 2) << 42) | (prev << 21) | a], axis=1)
        valid = np.stack([~space, ~(space & prev_space), ~prev_space], axis=1)
        valid[:2] = False
        flat = keys.ravel()[valid.ravel()]
        pos = np.searchsorted(self._gram_keys, flat)
        pos[pos == len(self._gram_keys)] = 0
        known = self._gram_keys[pos] == flat
        # the position each gram ends at belongs to a word: its letters and the space after
        word_of = np.repeat(np.arange(-1, len(words)), [2, *(n + 1 for n in lengths)])
        gram_word = np.repeat(word_of, valid.sum(axis=1))[known]
        return self._gram_key_ids[pos[known]], np.bincount(gram_word, minlength=len(words))

    def _zipf(self, words: list[str]) -> np.ndarray:
        """Zipf frequency of each word in each word list (-inf where it is not listed), plus
        a last column of -inf for the languages without a list: (words, lists + 1).

        Not the floor of a cut list for an unlisted word (as :meth:`zipf` gives): as a
        likelihood the floor is an upper bound, not an estimate. Counted as the floor,
        a word listed in one language only scored alike in every cut list, the n-grams
        stopped telling those apart, and the web-share prior took the word to English
        (rows 40-79 of the benchmark, 75 languages: single words 76.2 -> 60.9 %)."""
        out = np.full((len(words), len(self.lexicon.langs) + 1), -np.inf)
        word, entry = self.lexicon.lookup(words)
        lex = self.lexicon
        out[word, lex.entry_lang[entry].astype(np.int64)] = lex.entry_zipf[entry] / 10.0
        return out

    def _listed(self, zipf: np.ndarray, char: np.ndarray) -> np.ndarray:
        """Word-list evidence relative to the n-gram model: ``log(s f(w) + (1 - s) P(w)) -
        log P(w)``, or ``log(1 - s)`` for a word not in the list."""
        p = self.params
        log_s, log_1s = math.log(p.lex_share), math.log(1.0 - p.lex_share)
        out = np.full(zipf.shape, log_1s)
        where = zipf != -np.inf
        c = char[where]
        out[where] = np.logaddexp(log_s + LN10 * (zipf[where] - 9.0), log_1s + c) - c
        return out

    # -- the full score ------------------------------------------------------------------
    def scores(self, text: str, candidates: list[str], script: str = "") -> np.ndarray:
        """Log-likelihood of *text*'s words under each candidate language.

        Each word is either one of the language's frequent words (probability from the word
        list) or spelled by its n-gram model: ``P(w) = s * f(w) + (1 - s) * P_ngram(w)``.
        """
        return self.combine(self.score_parts([text], candidates, script))[0]

    def combine(self, parts: Parts) -> np.ndarray:
        """Log-likelihoods ``(texts, candidates)`` from their parts.

        The word-list evidence counts as if from at most ``lex_words`` words, so in a sentence
        the n-grams (langdetect's strength) decide. Parts of several texts summed first give
        the score of the texts joined (:func:`corpus.stages.langid.detector.detect_document`).
        """
        char, delta, n_words, penalty = parts
        weight = np.minimum(1.0, self.params.lex_words / np.maximum(n_words, 1))
        return char + delta * weight[:, None] - penalty

    def score_parts(self, texts: list[str], candidates: list[str], script: str = "") -> Parts:
        """The additive parts of each text's score, for many texts in one pass.

        Per text: the summed n-gram log-probabilities, the summed word-list evidence, the
        number of words and the alphabet penalty, each per candidate. Words that are not in
        *script* are left out when others are (a brand name in Latin letters says nothing
        about which Cyrillic language a line is in).
        """
        tokens = [words_of(t)[:MAX_WORDS] for t in texts]
        with self._lock:  # the word table is shared: one writer at a time
            return self._score_tokens(tokens, candidates, script)

    def _score_tokens(self, tokens: list[list[str]], candidates: list[str], script: str) -> Parts:
        chunks: list[Parts] = []
        i = 0
        while i < len(tokens) or not chunks:
            j, size = i, 0
            while j < len(tokens) and (j == i or size + len(tokens[j]) <= WORD_CACHE // 4):
                size += len(tokens[j])
                j += 1
            if len(self._script) > WORD_CACHE * 3 // 4:
                self._compact()  # bounded memory; rows are pure functions of their words
            chunks.append(self._score_chunk(tokens[i:j], candidates, script))
            i = j
        if len(chunks) == 1:
            return chunks[0]
        char, delta, n_words, penalty = zip(*chunks, strict=True)
        return (np.concatenate(char), np.concatenate(delta), np.concatenate(n_words),
                np.concatenate(penalty))

    def _score_chunk(self, tokens: list[list[str]], candidates: list[str], script: str) -> Parts:
        plan = self._plan(tuple(candidates))
        scripts = self._script
        slots: list[int] = []
        bounds: list[int] = []
        every = self._word_slots([w for ws in tokens for w in ws])  # new words in one batch
        np.add.at(self._hits, every, 1)
        at = 0
        for ws in tokens:
            ks = every[at : at + len(ws)]
            at += len(ws)
            if script and set(map(scripts.__getitem__, ks)) != {script}:
                kept = [k for k in ks if scripts[k] == script]
                if kept and len(kept) < len(ks):
                    ks = kept
            bounds.append(len(slots))
            slots += ks
        n, k = len(tokens), len(candidates)
        n_words = np.diff(np.array([*bounds, len(slots)], dtype=np.int64))
        if not slots:
            zero = np.zeros((n, k))
            return zero, zero.copy(), n_words, zero.copy()
        # every part is a sum over the text's words: sum whole rows, then pick the columns
        rows = self._rows.take(slots, axis=0)
        starts = np.array(bounds, dtype=np.int64)
        if n_words.all():
            sums = np.add.reduceat(rows, starts, axis=0)
        else:
            nonempty = n_words > 0
            sums = np.zeros((n, rows.shape[1]))
            sums[nonempty] = np.add.reduceat(rows, starts[nonempty], axis=0)
        sums = sums[:, plan.gather]
        char_sum, delta = sums[:, :k], sums[:, k : 2 * k]
        penalty = sums[:, 2 * k + 2 : 3 * k + 2]
        lex_mask = plan.lex_mask
        if plan.sr is not None:
            # Serbian Cyrillic is scored as Serbo-Croatian in Latin letters (n-grams and list)
            has_cyr = sums[:, -1] > 0
            if has_cyr.any():
                char_sum[:, plan.sr] = np.where(has_cyr, sums[:, 2 * k], char_sum[:, plan.sr])
                delta[:, plan.sr] = np.where(has_cyr, sums[:, 2 * k + 1], delta[:, plan.sr])
                lex_mask = np.broadcast_to(lex_mask, (n, k)).copy()
                lex_mask[:, plan.sr] = has_cyr & ("hr" in self._lex_col)
        delta = np.where(lex_mask, delta, self.params.nolex_bonus * n_words[:, None])
        return char_sum, delta, n_words, penalty

    def _plan(self, candidates: tuple[str, ...]) -> _Plan:
        """Column indices for a candidate list (a handful of distinct lists per run)."""
        plan = self._plans.get(candidates)
        if plan is None:
            n_lang = len(self.langs)
            idx = [self.lang_index[c] for c in candidates]
            at = 2 * n_lang + 2
            penalty = [at + self._alpha_langs.index(c) if c in ALPHABETS else self._width - 1
                       for c in candidates]  # the last column is 0
            plan = _Plan(
                gather=np.array([*idx, *(n_lang + i for i in idx), 2 * n_lang, 2 * n_lang + 1,
                                 *penalty, self._width - 2]),
                lex_mask=np.array([c in self.lexicon_langs for c in candidates]),
                sr=candidates.index("sr") if "sr" in candidates else None,
            )
            self._plans[candidates] = plan
        return plan


@dataclass(frozen=True, slots=True)
class _Plan:
    # columns of the word table for a candidate list: n-gram and list scores of each
    # candidate, Serbian through Latin letters, alphabet penalties, Cyrillic letters
    gather: np.ndarray
    lex_mask: np.ndarray  # candidates with a word list
    sr: int | None  # position of Serbian, scored through its Latin transliteration


def _letter_freqs(prof: Profiles, langs: list[str]) -> dict[str, dict[str, float]]:
    """Each profile language's letters (lower-cased) with their share of its letters, from
    the profile's 1-grams (capitals counted with their small letter)."""
    out: dict[str, dict[str, float]] = {}
    ones = prof.sizes == 1
    for row, col, count in zip(prof.rows[ones].tolist(), prof.cols[ones].tolist(),
                               prof.counts[ones].tolist(), strict=True):
        letter = prof.grams[row].lower()
        if letter.isalpha():
            table = out.setdefault(langs[col], {})
            share = count / prof.n_words[col, 0]
            table[letter] = table.get(letter, 0.0) + share
    return out


def _foreign_letters(alphabet: frozenset[str]) -> re.Pattern[str]:
    return re.compile("[" + "".join(sorted(set(_CYR_COMMON) - alphabet)) + "]")


def normalized(text: str) -> str:
    """*text* as langdetect sees it before cutting n-grams (its character classes merged)."""
    from langdetect.utils.ngram import NGram

    if not text.isascii():  # its Vietnamese marks are never ASCII
        text = NGram.normalize_vi(text)
    return text.translate(_NGRAM_CHARS)


def _normalized_joined(words: list[str]) -> tuple[list[int], str]:
    """Each word's :func:`normalized` length, and the normalised words joined by spaces.

    Normalising the joined words at once is the same as word by word when langdetect's
    Vietnamese rule finds nothing to compose (a letter followed by a combining mark, which
    NFC-normalised text rarely has, and never across the joining space): the translation
    is then one character to one character and keeps the space. Word by word it was half
    the cost of a new word's n-grams.
    """
    from langdetect.utils.ngram import NGram

    raw = " ".join(words)
    if raw.isascii() or NGram.ALPHABET_WITH_DMARK.search(raw) is None:
        return [len(w) for w in words], raw.translate(_NGRAM_CHARS)
    norm = [normalized(w) for w in words]
    return [len(w) for w in norm], " ".join(norm)


class _NGramChars(dict):
    """``str.translate`` table of langdetect's per-character normalisation (one character
    to one character), filling itself per code point so the loop over characters runs in C."""

    def __missing__(self, cp: int) -> str:
        from langdetect.utils.ngram import NGram

        out = self[cp] = NGram.normalize(chr(cp))
        return out


_NGRAM_CHARS = _NGramChars()


def gram_key(gram: str) -> int:
    """A 1-, 2- or 3-gram as one integer (21 bits a code point): the keys of the three
    lengths fall in disjoint ranges, since a gram's first character is at least a space."""
    key = 0
    for ch in gram:
        key = (key << 21) | ord(ch)
    return key
