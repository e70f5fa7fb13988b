"""atheris harness: ``corpus.ingest.decode.decode`` on any bytes, any declared charset.

    .venv/bin/python fuzz/fuzz_decode.py -max_total_time=60 [corpus_dir]
"""

from __future__ import annotations

import sys

import atheris
from fuzz_common import check_utf8

with atheris.instrument_imports(include=["corpus"]):
    from corpus.ingest.decode import decode

LABELS = [None, "utf-8", "windows-1251", "iso-8859-1", "shift_jis", "gb2312", "koi8-r",
          "utf-16", "utf-7", "unicode_escape", "x-user-defined", "bogus"]


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    label = LABELS[fdp.ConsumeIntInRange(0, len(LABELS) - 1)]
    detect_bytes = fdp.ConsumeIntInRange(16, 4096)
    body = fdp.ConsumeBytes(fdp.remaining_bytes())
    decoded = decode(body, declared=label, detect_bytes=detect_bytes)
    if decoded.status is None:
        if not decoded.encoding:
            raise AssertionError("decoded text without an encoding")
        check_utf8(decoded.text)
    elif not decoded.status.startswith("dropped:") or decoded.text:
        raise AssertionError(f"bad rejection {decoded.status!r}")


if __name__ == "__main__":
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()
