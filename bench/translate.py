"""Benchmark translation on a base-size model that stops like a real one.

The model is ``../shared/bench-data/mt/make_model.py``'s default: Argos' ru→en
architecture and size (Transformer base, 6+6 layers, d_model 512, 32k shared
SentencePiece vocabulary, int8), hand-set so it emits one output piece per input piece
and then ``</s>`` - decoding cost and output lengths behave like a real model's, unlike
random weights, which never stop. The sentences are real Russian: the translations in
Debian's gettext catalogues on this machine (``extract_corpus.py``), 3-40 words, the
ones ``corpus build`` itself detects as Russian. Model and sentences are generated under
``bench/_data/translate/`` (git-ignored) on first use.

Rows of the table, all in this one process, interleaved (every round runs each row in
turn, alternate rounds in reverse order), caches cold in every round:

* argos        ``argostranslate.translate.translate()`` per sentence, as a user calls it
               (its sentence splitter replaced by one returning the sentence whole: the
               sentences are split already, and MiniSBD would try to download a model)
* raw          ``ctranslate2.Translator.translate_batch`` on pre-tokenised, length-sorted
               sentences, the whole set in one call (CTranslate2 cuts it into batches of
               so many tokens), at the best replicas × threads and batch size of a sweep on
               these cores: the limit
* engine       ``corpus.stages.translate.engine.Engine``, the defaults ``corpus build``
               and ``corpus translate`` use (tokenising and decoding included)
* exact        the engine with ``exact_argos=True`` (one source length per batch)
* translate    ``corpus translate OUT`` end to end on a build whose sentences are all
               pending (model load, reading, checks, writing, audit; cold cache)

argos translates sentence by sentence, so its rate does not depend on how many there
are: it is timed on the first ``--argos-sample`` sentences of the set and the ratios at
every size use that rate. Ratios are medians over rounds of ratios within a round.

    python bench/translate.py                   # 200 and 2,000 sentences, 2 rounds
    python bench/translate.py --quick           # 200 sentences, 1 round
    python bench/translate.py --sizes 200,2000,10000 --rounds 3 --argos-sample 500
    python bench/translate.py --device cuda     # on a GPU (argos and raw too)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
MT_TOOLS = REPO.parent / "shared" / "bench-data" / "mt"
WORK = REPO / "bench" / "_data" / "translate"
SEED = 16

PIPELINE = """\
# bench/translate.py: detection only (the models directory is empty), so every
# Russian sentence is left pending for `corpus translate OUT`
target = "en"
[[steps]]
use = "normalize"
[[steps]]
use = "langid"
level = "segment"
[[steps]]
use = "sentences"
[[steps]]
use = "langid"
level = "sentence"
[[steps]]
use = "translate"
models_dir = "{empty}"
device = "{device}"
"""


# -- data -----------------------------------------------------------------------------
def run_tool(tools: Path, script: str, *args: str) -> None:
    path = tools / script
    if not path.is_file():
        sys.exit(f"{path} is missing: this bench needs ../shared/bench-data/mt (--mt-tools)")
    subprocess.run([sys.executable, str(path), *args], check=True, stdout=subprocess.DEVNULL)


def prepare_model(work: Path, tools: Path) -> Path:
    """The cipher model, built and installed once; returns the models directory."""
    from corpus.stages.translate.models import ModelStore

    pairs = work / "ru_en_pairs.tsv"
    if not pairs.is_file():
        run_tool(tools, "extract_corpus.py", str(pairs))
    archive = work / "base-cipher" / "translate-ru_en-1_9.argosmodel"
    if not archive.is_file():
        start = time.perf_counter()
        run_tool(tools, "make_model.py", "--out", str(archive.parent), "--corpus", str(pairs))
        print(f"built {archive.name} in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    models = work / "models"
    store = ModelStore(models)
    if store.find("ru", "en") is None:
        store.install_file(archive)
    return models


def candidate_lines(work: Path, count: int) -> list[str]:
    """Russian catalogue strings of 3-40 words (letters, not format codes), deduplicated,
    in a seeded order."""
    from corpus.words import words

    lines: set[str] = set()
    with open(work / "ru_en_pairs.tsv", encoding="utf-8") as fh:
        for row in fh:
            ru = row.rstrip("\n").split("\t", 1)[-1].strip()
            if 3 <= len(words(ru)) <= 40 and 3 <= len(ru.split()) <= 40:
                lines.add(ru)
    ordered = sorted(lines)
    random.Random(SEED).shuffle(ordered)
    return ordered[:count]


def build_pending(lines: list[str], out: Path, work: Path, device: str) -> list[str]:
    """``corpus build`` of *lines* (a document each) with no model: the documents that
    are one sentence left pending for ru-en, in order."""
    from click.testing import CliRunner

    from corpus.cli import cli

    empty = work / "no-models"
    empty.mkdir(exist_ok=True)
    pipeline = work / "pending.toml"
    pipeline.write_text(PIPELINE.format(empty=empty, device=device), encoding="utf-8")
    source = work / f"{out.name}.jsonl"  # a document each: none is another's context
    source.write_text("".join(json.dumps({"id": str(n), "text": line}, ensure_ascii=False) + "\n"
                              for n, line in enumerate(lines)), encoding="utf-8")
    if out.exists():
        shutil.rmtree(out)
    result = CliRunner().invoke(cli, ["build", str(source), "-o", str(out), "-p", str(pipeline),
                                      "--quiet"], catch_exceptions=False)
    if result.exit_code not in (0, 1):
        sys.exit(f"corpus build failed: {result.output}")
    by_doc: dict[str, list[dict]] = {}
    with open(out / "sentences.jsonl", encoding="utf-8") as fh:
        for row in map(json.loads, fh):
            by_doc.setdefault(row["doc_id"], []).append(row)
    # lines that are one sentence, detected as Russian: they stay so in any other build
    return [rows[0]["text"] for rows in by_doc.values()
            if len(rows) == 1 and rows[0]["pending"] == "ru-en"]


def bench_sets(work: Path, sizes: list[int], device: str) -> tuple[list[str], dict[int, Path]]:
    """The sentences (the first n of one list for every size n) and, per size, a build
    OUT holding exactly those sentences, pending."""
    need = max(sizes)
    cache = work / "sentences.json"
    sentences: list[str] = json.loads(cache.read_text()) if cache.is_file() else []
    if len(sentences) < need:
        pool = candidate_lines(work, int(need * 1.3) + 50)
        sentences = build_pending(pool, work / "pool", work, device)
        cache.write_text(json.dumps(sentences, ensure_ascii=False))
    if len(sentences) < need:
        sys.exit(f"only {len(sentences)} Russian sentences available, {need} wanted")
    outs = {}
    for n in sizes:
        out = work / f"pending-{n}"
        marker = out / ".bench-sentences"
        if not marker.is_file() or marker.read_text() != str(hash_list(sentences[:n])):
            got = build_pending(sentences[:n], out, work, device)
            if got != sentences[:n]:
                sys.exit(f"the build of {n} sentences left {len(got)} pending, not the same set")
            marker.write_text(str(hash_list(sentences[:n])))
        outs[n] = out
    return sentences, outs


def hash_list(items: list[str]) -> int:
    import zlib

    return zlib.crc32("\n".join(items).encode("utf-8"))


# -- the rows -------------------------------------------------------------------------
@dataclass
class Timing:
    seconds: float
    cpu: float
    outputs: list[str] | None = None


def timed(fn: Callable[[], list[str] | None]) -> Timing:
    wall, cpu = time.perf_counter(), time.process_time()
    outputs = fn()
    return Timing(time.perf_counter() - wall, time.process_time() - cpu, outputs)


class Argos:
    """argostranslate's own translate(), one call per sentence."""

    def __init__(self, models: Path, beam: int, device: str) -> None:
        from argostranslate import settings
        from argostranslate import translate as argos

        settings.beam_size = beam
        settings.device = device
        settings.package_dirs = [models]
        argos.installed_translates = []
        argos.get_installed_languages.cache_clear()
        self.argos = argos
        self.translation = argos.get_translation_from_codes("ru", "en")

        class WholeSentence:
            def split_sentences(self, text: str) -> list[str]:
                return [text]

        self.translation.underlying.sentencizer = WholeSentence()
        self.translation.translate("Прогрев.")  # loads the model outside the timings

    def __call__(self, sentences: list[str]) -> list[str]:
        self.translation.cache = {}  # its paragraph cache: cold in every round
        return [self.argos.translate(s, "ru", "en") for s in sentences]


class Raw:
    """translate_batch over the whole set, at the sweep's best settings."""

    def __init__(self, models: Path, beam: int, device: str) -> None:
        from corpus.stages.translate.models import ModelStore

        self.package = ModelStore(models).find("ru", "en")
        self.beam, self.device = beam, device
        import sentencepiece

        self.sp = sentencepiece.SentencePieceProcessor(model_file=str(self.package.sp_model))
        self.translators: dict[tuple[int, int], object] = {}
        self.config = (1, 1, 1024)

    def translator(self, inter: int, intra: int) -> object:
        import ctranslate2

        if (inter, intra) not in self.translators:
            self.translators[(inter, intra)] = ctranslate2.Translator(
                str(self.package.model_dir), device=self.device, inter_threads=inter,
                intra_threads=intra)
        return self.translators[(inter, intra)]

    def tokens(self, sentences: list[str]) -> list[list[str]]:
        return self.sp.encode(sentences, out_type=str)

    def run_sorted(self, tokens: list[list[str]], config: tuple[int, int, int]) -> Timing:
        """Length-sorted outside the timing (CTranslate2 batches in the order given), the
        hypotheses put back in the original order afterwards."""
        order = sorted(range(len(tokens)), key=lambda i: len(tokens[i]))
        ordered = [tokens[i] for i in order]
        took = timed(lambda: self.decode(ordered, config))  # type: ignore[arg-type,return-value]
        back: list[list[str]] = [[] for _ in tokens]
        for i, hypothesis in zip(order, took.outputs or [], strict=True):
            back[i] = hypothesis  # type: ignore[assignment]
        took.outputs = back  # type: ignore[assignment]
        return took

    def decode(self, tokens: list[list[str]], config: tuple[int, int, int]) -> list[list[str]]:
        inter, intra, batch = config
        results = self.translator(inter, intra).translate_batch(
            tokens, beam_size=self.beam, length_penalty=0.2, replace_unknowns=True,
            max_batch_size=batch, batch_type="tokens")
        return [r.hypotheses[0] for r in results]

    def sweep(self, sentences: list[str], configs: list[tuple[int, int, int]]) -> str:
        tokens = self.tokens(sentences)
        rates = {}
        for config in configs:
            rates[config] = len(sentences) / self.run_sorted(tokens, config).seconds
        self.config = max(rates, key=rates.__getitem__)
        return ", ".join(f"{i}×{t} threads, {b} tok: {r:.1f}/s" for (i, t, b), r in rates.items())

    def run(self, tokens: list[list[str]]) -> Timing:
        return self.run_sorted(tokens, self.config)

    def texts(self, hypotheses: list[list[str]]) -> list[str]:
        from corpus.stages.translate.engine import decode

        return [decode(self.sp, h, "") for h in hypotheses]


def engine_row(models: Path, beam: int, device: str,
               exact: bool) -> Callable[[list[str]], Timing]:
    from corpus.stages.translate.engine import Engine, EngineOptions
    from corpus.stages.translate.models import ModelStore

    options = EngineOptions(beam_size=beam, device=device, exact_argos=exact)

    def run(sentences: list[str]) -> Timing:
        engine = Engine(ModelStore(models), options, cache=None)  # nothing cached
        route = engine.route("ru", "en")
        engine.model(route.hops[0])  # loaded once per process: outside the timing
        return timed(lambda: engine.translate(sentences, route)[0])

    return run


def end_to_end(built: Path, models: Path, device: str) -> Timing:
    """``corpus translate`` on a fresh copy of *built*, with an empty cache and the model
    unloaded, so the command starts as it would in a new process."""
    from click.testing import CliRunner

    from corpus.cli import cli
    from corpus.stages.translate.engine import unload_models

    with tempfile.TemporaryDirectory(prefix="bench-translate-") as tmp:
        out = Path(tmp) / "out"
        shutil.copytree(built, out)
        os.environ["CORPUS_CACHE_DIR"] = str(Path(tmp) / "cache")
        unload_models()
        command = ["translate", str(out), "--models-dir", str(models), "--device", device,
                   "--quiet"]
        took = timed(lambda: CliRunner().invoke(cli, command).output)  # type: ignore[arg-type]
        text = (out / "sentences.jsonl").read_text(encoding="utf-8")
        rows = [json.loads(line) for line in text.splitlines()]
        if any(r["pending"] for r in rows):
            raise RuntimeError(f"corpus translate left sentences pending: {took.outputs}")
        took.outputs = [r["translation"]["text"] for r in rows]
        return took


# -- the run --------------------------------------------------------------------------
@dataclass
class Row:
    name: str
    size: int
    rates: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    outputs: list[str] | None = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="200,2000", help="comma-separated sentence counts")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="200 sentences, 1 round")
    parser.add_argument("--argos-sample", type=int, default=200,
                        help="sentences argos translates per round (its rate is per sentence)")
    parser.add_argument("--beam", type=int, default=4)
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--raw", help="skip the sweep: REPLICAS,THREADS,BATCH_TOKENS")
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--mt-tools", type=Path, default=MT_TOOLS)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    sizes = [200] if args.quick else sorted(int(x) for x in args.sizes.split(","))
    rounds = 1 if args.quick else args.rounds
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    for kind in ("DATA", "CONFIG", "CACHE"):  # before anything imports argostranslate
        os.environ[f"XDG_{kind}_HOME"] = str(work / "home" / kind.lower())
    os.environ["ARGOS_PACKAGES_DIR"] = str(work / "models")
    load_before = os.getloadavg()
    from corpus.errors import ConfigError
    from corpus.stages.translate.engine import resolve_device

    try:
        resolve_device(args.device)
    except ConfigError as exc:
        sys.exit(str(exc))
    models = prepare_model(work, args.mt_tools)
    sentences, outs = bench_sets(work, sizes, args.device)
    from corpus.stages.translate.engine import EngineOptions

    defaults = EngineOptions(device=args.device)
    argos = Argos(models, args.beam, args.device)
    raw = Raw(models, args.beam, args.device)
    cores = len(os.sched_getaffinity(0))
    if args.raw:
        raw.config = tuple(int(x) for x in args.raw.split(","))  # type: ignore[assignment]
        swept = "given"
    else:
        if args.device == "cpu":
            plans = sorted({(cores, 1), (1, cores), *([(cores // 4, 4)] if cores >= 8 else [])})
            batches: tuple[int, ...] = (512, 1024, 2048)
        else:  # replicas on one GPU are CUDA streams
            plans, batches = [(1, 1), (2, 1)], (4096, 8192, 16384)
        swept = raw.sweep(sentences[:min(sizes)], [(i, t, b) for i, t in plans for b in batches])
    sample = sentences[:args.argos_sample]
    tokens = {n: raw.tokens(sentences[:n]) for n in sizes}
    rows: dict[tuple[str, int], Row] = {}
    engine, exact = (engine_row(models, args.beam, args.device, e) for e in (False, True))

    def record(name: str, size: int, took: Timing, count: int) -> None:
        row = rows.setdefault((name, size), Row(name, size))
        row.rates.append(count / took.seconds)
        row.cpu.append(took.cpu / count)
        if row.outputs is None:
            row.outputs = took.outputs

    plan: list[tuple[str, int]] = [("argos", 0)]
    for n in sizes:
        plan += [("raw", n), ("engine", n), ("exact", n), ("translate", n)]
    started = time.perf_counter()
    for number in range(rounds):
        for name, n in plan if number % 2 == 0 else plan[::-1]:
            if name == "argos":
                record("argos", len(sample), timed(lambda: argos(sample)), len(sample))
            elif name == "raw":
                took = raw.run(tokens[n])
                took.outputs = raw.texts(took.outputs)  # type: ignore[arg-type]
                record("raw", n, took, n)
            elif name in ("engine", "exact"):
                fn = engine if name == "engine" else exact
                record(name, n, fn(sentences[:n]), n)
            else:
                record("translate", n, end_to_end(outs[n], models, args.device), n)
        print(f"round {number + 1}/{rounds} done ({time.perf_counter() - started:.0f} s)",
              file=sys.stderr)
    report(args, sizes, rows, raw, swept, defaults, cores, load_before, tokens)


def same(a: list[str] | None, b: list[str] | None) -> str:
    """``k/n``: how many of the first n outputs agree (n: the shorter list)."""
    if a is None or b is None:
        return ""
    n = min(len(a), len(b))
    return f"{sum(x == y for x, y in zip(a[:n], b[:n], strict=True))}/{n}"


def ratio(rates: list[float], base: list[float]) -> float:
    return statistics.median(r / b for r, b in zip(rates, base, strict=True))


LABELS = {"raw": "raw CTranslate2", "engine": "Engine (defaults)",
          "exact": "Engine, exact_argos", "translate": "`corpus translate OUT` (cold cache)"}


def report(args: argparse.Namespace, sizes: list[int], rows: dict[tuple[str, int], Row],
           raw: Raw, swept: str, defaults: object, cores: int,
           load_before: tuple[float, ...], tokens: dict[int, list[list[str]]]) -> None:
    argos_row = next(r for (name, _), r in rows.items() if name == "argos")
    inter, intra = defaults.threads()  # type: ignore[attr-defined]
    i, t, b = raw.config
    load_after = os.getloadavg()
    print(f"\n{args.device.upper()}, {cores} cores; load average (1 min) {load_before[0]:.2f} "
          f"before, {load_after[0]:.2f} after; beam {args.beam}; {len(argos_row.rates)} "
          "interleaved rounds")
    print("model: make_model.py cipher, base size (6+6 layers, d512, 32k vocab, int8); "
          "sentences: Russian, 3-40 words, from Debian's .mo catalogues")
    print(f"raw sweep (first {min(sizes)} sentences): {swept}")
    print(f"raw: {i} replicas × {t} threads, {b}-token batches; engine defaults: {inter} "
          f"replicas × {intra} threads, {defaults.batch_tokens()}-token batches, "  # type: ignore[attr-defined]
          "mixed lengths\n")
    argos_rate = statistics.median(argos_row.rates)
    n_argos = argos_row.size
    per_token = {n: sum(map(len, tokens[n])) / n for n in sizes}
    figures: dict[str, object] = {"device": args.device, "cores": cores, "beam": args.beam,
                                  "argos_per_s": round(argos_rate, 2), "sizes": {},
                                  "load": [round(load_before[0], 2), round(load_after[0], 2)]}
    print("| sentences | row | sentences/s | source tokens/s | CPU ms/sentence | × argos "
          "| × raw | identical to argos |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    print(f"| {n_argos} | argos `translate()` per sentence | {argos_rate:.1f} | "
          f"{argos_rate * per_token[min(sizes)]:.0f} | "
          f"{statistics.median(argos_row.cpu) * 1000:.0f} | 1.0 | | |")
    for n in sizes:
        entry: dict[str, object] = {}
        for name, label in LABELS.items():
            row = rows[(name, n)]
            rate = statistics.median(row.rates)
            vs_argos, vs_raw = ratio(row.rates, argos_row.rates), ratio(row.rates,
                                                                        rows[("raw", n)].rates)
            identical = same(row.outputs, argos_row.outputs)
            if name == "engine":
                identical += f" (vs exact: {same(row.outputs, rows[('exact', n)].outputs)})"
            print(f"| {n} | {label} | {rate:.1f} | {rate * per_token[n]:.0f} | "
                  f"{statistics.median(row.cpu) * 1000:.0f} | {vs_argos:.1f} | {vs_raw:.2f} "
                  f"| {identical} |")
            entry[name] = {"per_s": round(rate, 2), "x_argos": round(vs_argos, 2),
                           "x_raw": round(vs_raw, 3), "identical": identical}
        figures["sizes"][n] = entry  # type: ignore[index]
    print(f"\nargos is timed on the first {n_argos} sentences of each set (it translates one "
          "at a time); the × columns are medians of per-round ratios.")
    print(json.dumps(figures), file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
