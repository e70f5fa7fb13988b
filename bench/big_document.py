"""One very large document: does it build, in how much memory, in how many parts?

    python bench/big_document.py                 # 20 MB, a text file and a JSONL record, -j2
    python bench/big_document.py --mb 200 --forms text

The text is ``make_corpus.py``'s realistic pages (see bench/build.py), concatenated into
one plain-text file and into one single-line JSONL record: nothing in them is a page
boundary the reader can see, so the document is cut into ``[input] max_document_mb``
parts. Each build runs ``corpus build -p pipelines/clean.toml`` (audit included) in a
fresh process; memory is sampled every 50 ms as PSS, for the whole process tree, the
main process and the largest worker. The share of segments kept is printed beside the
share kept when the same pages are built as separate documents: a dump of pages is not
one page, and should keep about as much.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import DATA, PIPELINE, documents, prepare, pss  # bench/build.py


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def make_inputs(mb: float) -> dict[str, Path]:
    base = DATA / f"big-document-{mb:g}mb"
    paths = {"text": base / "text" / "one.txt", "jsonl": base / "jsonl" / "one.jsonl"}
    if all(p.exists() for p in paths.values()):
        return paths
    texts = [d["text"] for d in documents(prepare(mb, 1)["b"])]
    for path in paths.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    paths["text"].write_text("\n".join(texts), encoding="utf-8")
    record = {"id": "one", "text": "\n".join(texts)}
    paths["jsonl"].write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    return paths


def run(path: Path, workers: int) -> dict:
    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        out = Path(tmp) / "out"
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "corpus", "build", str(path), "-o",
                                 str(out), "-p", str(PIPELINE), "-q", "-j", str(workers)])
        peak = {"tree": 0, "main": 0, "worker": 0}

        def sample() -> None:
            while proc.poll() is None:
                main = pss(proc.pid)
                kids = [pss(c) for c in children(proc.pid)]
                peak["tree"] = max(peak["tree"], main + sum(kids))
                peak["main"] = max(peak["main"], main)
                peak["worker"] = max([peak["worker"], *kids])
                time.sleep(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        code = proc.wait()
        wall = time.perf_counter() - started
        sampler.join()
        if code != 0:
            return {"code": code, "wall": wall, **peak}
        lines = (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()
        docs = [json.loads(line) for line in lines]
        segments = json.loads((out / "manifest.json").read_text())["counts"]["segments"]
        return {"code": 0, "wall": wall, "parts": max((d.get("parts", 1) for d in docs),
                                                       default=0),
                "kept": segments["kept"] / max(segments["total"], 1), **peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=20.0)
    parser.add_argument("--forms", default="text,jsonl")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-pages", dest="pages", action="store_false",
                        help="skip the build of the same pages as separate documents")
    args = parser.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    paths = make_inputs(args.mb)
    for form in args.forms.split(","):
        size = paths[form].stat().st_size / 1e6
        r = run(paths[form], args.workers)
        mib = {k: r[k] / 2**20 for k in ("tree", "main", "worker")}
        status = "completed" if r["code"] == 0 else f"FAILED (exit {r['code']})"
        print(f"{form:5} {size:6.1f} MB, -j{args.workers}: {status} in {r['wall']:.0f} s, "
              f"{r.get('parts', '?')} parts, {100 * r.get('kept', 0):.1f} % of segments "
              f"kept; peak PSS {mib['tree']:.0f} MiB (main {mib['main']:.0f}, largest "
              f"worker {mib['worker']:.0f})", flush=True)
    if args.pages:  # the same pages as separate documents: what a dump should keep
        r = run(prepare(args.mb, 1)["b"], args.workers)
        print(f"the same pages one by one: {100 * r.get('kept', 0):.1f} % of segments kept",
              flush=True)


if __name__ == "__main__":
    main()
