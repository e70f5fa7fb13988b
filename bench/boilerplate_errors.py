"""Error analysis of ``corpus.keep_lines`` on the harness's line-labelled pages.

Runs the plain-text classifier over ``text_shub.jsonl`` (and the seed page) in this
process, scores keep-line P/R/F1 the harness's way (headline included, and body only), for
all pages and for the two halves of the pages split by page id (even / odd last hex
digit), so a change tuned on one half shows whether it holds on the other. Then it buckets
the errors: false negatives by the reason the line was dropped, false positives by the
kind the kept line was given, and the pages holding most errors, with the lines of a
chosen page when asked (``--page ID-PREFIX``).

    python bench/boilerplate_errors.py                  # figures and buckets
    python bench/boilerplate_errors.py --page 042bb7    # one page, line by line
    python bench/boilerplate_errors.py --half even      # buckets of one half only

Nothing is written; the data stays in ``../shared``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # a checkout, not installed

from corpus.api import _page_steps
from corpus.registry import base_name
from corpus.stages.boilerplate.classify import classify_page
from corpus.textnorm import normalize_text

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "bench-data" / "boilerplate"
SEED = ROOT.parent / "shared" / "seeds" / "sputnik-s400-turkey.txt"


def load_pages() -> list[dict]:
    with open(DATA / "text_shub.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def load_seed() -> dict | None:
    lab = DATA / "harness" / "data" / "seed_labels.json"
    if not SEED.exists() or not lab.exists():
        return None
    meta = json.loads(lab.read_text(encoding="utf-8"))
    lines = [ln.strip() for ln in SEED.read_text(encoding="utf-8").split("\n") if ln.strip()]
    return {"id": "seed", "lang": meta["lang"], "lines": lines, "labels": meta["labels"]}


def half(page_id: str) -> str:
    return "even" if int(page_id[-1], 16) % 2 == 0 else "odd"


def verdicts(lines: list[str], lang: str | None, keep_kinds: frozenset[str]):
    """Per line: (kept, kept as body, reason, kind), as ``keep_lines`` decides."""
    texts = [normalize_text(line) for line in lines]
    present = [i for i, t in enumerate(texts) if t]
    out = [(False, False, "empty", "")] * len(lines)
    for i, v in zip(present, classify_page([texts[i] for i in present], lang=lang),
                    strict=True):
        kept = v.reason is None and v.kind in keep_kinds
        out[i] = (kept, kept and v.kind != "title",
                  v.reason or ("" if kept else f"{v.kind}_not_kept"), v.kind)
    return out


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return 100 * p, 100 * r, (200 * p * r / (p + r) if p + r else 0.0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--page", help="show this page (id prefix) line by line")
    ap.add_argument("--half", choices=("even", "odd"), help="buckets of this half only")
    ap.add_argument("--top", type=int, default=25, help="pages listed")
    ap.add_argument("--examples", type=int, default=0, help="example lines per bucket")
    ap.add_argument("--json", type=Path, help="write per-page counts here (for diffs)")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE",
                    help="override a classifier constant for this run (experiments)")
    ap.add_argument("--summary", action="store_true", help="figures only, no buckets")
    args = ap.parse_args()
    from corpus.stages.boilerplate import classify

    for item in args.set:
        name, value = item.split("=", 1)
        if not hasattr(classify, name):
            sys.exit(f"no constant {name} in classify")
        setattr(classify, name, type(getattr(classify, name))(float(value)))
    _, steps = _page_steps()
    keep_kinds = next(frozenset(s.keep_kinds) for s in steps  # type: ignore[attr-defined]
                      if base_name(s.name) == "boilerplate")
    pages = load_pages()
    if args.page:
        for p in pages:
            if p["id"].startswith(args.page):
                show(p, verdicts(p["lines"], p.get("lang"), keep_kinds),
                     _trace(p["lines"], p.get("lang")))
        return
    t0 = time.perf_counter()
    results = [verdicts(p["lines"], p.get("lang"), keep_kinds) for p in pages]
    elapsed = time.perf_counter() - t0
    n_lines = sum(len(p["lines"]) for p in pages)
    print(f"# {len(pages)} pages, {n_lines} lines in {elapsed:.2f} s: "
          f"{len(pages) / elapsed:.0f} pages/s, {n_lines / elapsed:.0f} lines/s")
    counts: dict[str, Counter] = {}
    per_page = {}
    fn_reason: Counter = Counter()
    fp_kind: Counter = Counter()
    examples: dict[str, list[str]] = {}
    for p, res in zip(pages, results, strict=True):
        h = half(p["id"])
        c = Counter()
        for line, lab, (kept, body, reason, kind) in zip(p["lines"], p["labels"], res,
                                                           strict=True):
            if lab is None:
                continue
            for key, k in (("all", kept), ("body", body)):
                outcome = ("tp" if lab else "fp") if k else ("fn" if lab else "tn")
                c[f"{key}_{outcome}"] += 1
            if args.half and h != args.half:
                continue
            if lab and not kept:
                fn_reason[reason] += 1
                examples.setdefault(f"FN {reason}", []).append(line)
            elif kept and not lab:
                fp_kind[kind] += 1
                examples.setdefault(f"FP {kind}", []).append(line)
        per_page[p["id"]] = c
        for group in ("all", h):
            counts.setdefault(group, Counter()).update(c)
    print("| pages | P | R | F1 | body P | body R | body F1 |")
    for group in ("all", "even", "odd"):
        c = counts[group]
        a = prf(c["all_tp"], c["all_fp"], c["all_fn"])
        b = prf(c["body_tp"], c["body_fp"], c["body_fn"])
        print(f"| {group} | " + " | ".join(f"{x:.1f}" for x in (*a, *b)) + " |")
    seed = load_seed()
    if seed is not None:
        res = verdicts(seed["lines"], seed["lang"], keep_kinds)
        tp = sum(1 for r, lab in zip(res, seed["labels"], strict=True) if r[0] and lab)
        fp = sum(1 for r, lab in zip(res, seed["labels"], strict=True) if r[0] and not lab)
        fn = sum(1 for r, lab in zip(res, seed["labels"], strict=True) if not r[0] and lab)
        print("seed P/R/F1: " + " / ".join(f"{x:.1f}" for x in prf(tp, fp, fn)))
    if args.json:
        args.json.write_text(json.dumps({k: dict(v) for k, v in per_page.items()}))
    if args.summary:
        return
    print(f"\nFalse negatives by reason ({sum(fn_reason.values())}):")
    for reason, n in fn_reason.most_common():
        print(f"  {n:5d}  {reason}")
        for ex in examples[f"FN {reason}"][: args.examples]:
            print(f"           {ex[:110]!r}")
    print(f"\nFalse positives by kind ({sum(fp_kind.values())}):")
    for kind, n in fp_kind.most_common():
        print(f"  {n:5d}  {kind}")
        for ex in examples[f"FP {kind}"][: args.examples]:
            print(f"           {ex[:110]!r}")
    print("\nPages by errors (fn + fp): id lang half lines gold fn fp")
    langs = {p["id"]: p.get("lang") for p in pages}
    ranked = sorted(per_page.items(), key=lambda kv: -(kv[1]["all_fn"] + kv[1]["all_fp"]))
    for pid, c in ranked[: args.top]:
        gold = c["all_tp"] + c["all_fn"]
        total = sum(n for k, n in c.items() if k.startswith("all_"))
        print(f"  {pid[:10]} {langs[pid]} {half(pid):4s} {total:4d}"
              f" {gold:4d} {c['all_fn']:4d} {c['all_fp']:4d}")


def _trace(lines: list[str], lang: str | None) -> list[tuple[float, int] | None]:
    """Per line: (its score, its Viterbi state), caught from the classifier's layout pass."""
    from corpus.stages.boilerplate import classify

    caught = {}
    real = classify._viterbi

    def spy(scores, *a, **kw):
        states = real(scores, *a, **kw)
        caught["scores"], caught["states"] = list(scores), states
        return states

    classify._viterbi = spy
    try:
        texts = [normalize_text(line) for line in lines]
        classify_page([t for t in texts if t], lang=lang)
    finally:
        classify._viterbi = real
    pairs = iter(zip(caught.get("scores", []), caught.get("states", []), strict=True))
    return [next(pairs) if t else None for t in texts]


def show(page: dict, res: list, trace: list) -> None:
    print(f"# {page['id']} {page.get('lang')} {page.get('url', '')}")
    for i, (line, lab, (kept, _body, reason, kind), tr) in enumerate(
        zip(page["lines"], page["labels"], res, trace, strict=True)
    ):
        mark = {(1, True): "  ", (0, False): "  ", (1, False): "FN", (0, True): "FP"}.get(
            (lab, kept), "??")
        sc = f"{tr[0]:5.1f} {'PBGO'[tr[1]]}" if tr else "      -"
        print(f"{i:4d} {mark} {lab} {'K' if kept else '-'} {sc} {reason or kind:20s} "
              f"{line[:110]}")


if __name__ == "__main__":
    main()
