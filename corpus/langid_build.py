"""Regenerate ``corpus/langdata/`` (a maintainer's tool): the word lexicon and the profiles.

Character n-grams (langdetect's profiles) cannot tell "later" (en) from "later" (af) or
"Политика" (ru) from "Политика" (bg): for one or two words the strongest evidence is whether
the word is a *frequent word* of a language. The lists come from wordfreq (Apache-2.0 code, data
CC-BY-SA 4.0, by Robyn Speer and contributors; sources: Wikipedia, subtitles, news, web text).
We ship only the top words with a rounded Zipf frequency, so run time needs neither wordfreq
(58 MB) nor its dependencies::

    python -m corpus.langid_build --top 50000
    python -m corpus.langid_build --from-text DIR   # from <lang>.txt.gz lists (word<TAB>zipf*10)

Why one binary file rather than a text list per language: 39 languages × 50,000 words parsed
into Python dicts took four seconds and about 500 MB at every start. The file holds all the
words once, as UTF-8 bytes grouped by length and sorted, so each group is a fixed-width numpy
array searched in place (:class:`corpus.langid_model.Lexicon`): it loads in a tenth of a
second into about 25 MB, shared by forked workers. The layout (``.npz``, read by ``numpy.load``):

- ``langs``: language codes, the columns of the lexicon;
- ``lengths``, ``groups``: for each UTF-8 byte length, how many words have it;
- ``words``: the words' bytes, shortest group first, sorted within a group, no separators;
- ``counts``: per word (same order) how many languages list it;
- ``entry_lang``, ``entry_zipf``: for each of those, the language index and Zipf × 10.

``profiles.npz`` holds langdetect's n-gram profiles (Apache-2.0, shipped in its wheel) as
sparse counts, read ten times faster than its 55 JSON files (:func:`corpus.langid_model.
load_profiles`, which falls back to the JSON files when the file is absent).
"""

from __future__ import annotations

import argparse
import gzip
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from corpus.langid_model import LEXICON, PROFILES, profiles_from_langdetect

# wordfreq's code -> ours. "sh" is Serbo-Croatian in Latin letters; Serbian Cyrillic is
# transliterated to it at run time (see corpus.langid_model).
CODES = {"fil": "tl", "sh": "hr"}
SKIP = {"zh", "ja", "ko"}  # written without spaces between words: tokens are not our words


def from_wordfreq(top: int) -> Iterator[tuple[str, list[tuple[str, int]]]]:
    """``(lang, [(word, zipf*10), ...])`` for every wordfreq language, most frequent first."""
    import wordfreq

    from corpus.langid_script import lang_script_ok, script_of

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


def write(lists: Iterator[tuple[str, list[tuple[str, int]]]], out: Path = LEXICON) -> list[str]:
    """Write the lexicon file; the same lists always give the same bytes."""
    table: dict[bytes, dict[int, int]] = {}
    langs: list[str] = []
    for lang, rows in sorted(lists):
        k = len(langs)
        langs.append(lang)
        for word, zipf in rows:
            table.setdefault(word.encode("utf-8"), {})[k] = zipf  # a repeat: the last wins
    words = sorted(table, key=lambda b: (len(b), b))
    lengths = sorted({len(b) for b in words})
    arrays = {
        "langs": np.array(langs),
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


def write_profiles(out: Path = PROFILES) -> int:
    """Write langdetect's n-gram profiles as sparse counts (see ``Profiles``); return how
    many profiles. Loading them takes a tenth of the time of langdetect's JSON files."""
    prof = profiles_from_langdetect()
    _write_npz(out, {
        "names": np.array(prof.names),
        "grams": np.frombuffer("\n".join(prof.grams).encode("utf-8"), dtype=np.uint8),
        "rows": prof.rows,
        "cols": prof.cols,
        "counts": prof.counts.astype(np.int32),
        "n_words": prof.n_words,
    })
    return len(prof.names)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--top", type=int, default=50000, help="words per language")
    parser.add_argument("--from-text", type=Path, help="folder of <lang>.txt.gz word lists")
    parser.add_argument("--out", type=Path, default=LEXICON)
    parser.add_argument("--profiles", type=Path, default=PROFILES)
    args = parser.parse_args()
    lists = from_text(args.from_text) if args.from_text else from_wordfreq(args.top)
    langs = write(lists, args.out)
    print(f"wrote {len(langs)} languages to {args.out}: {' '.join(langs)}")
    n = write_profiles(args.profiles)
    print(f"wrote {n} langdetect profiles to {args.profiles}")


if __name__ == "__main__":
    main()
