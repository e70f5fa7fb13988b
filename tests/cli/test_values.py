"""Issue 17, point 4 and 5: every bad value a clear error before any work; a closed stdout
ends every command quietly.

Language codes are checked against what the tool knows (language ID's languages, plus
Argos' codes for translation targets), not only their shape: `--languages en,qq` used to
turn every ru/uk/bg/de sentence into `und`, `--target xx` and `segment --lang xx` were
accepted with exit 0. Values that size memory or time are bounded and the message says
the limit: `near_dedup num_perm = 100000000` died 47 s later in a 48 GiB allocation.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import REPO

from corpus.cli import cli
from corpus.limits import physical_memory_mb
from corpus.run.local import max_workers

TEXT = ("The river was high after a week of rain in the hills above the town. "
        "Der Fluss war nach einer Woche Regen in den Hügeln über der Stadt hoch.\n")


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    return folder


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(cli, list(args), input=input)


def one_error_line(output: str) -> str:
    """The `Error: …` line of a usage error; there is exactly one, and no traceback."""
    assert "Traceback" not in output
    errors = [line for line in output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, output
    return errors[0]


# -- language codes -----------------------------------------------------------------
@pytest.mark.parametrize(("flag", "value", "shown"), [
    ("--target", "xx", "'xx' is not a language corpus translates into"),
    ("--languages", "en,qq", "'qq' is not a language corpus detects"),
    ("--languages", "en,und", "'und' is not a language corpus detects"),
])
def test_build_rejects_unknown_language_codes(inputs, tmp_path, flag, value, shown):
    out = tmp_path / "out"
    result = run("build", str(inputs), "-o", str(out), flag, value)
    assert result.exit_code == 2
    line = one_error_line(result.output)
    assert shown in line and " en " in line  # the known codes are listed
    assert not out.exists()  # nothing was started


def test_argos_spellings_are_translation_targets(inputs):
    for code in ("zt", "pb", "eo"):  # Argos' own codes, unknown to language ID
        result = run("build", "--dry-run", "--json", str(inputs), "--target", code)
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["pipeline"]["target"] == code


@pytest.mark.parametrize(("table", "shown"), [
    ('languages = ["en", "qq"]\n', "languages: 'qq' is not a language corpus detects"),
    ('target = "xx"\n', "target: 'xx' is not a language corpus translates into"),
    ('[[steps]]\nuse = "normalize"\n[[steps]]\nuse = "langid"\nlanguages = ["ru", "zz"]\n',
     "step 2: step 'langid': languages: 'zz'"),
    ('[[steps]]\nuse = "translate"\npivot = "qq"\n', "step 'translate': pivot: 'qq'"),
    ('[[steps]]\nuse = "normalize"\n[[steps]]\nuse = "langid"\n[[steps]]\nuse = "sentences"\n'
     '[[steps]]\nuse = "sentence_filter"\nkeep_languages = ["und", "xx"]\n',
     "keep_languages: 'xx' is not a language corpus detects"),
])
def test_pipeline_files_reject_unknown_language_codes(inputs, tmp_path, table, shown):
    pipeline = tmp_path / "p.toml"
    pipeline.write_text(table, encoding="utf-8")
    result = run("build", str(inputs), "-o", str(tmp_path / "out"), "-p", str(pipeline))
    assert result.exit_code == 2
    assert shown in one_error_line(result.output)
    assert str(pipeline) in result.output  # the file is named


def test_keep_languages_accepts_und(inputs, tmp_path):
    pipeline = tmp_path / "p.toml"
    pipeline.write_text('[[steps]]\nuse = "normalize"\n[[steps]]\nuse = "langid"\n'
                        '[[steps]]\nuse = "sentences"\n[[steps]]\nuse = "langid"\n'
                        'level = "sentence"\n[[steps]]\nuse = "sentence_filter"\n'
                        'keep_languages = ["und", "en"]\n', encoding="utf-8")
    assert run("build", "--dry-run", str(inputs), "-p", str(pipeline)).exit_code == 0


@pytest.mark.parametrize(("args", "shown"), [
    (["segment", "--lang", "xx", "-"], "--lang: 'xx' is not a language corpus detects"),
    (["detect", "--languages", "en,qq", "hello"], "--languages: 'qq'"),
    (["detect", "--hint", "xx", "hello"], "--hint: 'xx'"),
    (["translate", "OUT", "--target", "xx"], "target: 'xx' is not a language corpus translates"),
    (["audit", "OUT", "--lang", "xx"], "--lang: 'xx'"),
    (["spm", "train", "OUT", "--lang", "en,qq"], "--lang: 'qq'"),
])
def test_every_command_rejects_unknown_language_codes(inputs, tmp_path, args, shown):
    out = tmp_path / "out"
    assert run("build", str(inputs), "-o", str(out), "-q").exit_code == 0
    before = sorted(p.name for p in out.iterdir())
    args = [str(out) if a == "OUT" else a for a in args]
    result = run(*args, input="Hello there.\n")
    assert result.exit_code == 2, result.output
    assert shown in one_error_line(result.output)
    assert sorted(p.name for p in out.iterdir()) == before


def test_segment_and_detect_accept_what_they_know():
    assert run("segment", "--lang", "und", "-", input="One. Two.\n").exit_code == 0
    assert run("segment", "--lang", "ru", "-", input="Раз. Два.\n").output == "Раз.\nДва.\n"
    assert run("detect", "--languages", "ru,uk", "--hint", "uk", "Головна").exit_code == 0


# -- bounds -------------------------------------------------------------------------
def _step_table(use: str, **params: object) -> str:
    head = '[[steps]]\nuse = "normalize"\n[[steps]]\nuse = "langid"\n[[steps]]\nuse = "sentences"\n'
    body = "".join(f"{k} = {json.dumps(v)}\n" for k, v in params.items())
    return head + f'[[steps]]\nuse = "{use}"\n' + body


BIG = physical_memory_mb() + 1


@pytest.mark.parametrize(("table", "shown"), [
    (_step_table("near_dedup", num_perm=100_000_000),
     "num_perm = 100000000 is too large: at most 1024"),
    (_step_table("near_dedup", batch_size=10_000_000), "batch_size = 10000000 is too large"),
    (_step_table("near_dedup", memory_mb=BIG), f"memory_mb = {BIG} is too large: at most "
                                               f"{physical_memory_mb()}"),
    (_step_table("dedup", memory_mb=BIG), f"memory_mb = {BIG} is too large"),
    (_step_table("repeated_lines", memory_mb=BIG), f"memory_mb = {BIG} is too large"),
    (_step_table("sentence_dedup", memory_mb=BIG), f"memory_mb = {BIG} is too large"),
    (_step_table("sentence_filter", max_rejects=10**9), "max_rejects = 1000000000 is too large"),
    (_step_table("translate", beam_size=100_000), "beam_size = 100000 is too large: at most 64"),
    (_step_table("translate", buffer_sentences=10**9), "buffer_sentences = 1000000000 is too"),
    (_step_table("translate", max_batch_tokens=10**9), "max_batch_tokens = 1000000000 is too"),
    (_step_table("translate", max_decoding_length=10**9), "max_decoding_length = 1000000000"),
    (f"[input]\nmax_file_mb = {BIG}\n", f"max_file_mb = {BIG} is too large"),
    (f"[input]\nmax_decompressed_mb = {BIG}\n", f"max_decompressed_mb = {BIG} is too large"),
    ("[input]\ndetect_bytes = 1000000000\n", "detect_bytes = 1000000000 is too large"),
])
def test_values_that_exhaust_memory_are_bounded(inputs, tmp_path, table, shown):
    pipeline = tmp_path / "p.toml"
    pipeline.write_text(table, encoding="utf-8")
    out = tmp_path / "out"
    result = run("build", str(inputs), "-o", str(out), "-p", str(pipeline))
    assert result.exit_code == 2
    assert shown in one_error_line(result.output)
    assert not out.exists()


def test_workers_are_bounded_by_the_cores(inputs, tmp_path):
    out = tmp_path / "out"
    result = run("build", str(inputs), "-o", str(out), "-j", str(max_workers() + 1))
    assert result.exit_code == 2
    assert f"at most {max_workers()}" in one_error_line(result.output)
    assert not out.exists()


@pytest.mark.parametrize("args", [
    ["--shard-files", "1000000000"], ["--shard-mb", "1e12"],
])
def test_shard_sizes_are_bounded(inputs, tmp_path, args):
    result = run("build", str(inputs), "-o", str(tmp_path / "out"), *args)
    assert result.exit_code == 2 and "1000000" in result.output


@pytest.mark.parametrize("ratios", ["train=0.5,dev=0.6", "train=0.5,dev=0.4", "train=1,dev=1",
                                    "train=inf,dev=1"])
def test_export_split_ratios_must_add_up(inputs, tmp_path, ratios):
    out = tmp_path / "out"
    assert run("build", str(inputs), "-o", str(out), "-q").exit_code == 0
    result = run("export", str(out), "--ratios", ratios)
    assert result.exit_code == 2
    one_error_line(result.output)
    assert not (out / "export").exists()
    good = run("export", str(out), "--ratios", "train=8,dev=1,test=1")  # weights are fine
    assert good.exit_code == 0, good.output


# -- a closed stdout ----------------------------------------------------------------
def _piped(command: str, cwd: Path) -> subprocess.CompletedProcess:
    """*command* piped into `head -c 1` (which exits at once), with pipefail."""
    return subprocess.run(["bash", "-c", f"set -o pipefail; {command} | head -c 1 > /dev/null"],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


@pytest.mark.slow
def test_a_closed_stdout_ends_every_command_quietly(inputs, tmp_path):
    py = f'"{sys.executable}" -m corpus'
    lines = tmp_path / "lines.txt"
    lines.write_text("".join(f"Line number {n} of the test. Second one.\n" for n in range(40000)),
                     encoding="utf-8")
    out = tmp_path / "out"
    assert run("build", str(inputs), str(lines), "-o", str(out), "-q").exit_code == 0
    assert run("spm", "train", str(out), "--vocab-size", "60").exit_code == 0
    [model] = (out / "spm").glob("*.model")
    commands = {
        "detect": f'{py} detect < "{lines}"',
        "segment": f'{py} segment --lang en "{lines}"',
        "spm encode": f'{py} spm encode "{model}" "{lines}"',
        "audit": f'{py} audit "{out}" -f json',
        "audit csv": f'{py} audit "{out}" -f csv',
        "build": f'{py} build "{inputs}" -o "{tmp_path / "out2"}" -j 1',
        "translate": f'{py} translate "{out}"',
        "models list": f'{py} models list --models-dir "{tmp_path / "none"}"',
        "export": f'{py} export "{out}" -o "{tmp_path / "exp"}"',  # prints on stderr only
    }
    for name, command in commands.items():
        proc = _piped(command, REPO)
        assert proc.returncode == 0, (name, proc.stderr)
        assert proc.stderr == "" or name == "export", (name, proc.stderr)
        assert "Traceback" not in proc.stderr and "Broken pipe" not in proc.stderr, name
    assert (tmp_path / "out2" / "manifest.json").exists()  # the build itself completed
