"""Benchmark the plain-text boilerplate classifier against line-labelled web pages.

Data: ``bench-data/boilerplate/text_shub.jsonl`` (one page per line: ``lines``, ``labels``
with 1 = article text, ``lang``). Prints precision / recall / F1 of "keep" over all lines,
per language, next to simple baselines run in the same process, and lines per second.
Nothing here is fitted to the data: the classifier's parameters are fixed priors.

    python bench/boilerplate.py [--data PATH] [--no-lang] [--errors N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from corpus.stages.boilerplate.classify import classify_lines  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "bench-data" / "boilerplate" / "text_shub.jsonl"

Keeper = Callable[[Sequence[str], str | None], list[bool]]


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return 100 * p, 100 * r, 100 * f


def min_words(n: int) -> Keeper:
    return lambda lines, lang: [len(t.split()) >= n for t in lines]


def ours(lines: Sequence[str], lang: str | None) -> list[bool]:
    return [r is None for r in classify_lines(lines, lang=lang)]


def evaluate(pages: list[dict], keep: Keeper, use_lang: bool) -> tuple[dict, float]:
    counts: dict[str, Counter] = defaultdict(Counter)
    start = time.perf_counter()
    for page in pages:
        pred = keep(page["lines"], page["lang"] if use_lang else None)
        for p, y in zip(pred, page["labels"], strict=True):
            if y is None:  # unlabelled line
                continue
            key = ("tp" if y else "fp") if p else ("fn" if y else "tn")
            counts["all"][key] += 1
            counts[page["lang"]][key] += 1
    return counts, time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--no-lang", action="store_true", help="let the classifier guess the language")
    ap.add_argument("--errors", type=int, default=0, help="print N misclassified lines")
    args = ap.parse_args()
    with args.data.open(encoding="utf-8") as fh:
        pages = [json.loads(line) for line in fh]
    n_lines = sum(len(p["lines"]) for p in pages)
    n_labelled = sum(y is not None for p in pages for y in p["labels"])
    given = not args.no_lang
    print(f"{len(pages)} pages, {n_lines} lines ({n_labelled} labelled), lang given: {given}\n")
    systems: list[tuple[str, Keeper]] = [
        ("keep all", lambda lines, lang: [True] * len(lines)),
        (">= 5 words", min_words(5)),
        (">= 10 words", min_words(10)),
        ("corpus.stages.boilerplate.classify", ours),
    ]
    ours(["warm up the stoplists."], None)
    results = {}
    print("| system | P | R | F1 | lines/s |\n|---|---:|---:|---:|---:|")
    for name, keep in systems:
        counts, secs = evaluate(pages, keep, not args.no_lang)
        results[name] = counts
        p, r, f = prf(counts["all"]["tp"], counts["all"]["fp"], counts["all"]["fn"])
        print(f"| {name} | {p:.1f} | {r:.1f} | {f:.1f} | {n_lines / secs:,.0f} |")
    print("\n| lang | pages | lines | F1 keep all | F1 >=10 words | P | R | F1 ours |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    by_lang = Counter(p["lang"] for p in pages)
    for lang in sorted(by_lang, key=lambda k: (-by_lang[k], k)):
        row = []
        for name in ("keep all", ">= 10 words", "corpus.stages.boilerplate.classify"):
            c = results[name][lang]
            row.append(prf(c["tp"], c["fp"], c["fn"]))
        c = results["corpus.stages.boilerplate.classify"][lang]
        lines = sum(c.values())
        print(
            f"| {lang} | {by_lang[lang]} | {lines} | {row[0][2]:.1f} | {row[1][2]:.1f} | "
            f"{row[2][0]:.1f} | {row[2][1]:.1f} | {row[2][2]:.1f} |"
        )
    if args.errors:
        shown = 0
        for page in pages:
            reasons = classify_lines(page["lines"], lang=None if args.no_lang else page["lang"])
            for text, y, why in zip(page["lines"], page["labels"], reasons, strict=True):
                if y is not None and (why is None) != bool(y) and shown < args.errors:
                    print(f"{'FN' if y else 'FP'} [{why}] {text[:110]}")
                    shown += 1


if __name__ == "__main__":
    main()
