"""Write a small seed corpus for the fuzz harnesses: the repository's seeds/ plus inputs
of every shape the readers know (legacy charsets, UTF-16 without BOM, gzip, JSONL, HTML
with a lying meta charset). Seeds only steer the fuzzer; it mutates far beyond them.

    python fuzz/make_seeds.py DIR
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RU = "Правительство утвердило новую программу развития транспорта. Она рассчитана на годы."
EN = "The council approved the new budget after a long debate on Tuesday."


def seeds() -> dict[str, bytes]:
    page = f'<html><head><meta charset="utf-8"><title>Т</title></head><body><nav>Home</nav>' \
           f"<article><p>{RU}</p><p>{EN}</p></article><footer>©</footer></body></html>"
    jsonl = "\n".join(json.dumps(r, ensure_ascii=False) for r in
                      [{"id": 1, "text": RU}, {"text": EN, "url": "u"}, {"id": 3}]) + "\n{bad\n"
    return {
        "cp1251.txt": (RU + "\n").encode("cp1251"),
        "koi8.txt": (RU + "\n").encode("koi8-r"),
        "utf16.txt": (EN + "\n" + RU).encode("utf-16-le"),
        "utf8-bad.txt": EN.encode() + b"\xff\xfe" + RU.encode(),
        "nul.txt": EN.encode() + b"\x00" + EN.encode(),
        "lying.html": page.encode("cp1251"),
        "page.html": page.encode(),
        "nested.html": ("<div>" * 300 + "<p>" + EN).encode(),
        "records.jsonl": jsonl.encode(),
        "text.gz": gzip.compress((EN + "\n") .encode() * 20, mtime=0),
        "cut.gz": gzip.compress((RU + "\n").encode() * 20, mtime=0)[:60],
        "sjis.txt": "日本語のテキストです。二つ目の文。".encode("shift_jis"),
    }


def main(folder: str) -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for name, data in seeds().items():
        (out / name).write_bytes(data)
    for path in sorted((ROOT / "seeds").glob("*")):
        if path.is_file() and path.stat().st_size <= 65536:
            (out / f"seed-{path.name}").write_bytes(path.read_bytes())


if __name__ == "__main__":
    main(sys.argv[1])
