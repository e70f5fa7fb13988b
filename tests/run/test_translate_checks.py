"""Issue 17 with translation models: a damaged package, nothing pending, `--append` after
`corpus translate`.

Real (tiny) Argos packages from ``tests/argos_fixture.py``, installed the way a user
installs them; the damage is done to the installed files themselves.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

# argostranslate reads (and creates) these when first imported: keep it off $HOME.
if "argostranslate.settings" not in sys.modules:
    _ARGOS_HOME = tempfile.mkdtemp(prefix="corpus-test-argos-")
    for _var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        os.environ.setdefault(_var, os.path.join(_ARGOS_HOME, _var.lower()))
    os.environ.setdefault("ARGOS_PACKAGES_DIR", os.path.join(_ARGOS_HOME, "packages"))

import argos_fixture as af
import pytest
from click.testing import CliRunner, Result
from pipeline_files import PER_DOCUMENT
from test_faults import visible

from corpus.cli import cli

RU = ["Городской совет утвердил новый бюджет после долгого обсуждения во вторник.",
      "Цены на свежие овощи весной резко выросли по всему региону."]
MORE = ("Музей откроется в следующем месяце большой выставкой ранних фотографий из "
        "городского архива.")
EN = "The council approved the new budget after a long debate on Tuesday."
# the copy model's pairs are flagged "copy"; kept in parallel/ here, where what is tested is
# the state --append builds on, not the checks
PIPELINE = (PER_DOCUMENT + '[[steps]]\nuse = "translate"\n'
            '[output]\naudit = false\nparallel_flagged = true\n')


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    return af.build_package(tmp_path_factory.mktemp("pkgs"), "ru", "en", kind="copy", text=RU)


@pytest.fixture
def env(tmp_path, monkeypatch) -> dict[str, Path]:
    monkeypatch.setenv("CORPUS_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ru.txt").write_text(" ".join(RU) + "\n", encoding="utf-8")
    (folder / "en.txt").write_text(EN + "\n", encoding="utf-8")
    (tmp_path / "p.toml").write_text(PIPELINE, encoding="utf-8")
    return {"in": folder, "models": tmp_path / "models", "base": tmp_path}


def corpus(env: dict[str, Path], *args: str) -> Result:
    return CliRunner().invoke(cli, [*args, "--models-dir", str(env["models"])])


def build(env: dict[str, Path], out: Path, *extra: str) -> Result:
    return corpus(env, "build", str(env["in"]), "-o", str(out), "-p",
                  str(env["base"] / "p.toml"), "-q", "-j", "1", *extra)


def installed(env: dict[str, Path]) -> Path:
    [package] = [p for p in env["models"].iterdir() if (p / "metadata.json").exists()]
    return package


def one_error(result: Result) -> str:
    assert "Traceback" not in result.output
    [line] = result.output.strip().splitlines()
    assert line.startswith("Error: "), line
    return line


@pytest.mark.parametrize("damaged", ["model/model.bin", "sentencepiece.model"])
def test_a_damaged_package_is_a_model_error_naming_the_fix(env, package, tmp_path, damaged):
    af.install(package, env["models"])
    path = installed(env) / damaged
    path.write_bytes(b"not a model" * 100)
    out = tmp_path / "out"
    result = build(env, out)
    assert result.exit_code == 1
    line = one_error(result)
    assert "the installed package translate-ru_en" in line and "cannot be loaded" in line
    assert "corpus models remove ru en" in line and "corpus models install ru en" in line
    assert visible(out) == {} and not list(out.glob(".staging-*"))


def test_corpus_translate_with_a_damaged_package(env, package, tmp_path):
    out = tmp_path / "out"
    assert build(env, out).exit_code == 0  # no model: the Russian sentences are pending
    before = visible(out)
    af.install(package, env["models"])
    (installed(env) / "model" / "model.bin").write_bytes(b"\0" * 64)
    result = corpus(env, "translate", str(out))
    assert result.exit_code == 1
    assert "corpus models remove ru en" in one_error(result)
    assert visible(out) == before and not list(out.glob(".staging-*"))


def test_corpus_translate_with_nothing_pending_says_so(env, package, tmp_path):
    af.install(package, env["models"])
    out = tmp_path / "out"
    assert build(env, out).exit_code == 0
    result = corpus(env, "translate", str(out))
    assert result.exit_code == 0, result.output
    assert result.output == (f"{out}: nothing pending; every sentence was already "
                             "translated (ru-en 2)\n")


def test_append_after_corpus_translate_continues_the_translated_files(env, package, tmp_path):
    out = tmp_path / "out"
    assert build(env, out).exit_code == 0  # pending
    af.install(package, env["models"])
    filled = corpus(env, "translate", str(out))
    assert filled.exit_code == 0, filled.output
    assert (out / "parallel" / "ru-en.ru").read_text(encoding="utf-8").splitlines() == RU
    (env["in"] / "ru2.txt").write_text(MORE + "\n",
                                       encoding="utf-8")
    appended = build(env, out, "--append")
    assert appended.exit_code == 0, appended.output  # the state follows what translate wrote
    lines = (out / "parallel" / "ru-en.ru").read_text(encoding="utf-8").splitlines()
    assert lines == [*RU, MORE]
    ids = (out / "parallel" / "ru-en.ids").read_text(encoding="utf-8").splitlines()
    assert len(ids) == len(lines) == len(set(ids))
    with open(out / "parallel" / "ru-en.en", "a", encoding="utf-8") as fh:
        fh.write("a stray line\n")
    (env["in"] / "ru3.txt").write_text(MORE.replace("Музей", "Театр") + "\n", encoding="utf-8")
    refused = build(env, out, "--append")
    assert refused.exit_code == 2
    assert f"{out}/parallel/ru-en.en has changed" in one_error(refused)
