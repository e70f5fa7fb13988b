"""Faults and security (issue 7, points 3 and 5).

* Out of space while writing: `corpus build` exits 1 with one clear line, no traceback,
  OUT exactly as the previous run left it, and `--resume` completes once space is back.
  Two ways: a byte budget injected under `open` (runs everywhere), and a real small tmpfs
  in a private mount namespace (`unshare -Urm`; skipped where namespaces are not allowed).
* Names: language codes become file names only through `_safe`, so crafted codes cannot
  reach outside OUT; JSONL ids are data, never paths.

kill -9 + --resume is tests/test_scale.py; HTML escaping of scraped text is
tests/test_audit.py::test_html_escapes_all_scraped_text; corrupt translation caches and
models are tests/test_translate.py's.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from pipeline_files import PER_DOCUMENT

from corpus.cli import cli
from corpus.config import OutputConfig
from corpus.records import Document, Segment, Sentence, Source, Translation
from corpus.writers.corpus_writer import CorpusWriter

PIPELINE = PER_DOCUMENT + "[output]\naudit = true\n"
WORDS = {
    "en": ("the council approved new budget after long debate prices rose sharply across "
           "region museum will reopen next month with exhibition of early photographs"),
    "de": ("der stadtrat hat den neuen haushalt nach einer langen debatte gebilligt die "
           "preise sind in diesem frühjahr stark gestiegen museum öffnet"),
}


def make_inputs(folder: Path, files: int, seed: int) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    for n in range(files):
        words = WORDS["en" if n % 2 else "de"].split()
        lines = []
        for _ in range(rng.randint(3, 8)):
            sentence = " ".join(rng.choice(words) for _ in range(rng.randint(8, 16)))
            lines.append(sentence.capitalize() + ".")
        (folder / f"{n:04d}.txt").write_text(" ".join(lines) + "\n", encoding="utf-8")


def visible(out: Path, *, comparable: bool = False) -> dict[str, str]:
    """sha256 of every output a reader sees (not .staging-*/.corpus-state bookkeeping).

    *comparable*: for comparing two runs, the manifest without its timings and without
    the audit reports (they show timings too).
    """
    found = {}
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out)
        if not path.is_file() or rel.parts[0].startswith("."):
            continue
        data = path.read_bytes()
        if comparable and rel.name in ("audit.json", "audit.html"):
            continue
        if comparable and rel.name == "manifest.json":
            manifest = json.loads(data)
            manifest.pop("timings")
            data = json.dumps(manifest, sort_keys=True).encode()
        found[str(rel)] = hashlib.sha256(data).hexdigest()
    return found


# -- out of space: injected ------------------------------------------------------------

# Runs the real CLI with every file opened for writing under OUT sharing a byte budget;
# past it, write() raises ENOSPC as a full disk would.
ENOSPC_DRIVER = r'''
import builtins, errno, io, os, sys

OUT = os.path.abspath(os.environ["FAULT_OUT"])
budget = [int(os.environ["FAULT_BUDGET"])]
_open = builtins.open

class Full:
    def __init__(self, fh):
        self._fh = fh
    def write(self, data):
        size = len(data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data)
        if size > budget[0]:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        budget[0] -= size
        return self._fh.write(data)
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        self._fh.close()
    def __iter__(self):
        return iter(self._fh)
    def __getattr__(self, name):
        return getattr(self._fh, name)

def full_open(file, mode="r", *args, **kwargs):
    fh = _open(file, mode, *args, **kwargs)
    writing = any(c in mode for c in "wax+")
    if writing and isinstance(file, (str, os.PathLike)):
        if os.path.abspath(os.fspath(file)).startswith(OUT + os.sep):
            return Full(fh)
    return fh

builtins.open = io.open = full_open
from corpus.cli import main
sys.argv[0] = "corpus"
main()
'''


@pytest.fixture(scope="module")
def space(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("faults")
    make_inputs(base / "small", 4, seed=1)
    make_inputs(base / "big", 150, seed=2)
    (base / "p.toml").write_text(PIPELINE, encoding="utf-8")
    (base / "driver.py").write_text(ENOSPC_DRIVER, encoding="utf-8")
    ref = base / "ref"
    result = CliRunner().invoke(cli, ["build", str(base / "big"), "-o", str(ref), "-p",
                                      str(base / "p.toml"), "-q", "-j", "1"])
    assert result.exit_code == 0, result.output
    return {"base": base, "ref": ref}


def corpus_cmd(base: Path, inputs: Path, out: Path, *extra: str) -> list[str]:
    return [str(inputs), "-o", str(out), "-p", str(base / "p.toml"), "-q", "-j", "1", *extra]


@pytest.mark.parametrize("when", ["mid-stream", "after-streaming"])
def test_out_of_space_exits_1_and_keeps_out(space, tmp_path, when):
    base = space["base"]
    streamed = sum((space["ref"] / name).stat().st_size
                   for name in ("documents.jsonl", "segments.jsonl", "sentences.jsonl"))
    streamed += sum(p.stat().st_size for p in (space["ref"] / "mono").iterdir())
    # the streams fit, then the checkpoint, manifest or audit hit the full disk
    budget = 20_000 if when == "mid-stream" else streamed + 100
    out = tmp_path / "out"
    first = CliRunner().invoke(cli, ["build", *corpus_cmd(base, base / "small", out)])
    assert first.exit_code == 0, first.output
    before = visible(out)
    proc = subprocess.run(
        [sys.executable, str(base / "driver.py"), "build", *corpus_cmd(base, base / "big", out)],
        capture_output=True, text=True,
        env={**os.environ, "FAULT_OUT": str(out), "FAULT_BUDGET": str(budget)},
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), proc.stderr
    assert "No space left on device" in lines[0]
    assert visible(out) == before  # the previous run's corpus, untouched
    # and nothing of the failed run is left to keep the disk full
    assert not list(out.glob(".staging-*")) and not (out / ".corpus-lock").exists()
    assert not (out / ".corpus-state" / "checkpoint.pkl").exists()
    # space is back: the same command with --resume completes the corpus
    resumed = CliRunner().invoke(cli, ["build", *corpus_cmd(base, base / "big", out, "--resume")])
    assert resumed.exit_code == 0, resumed.output
    assert visible(out, comparable=True) == visible(space["ref"], comparable=True)
    assert not list(out.glob(".staging-*"))


# -- out of space: a real small filesystem ---------------------------------------------

NAMESPACE_SCRIPT = r'''
set -u
mount -t tmpfs -o size=512k tmpfs "$DISK"
run() { "$PY" -m corpus.cli build "$@" -p "$BASE/p.toml" -q -j 1; }
run "$BASE/small" -o "$DISK/out" > "$RES/first.out" 2> "$RES/first.err"; echo $? > "$RES/first.rc"
"$PY" "$HASH" "$DISK/out" > "$RES/before.json"
df -k --output=used "$DISK" | tail -1 > "$RES/before.used"
run "$BASE/big" -o "$DISK/out" > "$RES/full.out" 2> "$RES/full.err"; echo $? > "$RES/full.rc"
"$PY" "$HASH" "$DISK/out" > "$RES/after.json"
ls -A "$DISK/out" > "$RES/after.ls"; df -k --output=used "$DISK" | tail -1 > "$RES/after.used"
mount -o remount,size=200m "$DISK"
run "$BASE/big" -o "$DISK/out" --resume > "$RES/resume.out" 2> "$RES/resume.err"
echo $? > "$RES/resume.rc"
"$PY" "$HASH" "$DISK/out" comparable > "$RES/resumed.json"
'''
HASH_SCRIPT = """
import json, sys
sys.path[:0] = [{tests!r}, {root!r}]
from test_faults import visible
from pathlib import Path
print(json.dumps(visible(Path(sys.argv[1]), comparable=sys.argv[2:] == ["comparable"])))
"""


def _namespaces_work() -> bool:
    if not shutil.which("unshare") or sys.platform != "linux":
        return False
    probe = subprocess.run(["unshare", "-Urm", "sh", "-c", "mount -t tmpfs tmpfs /mnt"],
                           capture_output=True)
    return probe.returncode == 0


@pytest.mark.slow
@pytest.mark.skipif(not _namespaces_work(), reason="needs `unshare -Urm` (user namespaces)")
def test_real_full_disk(space, tmp_path):
    base = space["base"]
    disk, res = tmp_path / "disk", tmp_path / "res"
    disk.mkdir()
    res.mkdir()
    hasher = tmp_path / "hash.py"
    hasher.write_text(HASH_SCRIPT.format(tests=str(Path(__file__).parent),
                                          root=str(Path(__file__).parents[1])), encoding="utf-8")
    env = {**os.environ, "DISK": str(disk), "RES": str(res), "BASE": str(base),
           "PY": sys.executable, "HASH": str(hasher)}
    subprocess.run(["unshare", "-Urm", "bash", "-c", NAMESPACE_SCRIPT], env=env, check=True,
                   timeout=600)

    def read(name: str) -> str:
        return (res / name).read_text(encoding="utf-8")

    assert read("first.rc").strip() == "0", read("first.err")
    assert read("full.rc").strip() == "1", read("full.err")
    err = read("full.err").strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Error: "), read("full.err")
    assert "No space left on device" in err[0]
    assert "Traceback" not in read("full.err") + read("full.out")
    assert json.loads(read("after.json")) == json.loads(read("before.json"))
    # the failed run's staging folder is gone: the disk is as full as before it, not full
    assert not [n for n in read("after.ls").split() if n.startswith((".staging", ".corpus-lock"))]
    assert int(read("after.used")) <= int(read("before.used")) + 64
    assert read("resume.rc").strip() == "0", read("resume.err")
    assert json.loads(read("resumed.json")) == visible(space["ref"], comparable=True)


# -- names derived from input ----------------------------------------------------------

HOSTILE_CODES = ["../../evil", "..", ".", "/etc/passwd", "en/../../x", "", "ru\x00", "\\..\\w",
                 "~", "a" * 300, "../" * 20 + "tmp"]


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file() or p.is_symlink()}


def test_hostile_language_codes_stay_inside_out(tmp_path):
    out = tmp_path / "deep" / "out"
    before = _files(tmp_path)
    writer = CorpusWriter(out, OutputConfig())
    for n, code in enumerate(HOSTILE_CODES):
        sent = Sentence(text=f"sentence {n}", span=(0, 10), lang=code,
                        translation=Translation(f"t {n}", target=code[::-1] or "..", model="m"))
        seg = Segment(text=sent.text, span=(0, 10), lang=code, sentences=[sent])
        writer.add(Document(id=f"{n:016x}", source=Source(path=f"in{n}.txt"), text=sent.text,
                            segments=[seg]))
    writer.close_streams()
    writer.commit()
    created = _files(tmp_path) - before
    assert created and all(out in p.parents for p in created)
    for path in created:
        rel = path.relative_to(out)
        assert all(re.fullmatch(r"[A-Za-z0-9_.-]+", part) and part not in (".", "..")
                   for part in rel.parts), rel
        assert len(rel.name) <= 80
    mono = sorted(p.name for p in (out / "mono").iterdir())
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{1,32}\.txt", name) for name in mono), mono


@pytest.mark.parametrize("key,value", [("target", "../x"), ("languages", ["en", "../../x"])])
def test_pipeline_language_codes_are_checked(tmp_path, key, value):
    pipeline = tmp_path / "p.toml"
    pipeline.write_text(f"{key} = {json.dumps(value)}\n" + PIPELINE, encoding="utf-8")
    (tmp_path / "a.txt").write_text("Some text here.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "a.txt"), "-o",
                                      str(tmp_path / "out"), "-p", str(pipeline)])
    assert result.exit_code == 2 and "../" in result.output and "ISO 639" in result.output
    assert not (tmp_path / "out").exists()


HOSTILE_IDS = ["../../../escaped", "/tmp/absolute", "..\\..\\windows", "a/b/c", "", ".",
               "..", "\u202e.txt", "x" * 5000]


def _jsonl_build(tmp_path: Path) -> Path:
    src = tmp_path / "in" / "records.jsonl"
    src.parent.mkdir()
    src.write_text("".join(
        json.dumps({"id": i, "text": f"The council approved budget number {n} on Tuesday."})
        + "\n" for n, i in enumerate(HOSTILE_IDS)), encoding="utf-8")
    (tmp_path / "p.toml").write_text(PIPELINE, encoding="utf-8")
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(src), "-o", str(out), "-p",
                                      str(tmp_path / "p.toml")])
    assert result.exit_code == 0, result.output
    return out


def test_jsonl_ids_cannot_escape_out(tmp_path):
    before = _files(tmp_path)
    out = _jsonl_build(tmp_path)
    created = _files(tmp_path) - before
    assert all(out in p.parents or p.parent == tmp_path / "in" or p == tmp_path / "p.toml"
               for p in created)
    assert not (tmp_path / "escaped").exists() and not Path("/tmp/absolute").exists()
    docs = [json.loads(line) for line in (out / "documents.jsonl").open(encoding="utf-8")]
    assert len(docs) == len(HOSTILE_IDS)
    assert all(re.fullmatch(r"[0-9a-f]{16}", d["id"]) for d in docs)  # ids are hashes
    for line in (out / "sentences.jsonl").open(encoding="utf-8"):
        assert re.fullmatch(r"[0-9a-f]{16}:\d+:\d+", json.loads(line)["id"])


def test_jsonl_ids_are_kept_as_data(tmp_path):
    out = _jsonl_build(tmp_path)
    docs = [json.loads(line) for line in (out / "documents.jsonl").open(encoding="utf-8")]
    assert [d.get("record_id") for d in docs] == [i or None for i in HOSTILE_IDS]
