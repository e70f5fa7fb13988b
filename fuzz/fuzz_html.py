"""atheris harness: the HTML path, bytes → charset → text → visible blocks → segments.

    .venv/bin/python fuzz/fuzz_html.py -max_total_time=60 [corpus_dir]
"""

from __future__ import annotations

import sys

import atheris
from fuzz_common import check_segments

with atheris.instrument_imports(include=["corpus"]):
    from corpus.ingest import html
    from corpus.ingest.decode import decode


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    main_content = fdp.ConsumeBool()
    raw = fdp.ConsumeBytes(fdp.remaining_bytes())
    decoded = decode(raw, declared=html.declared_charset(raw))
    if decoded.status is not None:
        return
    html.looks_like_html(decoded.text)
    page = html.extract(decoded.text, main_content=main_content)
    check_segments(page.text, page.segments)
    for seg in page.segments:
        if seg.kind not in ("title", "body", "boilerplate"):
            raise AssertionError(f"unknown segment kind {seg.kind!r}")


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
