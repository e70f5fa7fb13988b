"""Scale: worker processes, checkpoints, --resume after kill -9, --append."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import tomllib
from pipeline_files import PER_DOCUMENT

from corpus.config import pipeline_from_dict
from corpus.run.runner import run_build

# the shared per-document pipeline with repeated_lines (counting from the second page)
TOML = PER_DOCUMENT.replace(
    'use = "boilerplate"\n',
    'use = "boilerplate"\n[[steps]]\nuse = "repeated_lines"\nmin_pages = 2\n',
) + "[output]\naudit = false\n"
assert "repeated_lines" in TOML
PIPELINE = tomllib.loads(TOML)
SENTENCES = {
    "en": ["The council approved the new budget after a long debate on Tuesday.",
           "Prices for fresh vegetables rose sharply across the region this spring.",
           "The museum will reopen next month with an exhibition of early photographs."],
    "ru": ["Городской совет утвердил новый бюджет после долгого обсуждения во вторник.",
           "Цены на свежие овощи весной резко выросли по всему региону.",
           "Музей откроется в следующем месяце выставкой ранних фотографий."],
    "de": ["Der Stadtrat hat den neuen Haushalt nach einer langen Debatte gebilligt.",
           "Die Preise für frisches Gemüse sind in diesem Frühjahr stark gestiegen.",
           "Das Museum öffnet im nächsten Monat mit einer Ausstellung früher Fotografien."],
}


def make_corpus(folder: Path, files: int, seed: int = 3) -> None:
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    langs = sorted(SENTENCES)
    for n in range(files):
        lang = langs[n % 3]
        lines = ["Home", "Subscribe", "Site menu line"]
        for _ in range(rng.randint(2, 6)):
            lines.append(" ".join(rng.choice(SENTENCES[lang]) for _ in range(rng.randint(1, 4))))
        (folder / f"{n:05d}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # an exact duplicate, so dedup state matters across shards
    (folder / "99999.txt").write_bytes((folder / "00001.txt").read_bytes())


def digests(out: Path) -> dict[str, str]:
    found = {}
    for path in sorted(out.rglob("*")):
        rel = str(path.relative_to(out))
        if path.is_file() and not rel.startswith("."):
            data = path.read_bytes()
            if rel == "manifest.json":
                manifest = json.loads(data)
                manifest.pop("timings")
                # the same steps, loaded from a dict here and from a file there
                manifest["pipeline"].pop("path")
                manifest["pipeline"].pop("sha256")
                data = json.dumps(manifest, sort_keys=True).encode()
            found[rel] = hashlib.sha256(data).hexdigest()
    return found


def pipe():
    return pipeline_from_dict(json.loads(json.dumps(PIPELINE)), where="test")


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("scale") / "in"
    make_corpus(folder, 300)
    return folder


@pytest.fixture(scope="module")
def reference(corpus_dir, tmp_path_factory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("ref") / "out"
    run_build([str(corpus_dir)], out, pipe(), workers=1, shard_files=25)
    return digests(out)


def test_workers_give_identical_bytes(corpus_dir, reference, tmp_path, monkeypatch):
    monkeypatch.setattr("corpus.run.runner.SMALL_INPUT_BYTES", 0)
    out = tmp_path / "out"
    result = run_build([str(corpus_dir)], out, pipe(), workers=2, shard_files=40)
    assert digests(out) == reference
    steps = result.manifest["steps"]
    assert steps["boilerplate"]["dropped"]  # counters from the workers reach the manifest
    assert steps["dedup"]["duplicates"] == 1


def test_shard_size_does_not_change_output(corpus_dir, reference, tmp_path):
    out = tmp_path / "out"
    run_build([str(corpus_dir)], out, pipe(), workers=1, shard_files=7)
    assert digests(out) == reference


@pytest.mark.slow
def test_kill_9_then_resume_gives_identical_outputs(corpus_dir, reference, tmp_path):
    pipeline = tmp_path / "p.toml"
    pipeline.write_text(TOML, encoding="utf-8")
    for attempt, out in enumerate(killed_then_resumed(corpus_dir, pipeline, tmp_path,
                                                      random.Random(11), 5, 0.3)):
        assert digests(out) == reference, f"attempt {attempt}"
        assert not list(out.glob(".staging-*"))


def killed_then_resumed(corpus_dir: Path, pipeline: Path, tmp_path: Path,
                        rng: random.Random, attempts: int, earliest: float):
    """Yield OUT folders of builds killed -9 at random moments, then resumed (exit 0).

    A first, uninterrupted build times a whole run here, so the kills land inside one:
    between *earliest* and 0.9 of its duration.
    """
    cmd = [sys.executable, "-m", "corpus.cli", "build", str(corpus_dir), "--quiet",
           "-p", str(pipeline), "--shard-files", "25", "-j", "1"]
    started = time.perf_counter()
    subprocess.run([*cmd, "-o", str(tmp_path / "timing")], check=True)
    duration = time.perf_counter() - started
    for attempt in range(attempts):
        out = tmp_path / f"out{attempt}"
        proc = subprocess.Popen([*cmd, "-o", str(out)])
        time.sleep(rng.uniform(earliest, 0.9) * duration)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        resumed = subprocess.run([*cmd, "-o", str(out), "--resume"], capture_output=True)
        assert resumed.returncode == 0, resumed.stderr.decode()
        yield out


@pytest.mark.slow
def test_ctrl_c_keeps_checkpoint_and_resume_skips_done_work(corpus_dir, reference, tmp_path):
    pipeline = tmp_path / "p.toml"
    pipeline.write_text(TOML, encoding="utf-8")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "corpus.cli", "build", str(corpus_dir), "-o", str(out),
           "-p", str(pipeline), "--shard-files", "10", "-j", "1"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.time() + 60
    while not (out / ".corpus-state" / "checkpoint.pkl").exists() and time.time() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the run finished before it could be interrupted")
    assert proc.returncode == 130
    assert b"--resume" in err and b"Traceback" not in err
    assert not (out / "sentences.jsonl").exists()
    resumed = subprocess.run([*cmd, "--resume"], capture_output=True, text=True)
    assert resumed.returncode == 0, resumed.stderr
    assert "skipped" in resumed.stdout
    assert digests(out) == reference


def test_append_processes_only_new_inputs(corpus_dir, tmp_path):
    folder = tmp_path / "in"
    make_corpus(folder, 20, seed=5)
    out = tmp_path / "out"
    run_build([str(folder)], out, pipe())
    before = (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    extra = tmp_path / "in" / "new.txt"
    extra.write_text(
        "Das Museum öffnet im nächsten Monat mit einer Ausstellung früher Fotografien.\n"
        "Der Stadtrat hat den neuen Haushalt nach einer langen Debatte gebilligt.\n",
        encoding="utf-8",
    )
    dup = tmp_path / "in" / "copy.txt"
    dup.write_bytes((folder / "00002.txt").read_bytes())
    result = run_build([str(folder)], out, pipe(), append=True)
    assert result.skipped_inputs == 21
    after = (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    assert after[: len(before)] == before
    added = [json.loads(line) for line in after[len(before):]]
    assert sorted(Path(d["source"]["path"]).name for d in added) == ["copy.txt", "new.txt"]
    status = {Path(d["source"]["path"]).name: d["status"] for d in added}
    assert status["copy.txt"].startswith("dropped:duplicate of")  # dedup saw the old corpus
    assert status["new.txt"] == "kept"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["documents"]["in"] == 23


def test_resume_finishes_a_commit_that_died_half_way(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    make_corpus(folder, 6)
    out = tmp_path / "out"
    reference = tmp_path / "ref"
    run_build([str(folder)], reference, pipe())
    calls = {"n": 0}
    real_replace = os.replace

    def dying_replace(src, dst):
        # the 3rd rename into OUT is where the process "dies"
        if str(dst).startswith(str(out)) and ".staging" not in str(dst):
            calls["n"] += 1
            if calls["n"] == 3:
                raise KeyboardInterrupt
        return real_replace(src, dst)

    monkeypatch.setattr("corpus.writers.staging.os.replace", dying_replace)
    with pytest.raises(KeyboardInterrupt):
        run_build([str(folder)], out, pipe())
    monkeypatch.setattr("corpus.writers.staging.os.replace", real_replace)
    result = run_build([str(folder)], out, pipe(), resume=True)
    assert digests(out) == digests(reference)
    assert result.skipped_inputs == 7
    assert not (out / ".corpus-state" / "committing").exists()


def test_append_sees_near_duplicates_of_the_old_corpus(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    body = " ".join(SENTENCES["en"] * 3)
    (folder / "a.txt").write_text(body + "\n", encoding="utf-8")
    out = tmp_path / "out"
    pipe_with_near = pipeline_from_dict(
        {"steps": [*PIPELINE["steps"], {"use": "near_dedup"}], "output": {"audit": False}},
        where="test",
    )
    run_build([str(folder)], out, pipe_with_near)
    (folder / "b.txt").write_text(body + " One more sentence at the end.\n", encoding="utf-8")
    pipe_again = pipeline_from_dict(
        {"steps": [*PIPELINE["steps"], {"use": "near_dedup"}], "output": {"audit": False}},
        where="test",
    )
    run_build([str(folder)], out, pipe_again, append=True)
    docs = [json.loads(x) for x in (out / "documents.jsonl").read_text().splitlines()]
    assert docs[1]["status"] == f"dropped:near-duplicate of {docs[0]['id']}"


# -- corpus-wide indexes with a memory cap, spilled to OUT/.corpus-state ------------------
SPILL_STEPS = [
    {"use": "normalize"},
    {"use": "dedup", "memory_mb": 0.0005},
    {"use": "boilerplate"},
    {"use": "repeated_lines", "min_pages": 2, "max_words": 40, "memory_mb": 0.0005},
    {"use": "near_dedup", "threshold": 0.5, "batch_size": 8, "memory_mb": 0.002},
    {"use": "langid", "level": "segment"},
]


def spill_pipe(memory: bool = True):
    steps = json.loads(json.dumps(SPILL_STEPS))
    if not memory:  # the same steps with their default budgets: nothing spills
        for step in steps:
            step.pop("memory_mb", None)
    return pipeline_from_dict({"steps": steps, "output": {"audit": False}}, where="test")


def without_budgets(found: dict[str, str], out: Path) -> dict[str, str]:
    """digests() with the manifest's step parameters minus memory_mb (which differs)."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest.pop("timings")
    for key in ("path", "sha256"):
        manifest["pipeline"].pop(key)
    for step in manifest["pipeline"]["steps"]:
        step.pop("memory_mb", None)
    manifest.pop("outputs")  # holds the manifest-independent digests checked below
    found = dict(found)
    found["manifest.json"] = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()
                                            ).hexdigest()
    return found


@pytest.fixture(scope="module")
def spill_reference(corpus_dir, tmp_path_factory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("spillref") / "out"
    result = run_build([str(corpus_dir)], out, spill_pipe(memory=False), shard_files=40)
    steps = result.manifest["steps"]
    assert steps["dedup"]["duplicates"] >= 1 and steps["near_dedup"]["near_duplicates"] > 10
    assert steps["repeated_lines"]["dropped"] > 100
    return without_budgets(digests(out), out)


@pytest.mark.parametrize("workers", [1, 2])
def test_spilled_indexes_give_identical_bytes(corpus_dir, spill_reference, tmp_path,
                                              monkeypatch, workers):
    monkeypatch.setattr("corpus.run.runner.SMALL_INPUT_BYTES", 0)
    out = tmp_path / "out"
    run_build([str(corpus_dir)], out, spill_pipe(), workers=workers, shard_files=40)
    assert without_budgets(digests(out), out) == spill_reference
    # the indexes did spill, and only the files the final state names are left
    state = out / ".corpus-state"
    folders = sorted(p.name.split(".")[0] for p in state.iterdir() if p.is_dir())
    assert folders == ["01-dedup", "03-repeated_lines", "04-near_dedup"]
    assert all(any(f.iterdir()) for f in state.iterdir() if f.is_dir())


@pytest.mark.slow
def test_kill_9_with_spilled_indexes_then_resume(corpus_dir, spill_reference, tmp_path):
    pipeline = tmp_path / "p.toml"
    lines = []
    for step in SPILL_STEPS:
        lines.append("[[steps]]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in step.items()]
    pipeline.write_text("\n".join([*lines, "[output]", "audit = false", ""]), encoding="utf-8")
    for attempt, out in enumerate(killed_then_resumed(corpus_dir, pipeline, tmp_path,
                                                      random.Random(12), 3, 0.4)):
        assert without_budgets(digests(out), out) == spill_reference, f"attempt {attempt}"


def test_append_with_spilled_indexes_sees_the_old_corpus(tmp_path):
    folder = tmp_path / "in"
    make_corpus(folder, 40, seed=9)
    out = tmp_path / "out"
    run_build([str(folder)], out, spill_pipe())
    before = {p.name for p in (out / ".corpus-state").iterdir()}
    (folder / "copy.txt").write_bytes((folder / "00003.txt").read_bytes())
    run_build([str(folder)], out, spill_pipe(), append=True)
    docs = [json.loads(x) for x in (out / "documents.jsonl").read_text().splitlines()]
    first = next(d for d in docs if d["source"]["path"].endswith("00003.txt"))
    assert docs[-1]["status"] == f"dropped:duplicate of {first['id']}"
    # the appended run continued in the same index folders
    assert before == {p.name for p in (out / ".corpus-state").iterdir()}


def test_a_fresh_run_replaces_the_index_files_of_the_previous_one(corpus_dir, tmp_path):
    out = tmp_path / "out"
    run_build([str(corpus_dir)], out, spill_pipe(), shard_files=100)
    first = {p.name for p in (out / ".corpus-state").iterdir() if p.is_dir()}
    run_build([str(corpus_dir)], out, spill_pipe(), shard_files=100)
    second = {p.name for p in (out / ".corpus-state").iterdir() if p.is_dir()}
    assert len(first) == len(second) == 3 and not first & second


def test_documents_round_trip_through_pickle():
    import pickle

    from corpus.records import Document, Segment, Sentence, Source, Translation

    doc = Document(
        id="0123456789abcdef", source=Source("a.jsonl", "ff", 3, 10, 20, "utf-8", "jsonl",
                                             "gzip", ["note"]),
        text="T", meta={"url": "u"}, status="dropped:x", lang="de",
        segments=[Segment("Hallo Welt.", (0, 11), 2, "title", False, "r", "de", 0.5, "Latn",
                          [Sentence("Hallo Welt.", (0, 11), "de", 0.9,
                                    Translation("Hello world.", "en", "m"), "de-en", False,
                                    "short")])],
    )
    doc.hashes = {"dedup": 5}
    back = pickle.loads(pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == doc and back.hashes == {"dedup": 5}


def test_append_to_an_out_of_an_older_state_version_says_rebuild(tmp_path):
    import pickle

    from corpus.errors import MismatchError
    from corpus.run.state import FINAL_STATE, STATE_DIR

    folder = tmp_path / "in"
    make_corpus(folder, 3, seed=4)
    out = tmp_path / "out"
    run_build([str(folder)], out, pipe())
    path = out / STATE_DIR / FINAL_STATE
    # what version 2 wrote: a bare pickle, no header, no checksum
    path.write_bytes(pickle.dumps({"version": 2, "fingerprint": "x", "writer": {}}))
    with pytest.raises(MismatchError, match=r"older corpus \(state version 2.* rebuild .* "
                                            r"without --append"):
        run_build([str(folder)], out, pipe(), append=True)
