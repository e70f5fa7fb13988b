"""Language ID on real pages: lines that leave their page's language, and the audit's noise.

Data: ``<data>/boilerplate/text_shub.jsonl`` (181 real article pages, 8 languages, every
visible line, each labelled article text or boilerplate; the page's language is given).
Each page goes through :func:`corpus.stages.langid.detect_page` as the pipeline's segment
step sends it (the article lines as body). Reported:

- article lines (5+ words) labelled with a language other than the page's, and how sure
  the detector was: on these pages nearly every such label is wrong (the pages are
  monolingual articles; the list is printed to check);
- boilerplate lines of one or two words labelled with a third language (not the page's,
  not ``und``) without a script of their own: the audit's "foreign segments" noise;
- how many languages the labels of all lines name, summed over pages.

    .venv/bin/python bench/langid_pages.py
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "bench-data")
    ap.add_argument("--show", type=int, default=15, help="list this many wrong article lines")
    args = ap.parse_args()
    from corpus.stages.langid import detector as langid
    from corpus.stages.langid.model import words_of
    from corpus.stages.langid.script import script_of

    pages = [json.loads(line) for line in
             (args.data / "boilerplate" / "text_shub.jsonl").open(encoding="utf-8")]
    langid.detect("warm up")
    article = wrong = short = short_third = 0
    wrong_rows: list[tuple[str, str, float, str]] = []
    langs_named = 0
    third: Counter[str] = Counter()
    t0 = time.perf_counter()
    for page in pages:
        lines, labels, gold = page["lines"], page["labels"], page["lang"]
        _doc, guesses = langid.detect_page(lines, body=[bool(x) for x in labels])
        langs_named += len({g.lang for g in guesses if g.lang != "und"})
        for text, label, g in zip(lines, labels, guesses, strict=True):
            n = len(words_of(text))
            if label and n >= 5:
                article += 1
                if g.lang not in (gold, "und"):
                    wrong += 1
                    wrong_rows.append((gold, g.lang, g.prob, text[:80]))
            if not label and 1 <= n <= 2:
                short += 1
                own_script = script_of(text) not in ("Latin", script_of(" ".join(lines)))
                if g.lang not in (gold, "und") and not own_script:
                    short_third += 1
                    third[g.lang] += 1
    elapsed = time.perf_counter() - t0
    print(f"{len(pages)} pages, {sum(len(p['lines']) for p in pages)} lines, {elapsed:.1f} s")
    print(f"article lines (5+ words) off their page's language: {wrong} of {article} "
          f"({100 * wrong / max(1, article):.2f} %)")
    print(f"one- and two-word boilerplate lines given a third language: {short_third} of "
          f"{short} ({100 * short_third / max(1, short):.2f} %): "
          + ", ".join(f"{k} {v}" for k, v in third.most_common(12)))
    print(f"languages named per page (mean): {langs_named / len(pages):.2f}")
    for gold, lang, prob, text in sorted(wrong_rows, key=lambda r: -r[2])[: args.show]:
        print(f"  {gold} -> {lang} {prob:.2f}  {text}")


if __name__ == "__main__":
    main()
