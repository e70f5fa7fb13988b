"""Issue 17, point 3: `--append` and `--resume` check what they build on before touching it.

Each case damages a real build output the way a user or a disk would (a deleted
`mono/`, a line added to `sentences.jsonl`, garbled bytes in the state, a manifest that
no longer parses, another pipeline, other inputs), then runs the command line: exit 2,
one `Error:` line naming the file and how to rebuild, no traceback, OUT exactly as it
was and no staging folder left behind.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from pipeline_files import PER_DOCUMENT
from test_faults import make_inputs, visible

from corpus.cli import cli
from corpus.run.state import CHECKPOINT, FINAL_STATE, STATE_DIR, StateDir

PIPELINE = PER_DOCUMENT + "[output]\naudit = false\n"


@pytest.fixture
def built(tmp_path: Path) -> dict[str, Path]:
    """A finished build of 12 inputs, and two more inputs to append."""
    folder = tmp_path / "in"
    make_inputs(folder, 12, seed=5)
    (tmp_path / "p.toml").write_text(PIPELINE, encoding="utf-8")
    out = tmp_path / "out"
    assert build(folder, out, tmp_path).exit_code == 0
    more = tmp_path / "more"
    make_inputs(more, 2, seed=6)
    for path in more.iterdir():
        path.rename(folder / f"new-{path.name}")
    return {"in": folder, "out": out, "base": tmp_path}


def build(folder: Path, out: Path, base: Path, *extra: str) -> Result:
    return CliRunner().invoke(cli, ["build", str(folder), "-o", str(out), "-p",
                                    str(base / "p.toml"), "-q", "-j", "1", *extra])


def refused(result: Result, *needles: str) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "Usage:" not in result.output
    [line] = result.output.strip().splitlines()
    assert line.startswith("Error: "), line
    for needle in needles:
        assert needle in line, line
    return line


def untouched(out: Path, before: dict[str, str]) -> None:
    assert visible(out) == before
    assert not list(out.glob(".staging-*"))
    assert not (out / ".corpus-lock").exists()


# -- --append -------------------------------------------------------------------------
def test_append_after_mono_was_deleted_says_which_file(built):
    out = built["out"]
    lines = sum(1 for _ in (out / "mono" / "de.txt").open(encoding="utf-8"))
    for path in (out / "mono").iterdir():
        path.unlink()
    (out / "mono").rmdir()
    before = visible(out)
    line = refused(build(built["in"], out, built["base"], "--append"),
                   f"{out}/mono/", "is missing", "rebuild", "without --append")
    if "de.txt" in line:
        assert f"{lines} lines" in line
    untouched(out, before)


@pytest.mark.parametrize("name", ["sentences.jsonl", "documents.jsonl", "segments.jsonl",
                                  "mono/en.txt"])
def test_append_after_an_output_changed_says_which_file(built, name):
    out = built["out"]
    with open(out / name, "a", encoding="utf-8") as fh:
        fh.write("one more line\n")
    before = visible(out)
    refused(build(built["in"], out, built["base"], "--append"),
            f"{out / name} has changed since the build that wrote it", "rebuild")
    untouched(out, before)


def test_append_after_an_output_was_edited_in_place(built):
    out = built["out"]
    path = out / "sentences.jsonl"
    data = bytearray(path.read_bytes())
    data[10] = ord("X") if data[10] != ord("X") else ord("Y")  # same size, same line count
    path.write_bytes(bytes(data))
    refused(build(built["in"], out, built["base"], "--append"), f"{path} has changed")


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage", "empty"])
def test_append_onto_a_garbled_state(built, damage):
    out = built["out"]
    path = out / STATE_DIR / FINAL_STATE
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0xFF
    elif damage == "truncate":
        del data[len(data) // 2:]
    elif damage == "garbage":
        data = bytearray(os.urandom(len(data)))
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    before = visible(out)
    refused(build(built["in"], out, built["base"], "--append"),
            f"cannot append to {out}: {path}: damaged", "rebuild")
    untouched(out, before)


def test_append_onto_a_state_without_its_writer(built):
    out = built["out"]
    states = StateDir(out)
    state = states.read(FINAL_STATE)
    del state["writer"], state["version"]
    states.save(FINAL_STATE, state)  # a valid checksum over a state that lacks a key
    refused(build(built["in"], out, built["base"], "--append"), "damaged (no writer)")


def test_append_without_a_state(built):
    out = built["out"]
    (out / STATE_DIR / FINAL_STATE).unlink()
    refused(build(built["in"], out, built["base"], "--append"),
            "holds no finished run to append to", "is missing")


def test_append_onto_a_garbled_manifest(built):
    out = built["out"]
    (out / "manifest.json").write_text('{"inputs": [', encoding="utf-8")
    before = visible(out)
    refused(build(built["in"], out, built["base"], "--append"),
            f"{out / 'manifest.json'} is damaged", "rebuild")
    untouched(out, before)


def test_append_onto_a_manifest_whose_inputs_were_edited(built):
    out = built["out"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["inputs"][0]["path"] = "/somewhere/else.txt"
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    refused(build(built["in"], out, built["base"], "--append"),
            "are not those the build recorded")
    manifest["inputs"].pop()
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    refused(build(built["in"], out, built["base"], "--append"), "lists 11 inputs")


def test_append_with_another_pipeline_says_what_changed(built):
    out = built["out"]
    other = built["base"] / "p.toml"
    other.write_text(PIPELINE.replace('use = "dedup"\n', 'use = "dedup"\nmemory_mb = 8\n'),
                     encoding="utf-8")
    refused(build(built["in"], out, built["base"], "--append"),
            "built with another pipeline", "memory_mb: 64.0 → 8", "without --append")
    other.write_text(PIPELINE, encoding="utf-8")
    refused(build(built["in"], out, built["base"], "--append", "--target", "de"),
            'target: "en" → "de"')


def test_append_still_works_and_then_checks_the_new_files(built):
    out = built["out"]
    assert build(built["in"], out, built["base"], "--append").exit_code == 0
    docs = (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(docs) == 14
    (out / "mono" / "en.txt").unlink()
    refused(build(built["in"], out, built["base"], "--append"), "mono/en.txt is missing")


# -- --resume -------------------------------------------------------------------------
@pytest.fixture
def interrupted(tmp_path: Path, monkeypatch) -> dict[str, Path]:
    """A build of 30 inputs interrupted (KeyboardInterrupt) after its 2nd checkpoint."""
    folder = tmp_path / "in"
    make_inputs(folder, 30, seed=8)
    (tmp_path / "p.toml").write_text(PIPELINE, encoding="utf-8")
    out = tmp_path / "out"
    real_save = StateDir.save
    saves = []

    def save_then_stop(self, name, state):
        real_save(self, name, state)
        saves.append(name)
        if saves.count(CHECKPOINT) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(StateDir, "save", save_then_stop)
    result = build(folder, out, tmp_path, "--shard-files", "5")
    monkeypatch.setattr(StateDir, "save", real_save)
    assert result.exit_code == 130 and "Add --resume" in result.output
    assert (out / STATE_DIR / CHECKPOINT).exists()
    reference = tmp_path / "ref"
    assert build(folder, reference, tmp_path, "--shard-files", "5").exit_code == 0
    return {"in": folder, "out": out, "base": tmp_path, "ref": reference}


def test_resume_with_other_inputs_stops_unless_told_to_restart(interrupted):
    folder, out, base = interrupted["in"], interrupted["out"], interrupted["base"]
    (folder / "0003.txt").write_text("A new text in place of the old one.\n", encoding="utf-8")
    line = refused(build(folder, out, base, "--shard-files", "5", "--resume"),
                   f"cannot resume {out}", "read other inputs", "--restart")
    assert "add --restart to discard the checkpoint" in line
    assert (out / STATE_DIR / CHECKPOINT).exists()  # kept: nothing was thrown away
    assert list(out.glob(".staging-*"))
    restarted = build(folder, out, base, "--shard-files", "5", "--resume", "--restart")
    assert restarted.exit_code == 0, restarted.output
    fresh = base / "fresh"
    assert build(folder, fresh, base, "--shard-files", "5").exit_code == 0
    assert visible(out, comparable=True) == visible(fresh, comparable=True)


def test_resume_with_another_pipeline_says_so(interrupted):
    folder, out, base = interrupted["in"], interrupted["out"], interrupted["base"]
    refused(build(folder, out, base, "--shard-files", "5", "--resume", "--languages", "en,de"),
            "another pipeline", "languages")


def test_resume_of_the_same_run_still_gives_the_same_bytes(interrupted):
    folder, out, base = interrupted["in"], interrupted["out"], interrupted["base"]
    resumed = build(folder, out, base, "--shard-files", "5", "--resume")
    assert resumed.exit_code == 0, resumed.output
    assert visible(out, comparable=True) == visible(interrupted["ref"], comparable=True)


@pytest.mark.parametrize("damage", ["checkpoint", "staged file", "staging folder"])
def test_resume_onto_damaged_work_stops_unless_told_to_restart(interrupted, damage):
    folder, out, base = interrupted["in"], interrupted["out"], interrupted["base"]
    [staging] = out.glob(".staging-*")
    if damage == "checkpoint":
        path = out / STATE_DIR / CHECKPOINT
        path.write_bytes(path.read_bytes()[:-7])
        needle = "damaged"
    elif damage == "staged file":
        (staging / "sentences.jsonl").write_bytes(b"")
        needle = "fewer than"
    else:
        for path in sorted(staging.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        staging.rmdir()
        needle = "are gone"
    refused(build(folder, out, base, "--shard-files", "5", "--resume"), needle, "--restart")
    restarted = build(folder, out, base, "--shard-files", "5", "--resume", "--restart")
    assert restarted.exit_code == 0, restarted.output
    assert visible(out, comparable=True) == visible(interrupted["ref"], comparable=True)


def test_restart_goes_with_resume(built):
    result = build(built["in"], built["out"], built["base"], "--restart")
    assert result.exit_code == 2 and "--restart goes with --resume" in result.output


def test_an_interrupted_append_resumes_to_the_same_bytes(built, monkeypatch):
    """The append's checkpoint counts shards of the new inputs only; a resume must skip
    those, not shards of all inputs (which would drop or repeat inputs silently)."""
    folder, out, base = built["in"], built["out"], built["base"]
    for n in range(10):
        (folder / f"later-{n}.txt").write_text(f"Later text number {n} for the corpus.\n",
                                               encoding="utf-8")
    reference = base / "ref"
    shutil.copytree(out, reference)
    assert build(folder, reference, base, "--append", "--shard-files", "3").exit_code == 0
    real_save = StateDir.save
    saves = []

    def save_then_stop(self, name, state):
        real_save(self, name, state)
        saves.append(name)
        if saves.count(CHECKPOINT) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(StateDir, "save", save_then_stop)
    stopped = build(folder, out, base, "--append", "--shard-files", "3")
    monkeypatch.setattr(StateDir, "save", real_save)
    assert stopped.exit_code == 130, stopped.output
    resumed = build(folder, out, base, "--resume", "--shard-files", "3")
    assert resumed.exit_code == 0, resumed.output
    assert visible(out, comparable=True) == visible(reference, comparable=True)
    docs = (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    assert len({json.loads(x)["source"]["path"] for x in docs}) == len(docs) == 24
