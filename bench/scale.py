"""Scale benchmark: wall time, speed-up and peak memory of ``corpus build`` by corpus size.

    python bench/scale.py                       # 10 MB and 100 MB, --workers 1 and 2
    python bench/scale.py --sizes 10,100,1000   # and 1 GB (long on a small machine)
    python bench/scale.py --sizes 10 --executors local,ray

Corpora are the realistic scraped corpus of bench/build.py (``make_corpus.py``, its
layout b: 500-record shards and site folders) under bench/_data/ (not committed; reused
when present). Every build runs in a fresh subprocess, polled
for the memory of its whole process tree (the driver plus its workers, proportional set
size summed at each instant), so the peak counts what the run really holds. The child
also reports its own CPU seconds and its pool workers' (``RUSAGE_CHILDREN``; not Ray's):
the main process's share is the serial part of the run, which bounds the speed-up (Amdahl).

Targets (issue 9): speed-up >= 1.7x with 2 workers on 2 cores; peak RSS at the largest
size within 1.5x of the 10 MB one. Timings are only comparable within one invocation; on
a shared machine the CPU seconds (main process vs workers) are the steadier figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import DATA, PIPELINE, prepare, tree_memory  # bench/build.py

CHILD = """
import json, resource, sys, time
from pathlib import Path
from corpus.config import load_pipeline
from corpus.run.runner import run_build
folder, out, pipeline, workers, executor = sys.argv[1:6]
t = time.perf_counter()
r = run_build([folder], Path(out), load_pipeline(pipeline), workers=int(workers),
              executor=executor)
seconds = time.perf_counter() - t
me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"seconds": seconds, "docs": r.manifest["counts"]["documents"]["in"],
                  "main_cpu": me.ru_utime + me.ru_stime,
                  "workers_cpu": kids.ru_utime + kids.ru_stime,
                  "timings": r.manifest["timings"]}))
"""


def corpus_folder(mb: float) -> tuple[Path, int]:
    folder = prepare(mb, 1)["b"]
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    return folder, size


def run_once(folder: Path, workers: int, executor: str, interval: float) -> dict:
    """One build in a subprocess; its result plus the peak RSS of its process tree."""
    pipeline = PIPELINE
    out = DATA / f"out-scale-{executor}-{workers}"
    cmd = [sys.executable, "-c", CHILD, str(folder), str(out), str(pipeline), str(workers),
           executor]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_memory(proc.pid))
        time.sleep(interval)
    stdout, stderr = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"build failed ({proc.returncode}):\n{stderr[-3000:]}")
    result = json.loads(stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - started
    result["rss_mb"] = peak / 2**20
    return result


def cpu_bound(one: dict, many: dict, workers: int) -> float:
    """The speed-up the CPU seconds allow on idle cores, whatever the load was.

    The run with *workers* cannot be shorter than its main process's CPU time, than
    its workers' CPU time spread over *workers*, nor than all of it spread over the
    machine's cores; the serial run's CPU time is what it is compared with.
    """
    cores = min(os.cpu_count() or 1, workers + 1)
    main, kids = many["main_cpu"], many["workers_cpu"]
    floor = max(main, kids / workers, (main + kids) / cores)
    return (one["main_cpu"] + one["workers_cpu"]) / floor


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,100", help="corpus sizes in MB (1000 = 1 GB)")
    parser.add_argument("--workers", default="1,2", help="worker counts to compare")
    parser.add_argument("--executors", default="local", help="local and/or ray")
    parser.add_argument("--interval", type=float, default=0.1, help="memory polling period (s)")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args()
    sizes = [float(s) for s in args.sizes.split(",")]
    workers = [int(w) for w in args.workers.split(",")]
    rows = []
    print(f"{'corpus':>8} {'MB in':>7} {'docs':>7} {'exec':>6} {'w':>2} {'s':>7} {'MB/s':>6} "
          f"{'mem MB':>7} {'main CPU':>8} {'wrk CPU':>8}", flush=True)
    for mb in sizes:
        folder, size = corpus_folder(mb)
        for executor in args.executors.split(","):
            for w in workers:
                res = run_once(folder, w, executor, args.interval)
                rows.append({"mb": mb, "bytes": size, "executor": executor, "workers": w, **res})
                print(f"{mb:>6g}MB {size / 1e6:>7.1f} {res['docs']:>7} {executor:>6} {w:>2} "
                      f"{res['seconds']:>7.1f} {size / 1e6 / res['seconds']:>6.2f} "
                      f"{res['rss_mb']:>7.0f} {res['main_cpu']:>8.1f} {res['workers_cpu']:>8.1f}",
                      flush=True)
    print()
    for executor in args.executors.split(","):
        mine = [r for r in rows if r["executor"] == executor]
        for mb in sizes:
            by_w = {r["workers"]: r for r in mine if r["mb"] == mb}
            if 1 in by_w:
                for w in sorted(by_w):
                    if w > 1:
                        # Ray's workers are the raylet's children: their CPU is not ours
                        many = by_w[w]
                        share = many["main_cpu"] / (many["main_cpu"] + many["workers_cpu"])
                        bound = (f"; on idle cores at most {cpu_bound(by_w[1], many, w):.2f}x; "
                                 f"main process {share:.0%} of the CPU s"
                                 if executor == "local" else "")
                        print(f"{executor} {mb:g} MB: speed-up {w} workers / 1 = "
                              f"{by_w[1]['seconds'] / by_w[w]['seconds']:.2f}x "
                              f"(target >= 1.7x for 2){bound}")
        for w in workers:
            same = [r for r in mine if r["workers"] == w]
            if len(same) > 1:
                print(f"{executor} workers={w}: peak memory (PSS) {same[-1]['mb']:g} MB / "
                      f"{same[0]['mb']:g} MB = {same[-1]['rss_mb'] / same[0]['rss_mb']:.2f}x "
                      "(target <= 1.5x)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
