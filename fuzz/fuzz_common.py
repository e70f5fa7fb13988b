"""Invariants the fuzz harnesses check on every input (shared by all of them).

A harness fails (libFuzzer reports a crash and saves the input) when the code under test
raises, or when its output breaks a promise: text that is not valid UTF-8, a status
outside ``kept`` / ``dropped:`` / ``error:``, an internal error, or a span that does not
index the text it claims to.
"""

from __future__ import annotations

from typing import Any


def check_utf8(text: str) -> None:
    text.encode("utf-8")  # lone surrogates cannot be written to the UTF-8 outputs


def check_segments(text: str, segments: list[Any]) -> None:
    check_utf8(text)
    for seg in segments:
        a, b = seg.span
        if not (0 <= a < b <= len(text)):
            raise AssertionError(f"span {seg.span} outside a text of {len(text)} characters")
        if text[a:b] != seg.text:
            raise AssertionError(f"span {seg.span} does not index the segment text")


def check_status(status: str) -> None:
    if status != "kept" and not status.startswith(("dropped:", "error:")):
        raise AssertionError(f"unknown status {status!r}")
    if status.startswith("error:internal"):
        raise AssertionError(status)
