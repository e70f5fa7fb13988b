"""One error → exit-code mapping for every command: 0 done, 1 could not complete, 2 usage."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import REPO

from corpus.cli import cli

TEXT = "The river was high after a week of rain in the hills above the town.\n"


def no_gpu() -> bool:
    import ctranslate2

    return ctranslate2.get_cuda_device_count() == 0


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    return folder


@pytest.mark.skipif(not no_gpu(), reason="this machine has a CUDA GPU")
def test_device_cuda_without_a_gpu_is_a_usage_error(inputs, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(inputs), "-o", str(out), "--device", "cuda"])
    assert result.exit_code == 2, result.output
    assert "no usable CUDA GPU" in result.output
    assert not out.exists()  # nothing was started
    pipeline = tmp_path / "gpu.toml"
    pipeline.write_text('[[steps]]\nuse = "translate"\ndevice = "cuda"\n', encoding="utf-8")
    same = CliRunner().invoke(cli, ["build", str(inputs), "-o", str(out), "-p", str(pipeline)])
    assert same.exit_code == 2 and "no usable CUDA GPU" in same.output


def dry_run(*args: str) -> dict:
    result = CliRunner().invoke(cli, ["build", "--dry-run", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_target_languages_and_step_overrides_reach_the_steps(inputs):
    plan = dry_run(str(inputs), "--target", "de", "--languages", "en,ru", "--device", "auto",
                   "--models-dir", "/models")
    steps = plan["pipeline"]["steps"]
    langid = [s for s in steps if s["use"] == "langid.v2"]
    [translate] = [s for s in steps if s["use"] == "translate.v2"]
    assert len(langid) == 2 and all(s["languages"] == ["en", "ru"] for s in langid)
    assert translate["target"] == "de" and translate["device"] == "auto"
    assert translate["models_dir"] == "/models"
    assert plan["inputs"] == [str(inputs / "a.txt")]


@pytest.mark.parametrize(("flag", "value", "needle"), [
    ("--target", "English", "'English' is not an ISO 639 language code"),
    ("--languages", "en,RU", "'RU' is not an ISO 639 language code"),
])
def test_bad_flags_fail_like_bad_pipeline_values(inputs, tmp_path, flag, value, needle):
    result = CliRunner().invoke(cli, ["build", str(inputs), "-o", str(tmp_path / "o"), flag, value])
    assert result.exit_code == 2 and needle in result.output
    assert not (tmp_path / "o").exists()


def test_an_os_error_is_exit_1_with_one_line(inputs, tmp_path):
    out = tmp_path / "out"
    assert CliRunner().invoke(cli, ["build", str(inputs), "-o", str(out), "-q"]).exit_code == 0
    target = tmp_path / "no" / "such" / "dir" / "report.html"
    result = CliRunner().invoke(cli, ["audit", str(out), "-o", str(target)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: ") and "No such file or directory" in result.output


def test_a_closed_stdout_ends_quietly(inputs, tmp_path):
    out = tmp_path / "out"
    assert CliRunner().invoke(cli, ["build", str(inputs), "-o", str(out), "-q"]).exit_code == 0
    proc = subprocess.run(
        ["bash", "-c", f'set -o pipefail; "{sys.executable}" -m corpus audit "{out}" '
                       '-f json | head -c 10 > /dev/null'],
        capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
