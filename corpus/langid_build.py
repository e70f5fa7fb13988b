"""Regenerate the word-frequency lists in ``corpus/langdata/`` (a maintainer's tool, not run time).

Character n-grams (langdetect's profiles) cannot tell "later" (en) from "later" (af) or
"Политика" (ru) from "Политика" (bg): for one or two words the strongest evidence is whether
the word is a *frequent word* of a language. The lists come from wordfreq (Apache-2.0 code, data
CC-BY-SA 4.0, by Robyn Speer and contributors; sources: Wikipedia, subtitles, news, web text).
We ship only the top words with a rounded Zipf frequency, so run time needs neither wordfreq
(58 MB) nor its dependencies::

    python -m corpus.langid_build --top 30000
"""

from __future__ import annotations

import argparse
import gzip
from pathlib import Path

DATA_DIR = Path(__file__).with_name("langdata") / "words"

# wordfreq's code -> ours. "sh" is Serbo-Croatian in Latin letters; Serbian Cyrillic is
# transliterated to it at run time (see corpus.langid_model).
CODES = {"fil": "tl", "sh": "hr"}
SKIP = {"zh", "ja", "ko"}  # written without spaces between words: tokens are not our words


def build(top: int, out_dir: Path = DATA_DIR) -> list[str]:
    """Write ``<lang>.txt.gz`` files (``word<TAB>zipf*10``) for every wordfreq language."""
    import wordfreq

    from corpus.langid_script import lang_script_ok, script_of

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for wf_lang in sorted(wordfreq.available_languages("small")):
        if wf_lang in SKIP:
            continue
        lang = CODES.get(wf_lang, wf_lang)
        rows = []
        for word in wordfreq.top_n_list(wf_lang, top, wordlist="best"):
            if " " in word or not lang_script_ok(lang, script_of(word)):
                continue  # wordfreq's lists hold loanwords in other scripts ("in" in Russian)
            zipf = wordfreq.zipf_frequency(word, wf_lang, wordlist="best")
            rows.append(f"{word}\t{round(zipf * 10)}")
        data = ("\n".join(rows) + "\n").encode("utf-8")
        with gzip.GzipFile(out_dir / f"{lang}.txt.gz", "wb", compresslevel=9, mtime=0) as fh:
            fh.write(data)  # mtime=0: rebuilding gives byte-identical files
        written.append(lang)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--top", type=int, default=30000, help="words per language")
    args = parser.parse_args()
    langs = build(args.top)
    print(f"wrote {len(langs)} languages to {DATA_DIR}: {' '.join(langs)}")


if __name__ == "__main__":
    main()
