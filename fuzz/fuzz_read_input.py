"""atheris harness: ``read_input`` on any file content (text, HTML, JSONL, gzip).

The bytes are written to a file whose name picks the format path (by extension, or
sniffed when there is none); every document that comes back must have a known status
and segments whose spans index its text.

    .venv/bin/python fuzz/fuzz_read_input.py -max_total_time=60 [corpus_dir]
"""

from __future__ import annotations

import gzip
import os
import sys
import tempfile

import atheris
from fuzz_common import check_segments, check_status

with atheris.instrument_imports(include=["corpus"]):
    from corpus.ingest import InputConfig, InputRef, read_input

NAMES = ["x.txt", "x.html", "x.jsonl", "x.txt.gz", "x.jsonl.gz", "x"]
CONFIG = InputConfig(max_decompressed_mb=4)
WORK = tempfile.mkdtemp(prefix="corpus-fuzz-")


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    name = NAMES[fdp.ConsumeIntInRange(0, len(NAMES) - 1)]
    compress = fdp.ConsumeBool()  # else the bytes go in as they are (maybe not gzip at all)
    body = fdp.ConsumeBytes(fdp.remaining_bytes())
    if name.endswith(".gz") and compress:
        body = gzip.compress(body, mtime=0)
    path = os.path.join(WORK, name)
    with open(path, "wb") as fh:
        fh.write(body)
    docs = list(read_input(InputRef.file(path), CONFIG))
    if not docs:
        raise AssertionError("an input produced no document at all")
    for doc in docs:
        check_status(doc.status)
        check_segments(doc.text, doc.segments)


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
