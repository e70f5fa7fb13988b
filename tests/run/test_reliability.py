"""Issue 7 acceptance: one folder holding every bad input, one `corpus build` run.

The run goes through the real command line in a subprocess (so a crash, a traceback or
a stray warning on the terminal is seen as a user would see it) and must exit 0 with
every input in the manifest under the right status, the good text of partly-bad inputs
in the corpus, and counts that add up.

Per-input behaviour is tested at the reader level in tests/test_bad_inputs.py and
tests/test_ingest.py; this file checks that the whole pipeline (steps, writer, manifest,
summary) carries those results through. The single huge line is 20 MB here (the 200 MB
case, with its memory bound, is tests/test_bad_inputs.py::test_huge_single_line...).
"""

from __future__ import annotations

import gzip
import json
import os
import random
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pipeline_files import PER_DOCUMENT

pytestmark = pytest.mark.slow  # one build over every kind of bad input, in a subprocess

HUGE_LINE_MB = 20
MEMORY_LIMIT = 8 << 30  # address space for the run: a runaway fails here, not the machine

EN = "The council approved the new budget after a long debate on Tuesday."
EN2 = "Prices for fresh vegetables rose sharply across the region this spring."
DE = "Der Stadtrat hat den neuen Haushalt nach einer langen Debatte gebilligt."
DE2 = "Das Museum öffnet im nächsten Monat mit einer Ausstellung früher Fotografien."
RU = "Правительство России утвердило новую программу развития транспорта."
RU2 = "Она рассчитана на десять лет и затронет все регионы страны."
UK = "Уряд України затвердив нову програму розвитку транспорту на десять років."
FR = "L'exposition présente des peintures de trois siècles et ouvre en mars."
ES = "El ayuntamiento aprobó el nuevo presupuesto tras un largo debate el martes."

PIPELINE = (
    "[input]\nmax_decompressed_mb = 2    # the gzip bomb below inflates to 8 MB\n" + PER_DOCUMENT
)

# The script the test runs instead of `corpus`: the real CLI, plus one hook that removes
# a file after the inputs were listed and before it is read (a scraper cleaning up under
# a running build). Everything else is untouched.
DRIVER = """
import os, sys
import corpus.run.runner as pipeline
from corpus.cli import main

_expand = pipeline.expand_inputs

def expand_then_remove(*args, **kwargs):
    refs = _expand(*args, **kwargs)
    os.unlink(os.environ["CORPUS_TEST_VANISH"])
    return refs

pipeline.expand_inputs = expand_then_remove
sys.argv[0] = "corpus"
main()
"""

NON_UTF8_NAME = b"caf\xe9-\xff.txt"
PROC_MEM = os.path.exists("/proc/self/mem")


def make_bad_folder(d: Path) -> dict[str, Any]:
    """Every bad input of issue 7 (and the good text hidden in them); returns facts."""
    d.mkdir()
    (d / "empty.txt").write_bytes(b"")
    (d / "blank.txt").write_bytes(b" \n\t\r\n   \n")
    (d / "noise.bin").write_bytes(random.Random(7).randbytes(4096))
    (d / "nul.txt").write_bytes(f"{EN}\x00 {EN2}\n".encode())
    (d / "bad-utf8.txt").write_bytes(
        f"{DE}\n".encode() + b"Kaputt: \xff\xfe\xc3 hier.\n" + f"{DE2}\n".encode()
    )
    (d / "mislabelled.html").write_bytes(
        ('<html><head><meta charset="utf-8"><title>Новости</title></head><body>'
         f"<article><p>{RU} {RU2}</p></article></body></html>").encode("cp1251")
    )
    (d / "utf16-nobom.txt").write_bytes(f"{UK}\n{EN2}\n".encode("utf-16-le"))
    chunk = (EN + " ").encode()
    with open(d / "one-line.txt", "wb") as f:
        f.write(chunk * ((HUGE_LINE_MB << 20) // len(chunk)))
    whole = gzip.compress(f"{FR}\n".encode() * 3000, mtime=0)
    (d / "cut.txt.gz").write_bytes(whole[: len(whole) // 2])
    (d / "bomb.txt.gz").write_bytes(gzip.compress(b"\0" * (8 << 20), mtime=0))
    (d / "records.jsonl").write_text(
        "\n".join([
            json.dumps({"id": "r1", "text": ES}, ensure_ascii=False),
            '{"id": "r2", "text": "unterminated',
            json.dumps({"id": "r3", "title": "a record without text"}),
            json.dumps({"id": "r4", "text": 42}),
            "[1, 2, 3]",
            json.dumps({"id": "r6", "text": DE2}, ensure_ascii=False),
        ]) + "\n",
        encoding="utf-8",
    )
    (d / "nested.html").write_text(
        f"<html><body><div><p>{EN2}</p>" + "<div><span><b>" * 6000 + "unclosed <i>tags",
        encoding="utf-8",
    )
    (d / "secret.txt").write_text(f"{EN}\n", encoding="utf-8")
    (d / "secret.txt").chmod(0)
    if PROC_MEM:  # opens fine, reading fails with EIO, for root too: an unreadable file
        (d / "io-error.txt").symlink_to("/proc/self/mem")
    (d / "loop").symlink_to(".")
    (d / "self-link").symlink_to("self-link")
    os.mkfifo(d / "pipe")
    with open(os.path.join(os.fsencode(d), NON_UTF8_NAME), "wb") as f:
        f.write(f"{FR}\n".encode())
    (d / "vanishing.txt").write_text(f"{EN}\n", encoding="utf-8")
    return {"huge_bytes": (d / "one-line.txt").stat().st_size}


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> dict[str, Any]:
    base = tmp_path_factory.mktemp("reliability")
    folder = base / "in"
    facts = make_bad_folder(folder)
    (base / "pipeline.toml").write_text(PIPELINE, encoding="utf-8")
    (base / "driver.py").write_text(DRIVER, encoding="utf-8")
    out = base / "out"
    env = {**os.environ, "CORPUS_TEST_VANISH": str(folder / "vanishing.txt"),
           "PYTHONWARNINGS": "default"}
    try:
        proc = subprocess.run(
            [sys.executable, str(base / "driver.py"), "build", str(folder), "-o", str(out),
             "-p", str(base / "pipeline.toml"), "-j", "2"],
            capture_output=True, text=True, env=env, timeout=900, preexec_fn=_limit_memory,
        )
    finally:
        (folder / "secret.txt").chmod(0o644)  # so tmp_path can be cleaned up
    manifest = {}
    if (out / "manifest.json").exists():
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {"proc": proc, "out": out, "folder": folder, "manifest": manifest, **facts}


def by_name(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {os.path.basename(entry["path"]): entry for entry in manifest["inputs"]}


def test_exit_0_and_no_traceback(run):
    proc = run["proc"]
    assert proc.returncode == 0, proc.stderr[-3000:]
    for stream in (proc.stdout, proc.stderr):
        assert "Traceback" not in stream and "Error" not in stream, stream[-3000:]
    # the summary counts what was not kept
    assert "documents:" in proc.stdout and "errors" in proc.stdout


def test_every_input_has_the_right_status(run):
    entries = by_name(run["manifest"])
    secret_readable = os.geteuid() == 0  # root reads a chmod-0 file: then it is just text
    expected = {
        "empty.txt": "dropped:empty",
        "blank.txt": "dropped:whitespace_only",
        "noise.bin": "dropped:binary",
        "nul.txt": "kept",
        "bad-utf8.txt": "kept",
        "mislabelled.html": "kept",
        "utf16-nobom.txt": "kept",
        "one-line.txt": "kept",
        "cut.txt.gz": "kept",
        "bomb.txt.gz": "dropped:too_large",
        "records.jsonl": "kept",
        "nested.html": "kept",
        "secret.txt": "kept" if secret_readable else "error:unreadable: Permission denied",
        "loop": "dropped:symlink_loop",
        "self-link": "dropped:symlink_loop",
        "pipe": "dropped:not_a_regular_file",
        "caf\\xe9-\\xff.txt": "kept",
        "vanishing.txt": "error:vanished: the file disappeared before it was read",
    }
    if PROC_MEM:
        expected["io-error.txt"] = "error:unreadable: Input/output error"
    assert {name: e["status"] for name, e in entries.items()} == expected
    # every entry on disk is in the manifest (the vanished one was listed, then removed)
    on_disk = {os.fsdecode(n) for n in os.listdir(os.fsencode(run["folder"]))}
    assert len(on_disk) + 1 == len(entries)


def test_notes_say_what_was_repaired(run):
    entries = by_name(run["manifest"])
    assert entries["mislabelled.html"]["encoding"] == "cp1251"
    assert entries["utf16-nobom.txt"]["encoding"] == "utf-16-le"
    # the broken line is replaced (U+FFFD) or decoded as a second encoding: either way noted
    assert any("U+FFFD" in n or "mixed encodings" in n for n in entries["bad-utf8.txt"]["notes"])
    assert any("truncated gzip stream" in n for n in entries["cut.txt.gz"]["notes"])
    assert any("over 2 MB" in n for n in entries["bomb.txt.gz"]["notes"])


def test_jsonl_records_each_accounted_for_with_line_numbers(run):
    records = by_name(run["manifest"])["records.jsonl"]["records"]
    assert [(r["record"], r["status"].split(" (")[0]) for r in records] == [
        (1, "kept"),
        (2, "error:invalid JSON at line 2: Unterminated string starting at"),
        (3, "dropped:no_text_field"),
        (4, "dropped:no_text_field"),
        (5, "error:invalid JSON at line 5: expected an object, got list"),
        (6, "kept"),
    ]


def test_counts_add_up(run):
    manifest = run["manifest"]
    docs = manifest["counts"]["documents"]
    assert docs["in"] == docs["kept"] + docs["dropped"] + docs["error"]
    assert docs["in"] == sum(e["documents"] for e in manifest["inputs"])
    assert sum(docs["by_reason"].values()) == docs["dropped"] + docs["error"]
    lines = (run["out"] / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == docs["in"]
    sentences = (run["out"] / "sentences.jsonl").read_text(encoding="utf-8").count("\n")
    assert sentences == manifest["counts"]["sentences"]["total"]


def test_good_text_of_partly_bad_inputs_is_kept(run):
    mono = {p.stem: p.read_text(encoding="utf-8").splitlines()
            for p in (run["out"] / "mono").iterdir()}
    everything = set().union(*mono.values())
    assert EN2 in everything  # after the NUL byte, and inside the broken HTML
    assert {DE, DE2} <= set(mono["de"])  # around the invalid UTF-8, and a JSONL record
    assert {RU, RU2} <= set(mono["ru"])  # the page that lied about its charset
    assert UK in mono["uk"]  # UTF-16 without a byte order mark
    assert FR in mono["fr"]  # the start of the truncated gzip, and the non-UTF-8 name
    assert ES in mono["es"]  # the good JSONL record before the broken ones
    chars = run["manifest"]["counts"]["sentences"]["characters_by_lang"]["en"]
    assert chars >= 0.95 * run["huge_bytes"]  # the 20 MB line, not truncated


def test_outputs_are_valid_utf8_and_complete(run):
    out = run["out"]
    assert not list(out.glob(".staging-*"))
    for path in out.rglob("*"):
        if path.is_file() and not path.name.endswith(".pkl"):
            path.read_bytes().decode("utf-8")  # strict: no surrogates, no raw bytes
    for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines():
        json.loads(line)
