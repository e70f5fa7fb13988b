"""Near-duplicate detection: quality and cost on a generated corpus with planted copies.

    .venv/bin/python bench/dedup.py            # 10k and 100k documents, both engines
    .venv/bin/python bench/dedup.py --quick    # 10k only

The corpus is generated (seeded, streamed: never held in memory). Documents are 3-8
paragraphs of Zipf-distributed words on one of 300 "sites", each site with its own header
and footer lines. Planted near-duplicates follow their original 1-3000 documents later:

* ``edit``        1-3% of words substituted, inserted or deleted
* ``reorder``     paragraphs shuffled
* ``boilerplate`` same body under another site's header and footer, plus a date line
* ``mixed``       paragraphs shuffled and 1% of words edited

and hard negatives that must *not* be flagged: documents quoting one paragraph of an
earlier one, and every pair of documents of one site (shared boilerplate).

Metrics: recall = planted copies dropped as a duplicate of a document of their own
cluster; precision = drops that point into the right cluster. Throughput counts dedup
time only (generation excluded); peak RSS is the process maximum, shown with the RSS of a
run that only generates (``floor``), since the difference is what the index costs.

Engines: ``numpy`` is corpus.stages.dedup.minhash; ``datasketch`` is the same shingles through
``datasketch.MinHash.bulk`` + ``MinHashLSH``, with candidates verified on the stored
MinHashes so both answer the same question. Each run is its own process (for RSS).
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import resource
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

THRESHOLD = 0.6
KINDS = ("edit", "reorder", "boilerplate", "mixed")


class Generator:
    """A seeded stream of (doc_id, text); ``cluster[id]`` names planted copies' clusters."""

    def __init__(self, docs: int, seed: int = 7, dup_rate: float = 0.15) -> None:
        self.n, self.rng, self.dup_rate = docs, random.Random(seed), dup_rate
        rng = self.rng
        letters = "abcdefghijklmnopqrstuvwxyzäöüéè"
        self.vocab = ["".join(rng.choice(letters) for _ in range(rng.randint(2, 11)))
                      for _ in range(60_000)]
        self.cum = _zipf_cumulative(len(self.vocab))
        self.sites = [(self._sentence(8, 30), self._sentence(10, 35)) for _ in range(300)]
        self.cluster: dict[str, str] = {}  # planted docs (and originals) -> cluster id
        self.kind: dict[str, str] = {}  # planted copy -> kind
        self.jaccard: dict[str, float] = {}  # planted copy -> true Jaccard with its original
        self.negatives = 0
        self._quote = ""

    def _words(self, n: int) -> list[str]:
        rng = self.rng
        return [self.vocab[bisect.bisect_left(self.cum, rng.random())] for _ in range(n)]

    def _sentence(self, lo: int, hi: int) -> str:
        return " ".join(self._words(self.rng.randint(lo, hi)))

    def _body(self) -> list[str]:
        rng = self.rng
        return [". ".join(self._sentence(6, 20) for _ in range(rng.randint(2, 5))) + "."
                for _ in range(rng.randint(3, 9))]

    def _page(self, site: int, body: list[str], date: str) -> str:
        head, foot = self.sites[site]
        return "\n".join([head, date, *body, foot])

    def _edit(self, body: list[str], rate: float) -> list[str]:
        rng, out = self.rng, []
        for para in body:
            words = para.split(" ")
            for _ in range(max(0, round(len(words) * rate * rng.uniform(0.5, 1.5)))):
                i = rng.randrange(len(words))
                op = rng.random()
                if op < 0.6:
                    words[i] = self._words(1)[0]
                elif op < 0.8:
                    words.insert(i, self._words(1)[0])
                elif len(words) > 3:
                    del words[i]
            out.append(" ".join(words))
        return out

    def __iter__(self) -> Iterator[tuple[str, str]]:
        rng = self.rng
        pending: dict[int, list[tuple[str, str]]] = {}
        made = 0
        for pos in range(self.n):
            due = pending.pop(pos, None)
            if due:
                for item in due:
                    yield item
                    made += 1
                continue
            doc_id = f"d{pos:07d}"
            site, body = rng.randrange(len(self.sites)), self._body()
            if self._quote and rng.random() < 0.03:  # hard negative: quotes an old paragraph
                body[rng.randrange(len(body))] = self._quote
                self.negatives += 1
            self._quote = rng.choice(body)
            date = f"{rng.randint(1, 28)}.{rng.randint(1, 12)}.20{rng.randint(10, 25)}"
            yield doc_id, self._page(site, body, date)
            made += 1
            if rng.random() < self.dup_rate:
                kind = rng.choice(KINDS)
                copy = list(body)
                copy_site, copy_date = site, date
                if kind == "edit":
                    copy = self._edit(copy, rng.uniform(0.01, 0.03))
                elif kind in ("reorder", "mixed"):
                    while len(copy) > 1 and copy == body:
                        rng.shuffle(copy)
                    if kind == "mixed":
                        copy = self._edit(copy, 0.01)
                else:
                    copy_site = (site + rng.randrange(1, len(self.sites))) % len(self.sites)
                    copy_date = f"{rng.randint(1, 28)}.{rng.randint(1, 12)}.2026"
                at = pos + rng.randint(1, 3000)
                if at < self.n:
                    copy_id = f"c{pos:07d}"  # unique: one copy per original at most
                    page = self._page(copy_site, copy, copy_date)
                    self.cluster[doc_id] = doc_id
                    self.cluster[copy_id] = doc_id
                    self.kind[copy_id] = kind
                    self.jaccard[copy_id] = _jaccard(self._page(site, body, date), page)
                    pending.setdefault(at, []).append((copy_id, page))


def _jaccard(a: str, b: str) -> float:
    """Exact Jaccard of the two texts' word 5-gram sets (the engines estimate this)."""
    import numpy as np

    from corpus.stages.dedup.minhash import shingle_hashes

    x, y = shingle_hashes(a), shingle_hashes(b)
    inter = len(np.intersect1d(x, y, assume_unique=True))
    return inter / (len(x) + len(y) - inter)


def _zipf_cumulative(n: int, s: float = 1.05) -> list[float]:
    weights = [1.0 / (i + 1) ** s for i in range(n)]
    total, acc, out = sum(weights), 0.0, []
    for w in weights:
        acc += w / total
        out.append(acc)
    out[-1] = 1.0
    return out


class NumpyEngine:
    def __init__(self) -> None:
        from corpus.stages.dedup.minhash import NearDupIndex

        self.index = NearDupIndex(THRESHOLD)
        print(f"bands {self.index.bands} x rows {self.index.rows}", file=sys.stderr)

    def add_batch(self, items: list[tuple[str, str]]) -> list[str | None]:
        return [v.duplicate_of for v in self.index.add_batch(items)]


class DatasketchEngine:
    """The straightforward datasketch pipeline, verified like ours (same semantics)."""

    def __init__(self) -> None:
        from datasketch import MinHash, MinHashLSH

        from corpus.words import words

        self.MinHash, self.words = MinHash, words
        self.lsh = MinHashLSH(threshold=THRESHOLD, num_perm=128)
        self.kept: dict[str, object] = {}

    def _shingles(self, text: str) -> list[bytes]:
        w = self.words(text.casefold())
        n = min(5, len(w))
        return sorted({" ".join(w[i : i + n]).encode() for i in range(len(w) - n + 1)})

    def add_batch(self, items: list[tuple[str, str]]) -> list[str | None]:
        sigs = self.MinHash.bulk([self._shingles(t) for _, t in items], num_perm=128, seed=1)
        out: list[str | None] = []
        for (key, _), mh in zip(items, sigs, strict=True):
            best, best_sim = None, 0.0
            for cand in sorted(self.lsh.query(mh)):
                sim = mh.jaccard(self.kept[cand])
                if sim > best_sim:
                    best, best_sim = cand, sim
            if best is not None and best_sim >= THRESHOLD:
                out.append(best)
            else:
                self.lsh.insert(key, mh)
                self.kept[key] = mh
                out.append(None)
        return out


def worker(engine_name: str, docs: int, seed: int) -> dict[str, object]:
    gen = Generator(docs, seed)
    engine = {"numpy": NumpyEngine, "datasketch": DatasketchEngine, "none": None}[engine_name]
    index = engine() if engine else None
    spent, found = 0.0, {}
    batch: list[tuple[str, str]] = []

    def flush() -> None:
        nonlocal spent
        if index is None or not batch:
            batch.clear()
            return
        t0 = time.perf_counter()
        verdicts = index.add_batch(batch)
        spent += time.perf_counter() - t0
        for (key, _), dup in zip(batch, verdicts, strict=True):
            if dup is not None:
                found[key] = dup
        batch.clear()

    total = 0
    for item in gen:
        batch.append(item)
        total += 1
        if len(batch) >= 256:
            flush()
    flush()
    index_bytes = getattr(getattr(index, "index", None), "nbytes", None)
    planted = set(gen.kind)
    right = {k for k, v in found.items() if k in planted and gen.cluster.get(v) == gen.cluster[k]}
    by_kind = Counter(gen.kind[k] for k in right)
    above = [k for k in planted if gen.jaccard[k] >= THRESHOLD]
    jac = sorted(gen.jaccard.values())
    return {
        "engine": engine_name,
        "docs": total,
        "planted": len(planted),
        "hard_negatives": gen.negatives,
        "dropped": len(found),
        "recall": round(len(right) / len(planted), 4) if planted else None,
        "precision": round(len(right) / len(found), 4) if found else None,
        "planted_true_j_ge_threshold": len(above),
        "recall_true_j_ge_threshold": round(sum(k in right for k in above) / len(above), 4)
        if above else None,
        "true_j_p5_p50": [round(jac[len(jac) // 20], 3), round(jac[len(jac) // 2], 3)]
        if jac else None,
        "recall_by_kind": {
            k: round(by_kind[k] / max(1, sum(1 for v in gen.kind.values() if v == k)), 4)
            for k in KINDS
        },
        "seconds": round(spent, 2),
        "docs_per_s": round(total / spent) if spent else None,
        "index_array_mb": round(index_bytes / 2**20, 1) if index_bytes else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def run(engine: str, docs: int, seed: int) -> dict[str, object]:
    cmd = [sys.executable, __file__, "--worker", engine, "--docs", str(docs), "--seed", str(seed),
           "--threshold", str(THRESHOLD)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    global THRESHOLD
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="10k documents only")
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--engines", default="numpy,datasketch")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--threshold", type=float, default=THRESHOLD)
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--docs", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    THRESHOLD = args.threshold
    if args.worker:
        print(json.dumps(worker(args.worker, args.docs, args.seed)))
        return
    sizes = [10_000] if args.quick else [int(s) for s in args.sizes.split(",")]
    engines = args.engines.split(",")
    rows = []
    for size in sizes:
        floor = run("none", size, args.seed)
        for engine in engines:
            r = run(engine, size, args.seed)
            r["index_mb"] = round(r["peak_rss_mb"] - floor["peak_rss_mb"], 1)  # type: ignore[operator]
            rows.append(r)
            print(json.dumps(r), file=sys.stderr)
    print(f"threshold {THRESHOLD}, word 5-grams, 128 permutations, seed {args.seed}\n")
    print("| engine | docs | planted | recall | precision | edit / reorder / boilerplate / "
          "mixed | docs/s | peak RSS MB | RSS over generate-only MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        kinds = " / ".join(f"{r['recall_by_kind'][k]:.3f}" for k in KINDS)  # type: ignore[index]
        print(f"| {r['engine']} | {r['docs']} | {r['planted']} | {r['recall']} | "
              f"{r['precision']} | {kinds} | {r['docs_per_s']} | {r['peak_rss_mb']} | "
              f"{r['index_mb']} |")
    base = {r["docs"]: r for r in rows if r["engine"] == "datasketch"}
    for r in rows:
        b = base.get(r["docs"])
        if r["engine"] == "numpy" and b and b["docs_per_s"]:
            print(f"\n{r['docs']} docs: numpy/datasketch throughput x"
                  f"{r['docs_per_s'] / b['docs_per_s']:.2f}, index memory "  # type: ignore[operator]
                  f"{r['index_mb']} vs {b['index_mb']} MB")


if __name__ == "__main__":
    main()
