"""Build throughput on realistic scraped text, in the layouts crawls come in.

    python bench/build.py                    # 10 MB, layouts a b c, --workers 1 and 2, 2 rounds
    python bench/build.py --mb 40 --rounds 3
    python bench/build.py --mb 4 --rounds 1 --layouts b   # a quick look

The corpus is ``../shared/bench-data/realistic/make_corpus.py``'s (real page boilerplate
around real sentences in 75 languages, lightly edited, so caches keyed on exact text hit
about as often as on a crawl; a generator drawing from a few dozen fixed sentences
showed 2.3x the throughput of this text). The same documents are laid out three ways:

* **a** many small files: every document its own ``.txt`` in folders of 500;
* **b** make_corpus's own layout: 500-record JSONL shards (15 % gzipped) and site folders;
* **c** one large JSONL file holding every document.

Every configuration (layout x workers) runs ``corpus build`` as a fresh process, in
rounds, the order alternating from round to round (A B ... then ... B A), with the
inputs evicted from the page cache before each run (``posix_fadvise(DONTNEED)``) and a
new OUT, so no run inherits a warm cache. Reported per configuration (median over the
rounds): MB of document text per CPU-second (all processes: the command and its
workers), wall MB/s, peak memory of the whole process tree (PSS, sampled every 20 ms), the
worker speed-up (wall time of ``--workers 1`` / ``--workers N`` on the same layout), and
the per-stage CPU shares the manifest records (``timings.cpu``). Before and after the
runs the machine's own ceiling is measured: how much faster N processes finish N units
of a CPU-bound loop than one process (shared cores and other load show there first).

A naive baseline runs in the same process on a slice of the same text: read, NFC,
``langdetect`` per line, one JSONL row per line. Its CPU per MB against corpus's is the
ratio printed last (the issue measured 17x).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "_data"
MAKE_CORPUS = ROOT.parent / "shared" / "bench-data" / "realistic" / "make_corpus.py"
PIPELINE = ROOT / "pipelines" / "clean.toml"
LAYOUTS = {"a": "many small files", "b": "500-record shards", "c": "one large JSONL"}
SAMPLE_SECONDS = 0.02


# ---- the corpus, three ways ------------------------------------------------------
def documents(source: Path) -> list[dict[str, str]]:
    """Every document of make_corpus's output, in a fixed order, as {id, url, text}."""
    docs: list[dict[str, str]] = []
    for path in sorted(source.rglob("*")):
        if path.name.endswith((".jsonl", ".jsonl.gz")):
            opener = gzip.open if path.suffix == ".gz" else open
            with opener(path, "rt", encoding="utf-8") as f:
                docs.extend(json.loads(line) for line in f if line.strip())
        elif path.suffix == ".txt":
            rel = path.relative_to(source).as_posix()
            docs.append({"id": rel, "url": "", "text": path.read_text(encoding="utf-8")})
    return docs


def prepare(mb: float, seed: int) -> dict[str, Path]:
    """The corpus of *mb* MB in each layout (made once, reused while the stamp matches)."""
    base = DATA / f"realistic-{mb:g}mb-{seed}"
    stamp = base / "READY"
    layouts = {"a": base / "a", "b": base / "b", "c": base / "c"}
    if stamp.exists():
        return layouts
    if not MAKE_CORPUS.exists():
        sys.exit(f"{MAKE_CORPUS} not found: this benchmark needs ../shared/bench-data")
    base.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(MAKE_CORPUS), str(layouts["b"]), str(mb), str(seed)],
                   check=True)
    docs = documents(layouts["b"])
    for n, doc in enumerate(docs):
        folder = layouts["a"] / f"part{n // 500:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"doc{n:07d}.txt").write_text(doc["text"], encoding="utf-8")
    layouts["c"].mkdir(parents=True, exist_ok=True)
    with open(layouts["c"] / "all.jsonl", "w", encoding="utf-8") as f:
        for doc in docs:
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    stamp.write_text(f"{len(docs)} documents\n", encoding="utf-8")
    return layouts


def text_mb(folder: Path) -> float:
    return sum(len(d["text"].encode("utf-8")) for d in documents(folder)) / 1e6


def evict(folder: Path) -> None:
    """Drop *folder*'s files from the page cache, so every run reads them cold."""
    for path in folder.rglob("*"):
        if path.is_file():
            fd = os.open(path, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


# ---- one run -----------------------------------------------------------------------
def tree_memory(pid: int) -> int:
    """Memory in bytes of *pid* and all its descendants: the sum of their PSS.

    PSS, not RSS: workers are forked from the main process after the models are loaded,
    so they share those pages with it; summing RSS would count them once per process.
    """
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        total += pss(p)
    return total


def pss(pid: int) -> int:
    """The proportional set size of *pid* in bytes (0 once it has exited)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run_build(folder: Path, workers: int, pipeline: Path) -> dict[str, float | dict]:
    evict(folder)
    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        out = Path(tmp) / "out"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "corpus", "build", str(folder), "-o",
                                 str(out), "-p", str(pipeline), "-q", "-j", str(workers)])
        peak = [0]

        def sample() -> None:
            while proc.poll() is None:
                peak[0] = max(peak[0], tree_memory(proc.pid))
                time.sleep(SAMPLE_SECONDS)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        if proc.wait() != 0:
            sys.exit(f"corpus build {folder} -j {workers} failed ({proc.returncode})")
        wall = time.perf_counter() - started
        sampler.join()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {"wall": wall, "cpu": cpu, "peak": peak[0],
            "stages": manifest.get("timings", {}).get("cpu", {})}


# ---- the naive baseline --------------------------------------------------------------
def naive(texts: list[str], out: Path) -> float:
    """CPU seconds of read + NFC + langdetect per line + a JSONL row per line."""
    from langdetect import DetectorFactory, detect
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    started = time.process_time()
    with open(out, "w", encoding="utf-8") as f:
        for text in texts:
            for line in unicodedata.normalize("NFC", text).splitlines():
                if not line.strip():
                    continue
                try:
                    lang = detect(line)
                except LangDetectException:
                    lang = "und"
                f.write(json.dumps({"text": line, "lang": lang}, ensure_ascii=False) + "\n")
    return time.process_time() - started


# ---- the report ----------------------------------------------------------------------
def shares(stage_runs: list[dict]) -> str:
    total: dict[str, float] = {}
    for stages in stage_runs:
        for name, seconds in stages.items():
            total[name] = total.get(name, 0.0) + seconds
    whole = sum(total.values()) or 1.0
    top = sorted(total.items(), key=lambda kv: -kv[1])
    return ", ".join(f"{name} {100 * s / whole:.0f}%" for name, s in top if s / whole >= 0.01)


MAIN_STAGES = ("dispatch", "dedup", "repeated_lines", "near_dedup", "sentence_dedup", "write")


def serial_share(stage_runs: list[dict]) -> float:
    """The share of all CPU that only the main process can do (the rest is per document)."""
    main = sum(st.get(name, 0.0) for st in stage_runs for name in MAIN_STAGES)  # write: + audit
    whole = sum(sum(st.values()) for st in stage_runs)
    return main / whole if whole else 1.0


def _spin(units: int) -> None:
    """Pure-Python CPU work, about half a second a unit: the machine's own ceiling."""
    for _ in range(units):
        total = 0
        for i in range(4_000_000):
            total += i * i % 7


def ceiling(workers: int, rounds: int = 3) -> tuple[float, float]:
    """How much faster *workers* processes finish ``workers`` units of CPU-bound work than
    one process does, and how much more CPU a unit costs when they run at once (medians
    of *rounds*, measured now): what any worker speed-up can reach on this machine at this
    moment (other load, shared cores), and the CPU that running together costs by itself
    (two vCPUs that are one core's hyperthreads slow each other down)."""
    import multiprocessing as mp

    ratios, cpu_ratios = [], []
    ctx = mp.get_context("fork")
    for _ in range(rounds):
        start, cpu_start = time.perf_counter(), time.process_time()
        _spin(workers)
        one, one_cpu = time.perf_counter() - start, time.process_time() - cpu_start
        procs = [ctx.Process(target=_spin, args=(1,)) for _ in range(workers)]
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join()
        ratios.append(one / (time.perf_counter() - start))
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        together = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
        cpu_ratios.append(together / one_cpu)
    return statistics.median(ratios), statistics.median(cpu_ratios)


def per_document_cpu(stages: dict[str, float]) -> float:
    """CPU seconds of the stages that run where the documents are processed (workers)."""
    return sum(s for name, s in stages.items() if name not in MAIN_STAGES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10.0, help="corpus size (MB of text)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--layouts", default="abc", help="any of a, b, c")
    parser.add_argument("--pipeline", type=Path, default=PIPELINE)
    parser.add_argument("--naive-mb", type=float, default=0.3,
                        help="text for the naive baseline (0: skip it)")
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    layouts = prepare(args.mb, args.seed)
    mb = text_mb(layouts["b"])
    workers = [int(w) for w in args.workers.split(",")]
    configs = [(layout, w) for layout in args.layouts for w in workers]
    print(f"corpus: {mb:.1f} MB of text, {args.pipeline.name}, {os.cpu_count()} CPUs, "
          f"{args.rounds} rounds, order alternating")
    top = max(workers)
    if top > 1:
        before = ceiling(top)
    runs: dict[tuple[str, int], list[dict]] = {c: [] for c in configs}
    for r in range(args.rounds):
        for config in configs if r % 2 == 0 else configs[::-1]:
            result = run_build(layouts[config[0]], config[1], args.pipeline)
            runs[config].append(result)
            print(f"  round {r + 1} {config[0]} -j{config[1]}: {result['wall']:.1f} s wall, "
                  f"{result['cpu']:.1f} s CPU, {result['peak'] / 2**20:.0f} MiB", flush=True)
    if top > 1:
        after = ceiling(top)
        print(f"machine ceiling: {top} processes of a CPU-bound loop finish {before[0]:.2f}x "
              f"(before the runs) and {after[0]:.2f}x (after) as fast as one: no speed-up from "
              f"{top} workers can exceed that here; each spent {before[1]:.2f}x and "
              f"{after[1]:.2f}x the CPU one process spends alone")
    print(f"\n{'layout':<22} {'-j':>3} {'MB/CPU-s':>9} {'wall MB/s':>10} {'peak PSS':>9} "
          f"{'speed-up':>9}")
    for layout, w in configs:
        got = runs[(layout, w)]
        wall = statistics.median(g["wall"] for g in got)
        cpu = statistics.median(g["cpu"] for g in got)
        peak = max(g["peak"] for g in got)
        base = statistics.median(g["wall"] for g in runs.get((layout, workers[0]), got))
        print(f"{layout + ' ' + LAYOUTS[layout]:<22} {w:>3} {mb / cpu:>9.2f} {mb / wall:>10.2f} "
              f"{peak / 2**20:>6.0f} MiB {base / wall:>8.2f}x")
    for layout in args.layouts:
        stage_runs = [g["stages"] for w in workers for g in runs[(layout, w)] if g["stages"]]
        if stage_runs:
            print(f"CPU by stage, layout {layout}: {shares(stage_runs)}")
        one = [per_document_cpu(g["stages"]) for g in runs.get((layout, 1), []) if g["stages"]]
        for w in workers:
            many = [per_document_cpu(g["stages"]) for g in runs[(layout, w)] if g["stages"]]
            if w > 1 and one and many:
                ratio = statistics.median(many) / statistics.median(one)
                print(f"  per-document stages at -j{w}: {ratio:.2f}x the CPU of -j1 (the same "
                      "work: compare the loop's CPU ratio above)")
        pooled = [g["stages"] for w in workers if w > 1 for g in runs[(layout, w)]]
        if pooled:
            main_share = serial_share(pooled)
            print(f"  main process (dispatch, corpus-wide steps, write): {100 * main_share:.1f} % "
                  f"of the CPU with workers: at most {1 / main_share:.0f}x with any number "
                  "of workers (Amdahl)")
    if args.naive_mb > 0:
        texts, size = [], 0
        for doc in documents(layouts["b"]):
            texts.append(doc["text"])
            size += len(doc["text"].encode("utf-8"))
            if size >= args.naive_mb * 1e6:
                break
        with tempfile.TemporaryDirectory(dir=DATA) as tmp:
            naive_cpu = naive(texts, Path(tmp) / "naive.jsonl")
        corpus_cpu = statistics.median(g["cpu"] for g in runs[configs[0]])
        ratio = (naive_cpu / (size / 1e6)) / (corpus_cpu / mb)
        print(f"naive baseline (NFC + langdetect per line) on {size / 1e6:.2f} MB: "
              f"{size / 1e6 / naive_cpu:.3f} MB/CPU-s; corpus needs {ratio:.1f}x less CPU per MB")


if __name__ == "__main__":
    main()
