"""Benchmark the build pipeline (no translation) on a synthetic multilingual corpus.

    python bench/build.py               # 50 MB and 10 MB corpora: MB/s, docs/s, peak RSS
    python bench/build.py --mb 5 --quick

The corpus is generated (not committed) under bench/_data/: web-page-like plain-text
files in eight languages, each a few article paragraphs wrapped in navigation lines,
share prompts, credits and a stray foreign UI string, plus JSONL and gzip files. Each
size is built in a fresh subprocess so its peak RSS is its own; the ratio of the peaks
shows whether memory grows with corpus size (it should not: the pipeline streams).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "_data"

SENTENCES = {
    "en": [
        "The city council approved the new budget after a long debate on Tuesday.",
        "Researchers say the results could change how hospitals treat the disease.",
        "Prices for fresh vegetables rose sharply across the region this spring.",
        "The museum will reopen next month with an exhibition of early photographs.",
        "Officials expect the bridge to carry more than twenty thousand cars a day.",
        "Local farmers have struggled with the dry weather for the third year in a row.",
    ],
    "ru": [
        "Городской совет утвердил новый бюджет после долгого обсуждения во вторник.",
        "Исследователи считают, что результаты могут изменить подход больниц к лечению.",
        "Цены на свежие овощи весной резко выросли по всему региону.",
        "Музей откроется в следующем месяце выставкой ранних фотографий.",
        "Чиновники ожидают, что мост будет пропускать более двадцати тысяч машин в день.",
    ],
    "uk": [
        "Міська рада затвердила новий бюджет після тривалого обговорення у вівторок.",
        "Дослідники вважають, що результати можуть змінити підхід лікарень до лікування.",
        "Ціни на свіжі овочі навесні різко зросли по всьому регіону.",
        "Музей відкриється наступного місяця виставкою ранніх фотографій.",
    ],
    "de": [
        "Der Stadtrat hat den neuen Haushalt nach einer langen Debatte am Dienstag gebilligt.",
        "Forscher sagen, die Ergebnisse könnten die Behandlung in Krankenhäusern verändern.",
        "Die Preise für frisches Gemüse sind in diesem Frühjahr stark gestiegen.",
        "Das Museum öffnet im nächsten Monat mit einer Ausstellung früher Fotografien.",
    ],
    "fr": [
        "Le conseil municipal a approuvé le nouveau budget après un long débat mardi.",
        "Les chercheurs estiment que les résultats pourraient changer les traitements.",
        "Les prix des légumes frais ont fortement augmenté dans la région ce printemps.",
        "Le musée rouvrira le mois prochain avec une exposition de photographies anciennes.",
    ],
    "es": [
        "El ayuntamiento aprobó el nuevo presupuesto tras un largo debate el martes.",
        "Los investigadores dicen que los resultados podrían cambiar los tratamientos.",
        "Los precios de las verduras frescas subieron mucho en la región esta primavera.",
        "El museo reabrirá el próximo mes con una exposición de fotografías antiguas.",
    ],
    "bg": [
        "Общинският съвет одобри новия бюджет след дълъг дебат във вторник.",
        "Изследователите смятат, че резултатите могат да променят лечението в болниците.",
        "Цените на пресните зеленчуци рязко се повишиха в региона тази пролет.",
    ],
    "pl": [
        "Rada miasta zatwierdziła nowy budżet po długiej debacie we wtorek.",
        "Naukowcy twierdzą, że wyniki mogą zmienić sposób leczenia w szpitalach.",
        "Ceny świeżych warzyw gwałtownie wzrosły w regionie tej wiosny.",
    ],
}
FURNITURE = ["Home", "News", "World", "Subscribe", "Share", "0", "log in or register",
             "© Photo agency / J. Smith", "READ MORE: Another story you may like",
             "Cookies help us deliver our services.", "Заголовок открываемого материала"]


def page(rng: random.Random, lang: str, n_par: int) -> str:
    lines = rng.sample(FURNITURE, 4)
    for _ in range(n_par):
        lines.append(" ".join(rng.choice(SENTENCES[lang]) for _ in range(rng.randint(2, 6))))
    lines += rng.sample(FURNITURE, 3)
    return "\n".join(lines) + "\n"


def generate(target_mb: float, folder: Path, seed: int = 1) -> tuple[int, int]:
    """Write ~target_mb of inputs into *folder*; return (bytes, documents)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    langs = sorted(SENTENCES)
    total = docs = 0
    n = 0
    while total < target_mb * 1e6:
        lang = langs[n % len(langs)]
        n += 1
        if n % 10 == 0:  # a JSONL file of 20 records
            path = folder / f"batch{n:06d}.jsonl"
            rows = [json.dumps({"id": f"r{n}-{i}", "text": page(rng, lang, 6)}, ensure_ascii=False)
                    for i in range(20)]
            data = ("\n".join(rows) + "\n").encode()
            path.write_bytes(data)
            docs += 20
        elif n % 10 == 5:
            path = folder / f"page{n:06d}.txt.gz"
            data = page(rng, lang, 12).encode()
            path.write_bytes(gzip.compress(data, mtime=0))
            docs += 1
        else:
            path = folder / f"page{n:06d}.txt"
            data = page(rng, lang, 12).encode()
            path.write_bytes(data)
            docs += 1
        total += len(data)
    return total, docs


# the shipped pipeline without translation, minus the audit (measured separately)
PIPELINE = (ROOT / "pipelines" / "clean.toml").read_text(encoding="utf-8").replace(
    "audit = true", "audit = false"
)


def run_once(folder: Path, out: Path) -> dict:
    """Build *folder* in a subprocess; return wall time and the child's peak RSS."""
    pipeline = DATA / "bench-pipeline.toml"
    pipeline.write_text(PIPELINE)
    code = (
        "import sys, resource, time; from pathlib import Path;"
        "from corpus.config import load_pipeline; from corpus.run.runner import run_build;"
        "t=time.perf_counter();"
        f"r=run_build([{str(folder)!r}], Path({str(out)!r}), load_pipeline({str(pipeline)!r}));"
        "u=resource.getrusage(resource.RUSAGE_SELF);"
        "print(time.perf_counter()-t, u.ru_maxrss, r.manifest['counts']['documents']['in'],"
        " time.process_time())"
    )
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, rss_kb, docs, cpu = res.stdout.split()
    return {"seconds": float(seconds), "rss_mb": int(rss_kb) / 1024, "docs": int(docs),
            "cpu": float(cpu)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0, help="size of the large corpus")
    parser.add_argument("--small-mb", type=float, default=10.0, help="size of the small corpus")
    parser.add_argument("--quick", action="store_true", help="5 MB and 1 MB")
    args = parser.parse_args()
    if args.quick:
        args.mb, args.small_mb = 5.0, 1.0
    rows = []
    for mb in (args.small_mb, args.mb):
        folder = DATA / f"build-{mb:g}mb"
        if not folder.exists():
            size, _ = generate(mb, folder)
        else:  # text bytes, as generate() counts them (a .gz file counts uncompressed)
            size = sum(len(gzip.decompress(p.read_bytes())) if p.suffix == ".gz"
                       else p.stat().st_size for p in folder.iterdir())
        res = run_once(folder, DATA / f"out-{mb:g}mb")
        rows.append((mb, size, res))
    # CPU seconds of the build process as well: on a shared machine the wall clock also
    # counts time the process waited for a core, CPU time is what one core spent
    header = ("corpus", "MB in", "docs", "s", "MB/s", "docs/s", "CPU s", "MB/CPU s", "RSS MB")
    print("{:>8} {:>8} {:>8} {:>8} {:>7} {:>8} {:>8} {:>9} {:>8}".format(*header))
    for mb, size, res in rows:
        print(f"{mb:>6g}MB {size / 1e6:>8.1f} {res['docs']:>8} {res['seconds']:>8.1f} "
              f"{size / 1e6 / res['seconds']:>7.2f} {res['docs'] / res['seconds']:>8.0f} "
              f"{res['cpu']:>8.1f} {size / 1e6 / res['cpu']:>9.2f} {res['rss_mb']:>8.0f}")
    (small_mb, _, small), (big_mb, _, big) = rows
    print(f"peak RSS ratio {big_mb:g} MB / {small_mb:g} MB: {big['rss_mb'] / small['rss_mb']:.2f}")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(bench process itself: {own:.0f} MB, {time.process_time():.1f} s CPU)")


if __name__ == "__main__":
    main()
