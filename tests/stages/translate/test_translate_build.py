"""`corpus build` with translation, end to end, through real (tiny) Argos packages."""

from __future__ import annotations

import json
from pathlib import Path

import argos_fixture as af
import pytest
import test_translate  # noqa: F401  (keeps argostranslate's settings off $HOME)
from click.testing import CliRunner
from paths import PIPELINES

from corpus.cli import cli

DOCS = {
    "en.txt": "The city council approved the new budget after a long debate on Tuesday. "
    "Officials expect the bridge to carry more than twenty thousand cars a day.\n",
    "ru.txt": "Городской совет утвердил новый бюджет после долгого обсуждения во вторник. "
    "Цены на свежие овощи весной резко выросли по всему региону.\n",
    "uk.txt": "Міська рада затвердила новий бюджет після тривалого обговорення у вівторок. "
    "Ціни на свіжі овочі навесні різко зросли по всьому регіону.\n",
    "mixed.txt": "The festival opens on Friday. Фестиваль откроется в пятницу.\n",
}


@pytest.fixture(scope="module")
def packages(tmp_path_factory) -> dict[str, Path]:
    dest = tmp_path_factory.mktemp("pkgs")
    text = [line for body in DOCS.values() for line in body.split(". ")]
    return {
        "ru-en": af.build_package(dest, "ru", "en", kind="copy", text=text),
        "uk-en": af.build_package(dest, "uk", "en", kind="upper", text=text),
    }


@pytest.fixture
def env(tmp_path, monkeypatch, packages):
    models = tmp_path / "models"
    af.install(packages["ru-en"], models)
    monkeypatch.setenv("CORPUS_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder, models


def build(*args: str):
    return CliRunner().invoke(cli, ["build", *args], catch_exceptions=False)


def rows(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def keep_flagged_pipeline(tmp_path: Path) -> Path:
    """The default pipeline with ``[output] parallel_flagged = true``."""
    default = (PIPELINES / "default.toml").read_text(encoding="utf-8")
    assert "[output]\n" in default
    path = tmp_path / "keep-flagged.toml"
    path.write_text(default.replace("[output]\n", "[output]\nparallel_flagged = true\n"),
                    encoding="utf-8")
    return path


def test_copy_model_pairs_are_flagged_and_kept_out_of_parallel(env, tmp_path):
    """The issue's acceptance: a copy model installed, every pair is flagged "copy", none
    is in parallel/, and the summary and the audit say why."""
    folder, models = env
    out = tmp_path / "out"
    result = build(str(folder), "-o", str(out), "--target", "en", "--models-dir", str(models))
    assert result.exit_code == 0, result.output
    ru = [r for r in rows(out / "sentences.jsonl") if r["lang"] == "ru"]
    assert len(ru) == 3
    for row in ru:
        assert row["translation"]["text"] == row["text"]  # what the copy model does
        assert "copy" in row["translation"]["flags"]
    assert not list((out / "parallel").glob("ru-en.*"))
    assert "3 flagged, left out of parallel/: copy of the source 3" in result.output
    counts = json.loads((out / "manifest.json").read_text())["counts"]["translation"]["ru-en"]
    assert counts["translated"] == 3 and counts["flagged"] == 3
    assert counts["flags"]["copy"] == 3
    audit = json.loads((out / "audit.json").read_text())
    (pair,) = [p for p in audit["translation"]["pairs"] if p["pair"] == "ru-en"]
    assert pair["flagged"] == 3 and pair["flags"]["copy"] == 3
    html = (out / "audit.html").read_text(encoding="utf-8")
    assert "copy of the source 3" in html and "why flagged" in html
    table = CliRunner().invoke(cli, ["audit", str(out), "--format", "table"])
    assert table.exit_code == 0, table.output
    assert "flagged (3): copy of the source 3" in table.output


def test_parallel_files_are_aligned_and_missing_models_are_pending(env, tmp_path):
    """With ``parallel_flagged = true`` the flagged pairs are written, aligned."""
    folder, models = env
    out = tmp_path / "out"
    result = build(str(folder), "-o", str(out), "--models-dir", str(models),
                   "-p", str(keep_flagged_pipeline(tmp_path)))
    assert result.exit_code == 0, result.output
    assert "3 flagged, kept in parallel/: copy of the source 3" in result.output
    par = out / "parallel"
    src = (par / "ru-en.ru").read_text(encoding="utf-8").splitlines()
    tgt = (par / "ru-en.en").read_text(encoding="utf-8").splitlines()
    ids = (par / "ru-en.ids").read_text(encoding="utf-8").splitlines()
    assert len(src) == len(tgt) == len(ids) == 3
    by_id = {r["id"]: r for r in rows(out / "sentences.jsonl")}
    for line_src, line_tgt, sid in zip(src, tgt, ids, strict=True):
        row = by_id[sid]
        assert row["text"] == line_src and row["lang"] == "ru"
        assert row["translation"]["text"] == line_tgt == line_src  # the copy model
        assert row["translation"]["model"].startswith("translate-ru_en")
    pending = [r for r in by_id.values() if r["pending"]]
    assert {r["pending"] for r in pending} == {"uk-en"} and len(pending) == 2
    assert all(r["translation"] is None for r in pending)
    english = [r for r in by_id.values() if r["lang"] == "en"]
    assert english and all(r["translation"] is None and r["pending"] is None for r in english)
    assert "corpus models install uk en" in result.output
    assert f"corpus translate {out}" in result.output
    mono_ru = (out / "mono" / "ru.txt").read_text(encoding="utf-8").splitlines()
    assert sorted(mono_ru) == sorted(src)  # originals only
    counts = json.loads((out / "manifest.json").read_text())["counts"]["translation"]
    assert counts["ru-en"]["translated"] == 3 and counts["uk-en"]["pending"] == 2


def test_second_run_translates_nothing(env, tmp_path):
    folder, models = env
    first = build(str(folder), "-o", str(tmp_path / "a"), "--models-dir", str(models))
    assert first.exit_code == 0
    second = build(str(folder), "-o", str(tmp_path / "b"), "--models-dir", str(models))
    assert "translation ru-en: 3 translated (0 new, 3 from cache)" in second.output
    for name in ("sentences.jsonl", "mono/ru.txt"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_corpus_translate_fills_pending_after_install(env, packages, tmp_path):
    folder, models = env
    out = tmp_path / "out"
    pipeline = keep_flagged_pipeline(tmp_path)
    built = build(str(folder), "-o", str(out), "--models-dir", str(models), "-p", str(pipeline))
    assert built.exit_code == 0
    before_ru = (out / "parallel" / "ru-en.en").read_bytes()
    af.install(packages["uk-en"], models)
    result = CliRunner().invoke(cli, ["translate", str(out), "--models-dir", str(models)])
    assert result.exit_code == 0, result.output
    assert "uk-en: 2 translated (2 new, 0 from cache), 0 pending" in result.output
    assert "2 flagged, kept in parallel/: copy of the source 2" in result.output
    uk = [r for r in rows(out / "sentences.jsonl") if r["lang"] == "uk"]
    assert all(r["pending"] is None and r["translation"]["target"] == "en" for r in uk)
    assert uk[0]["translation"]["text"] == uk[0]["text"].upper()  # the upper-case model
    assert all("copy" in r["translation"]["flags"] for r in uk)  # upper case is no translation
    lines = (out / "parallel" / "uk-en.uk").read_text(encoding="utf-8").splitlines()
    assert lines == [r["text"] for r in uk]
    assert (out / "parallel" / "ru-en.en").read_bytes() == before_ru
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["translation"]["uk-en"]["pending"] == 0
    assert not list(out.glob(".staging-*"))
    again = CliRunner().invoke(cli, ["translate", str(out), "--models-dir", str(models)])
    assert again.output == (f"{out}: nothing pending; every sentence was already translated "
                            "(ru-en 3, uk-en 2)\n")


def test_corpus_translate_honours_parallel_false(env, packages, tmp_path):
    """`corpus translate` writes parallel/ through the build's writer and its [output]."""
    folder, models = env
    out = tmp_path / "out"
    pipeline = tmp_path / "p.toml"
    default = (PIPELINES / "default.toml").read_text(encoding="utf-8")
    assert "[output]\n" in default
    pipeline.write_text(default.replace("[output]\n", "[output]\nparallel = false\n"),
                        encoding="utf-8")
    built = build(str(folder), "-o", str(out), "-p", str(pipeline), "--models-dir", str(models))
    assert built.exit_code == 0, built.output
    assert list((out / "parallel").iterdir()) == []
    af.install(packages["uk-en"], models)
    result = CliRunner().invoke(cli, ["translate", str(out), "--models-dir", str(models)])
    assert result.exit_code == 0, result.output
    assert "uk-en: 2 translated (2 new" in result.output
    assert list((out / "parallel").iterdir()) == []  # still none, as the pipeline says
    uk = [r for r in rows(out / "sentences.jsonl") if r["lang"] == "uk"]
    assert uk and all(r["translation"]["text"] == r["text"].upper() for r in uk)
    outputs = json.loads((out / "manifest.json").read_text())["outputs"]
    assert not any(name.startswith("parallel/") for name in outputs)


def test_corpus_translate_overrides_are_validated_like_the_file(env, tmp_path):
    folder, models = env
    out = tmp_path / "out"
    assert build(str(folder), "-o", str(out), "--models-dir", str(models)).exit_code == 0
    bad = CliRunner().invoke(cli, ["translate", str(out), "--target", "English"])
    assert bad.exit_code == 2 and "target" in bad.output
    assert "Traceback" not in bad.output
    manifest = json.loads((out / "manifest.json").read_text())
    translate = next(s for s in manifest["pipeline"]["steps"] if s["use"] == "translate.v2")
    assert translate["models_dir"] == str(models)  # the --models-dir flag reached the step


def test_corpus_translate_on_what_is_not_a_build(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["translate", str(tmp_path)])
    assert result.exit_code == 2 and "not a corpus build output" in result.output
    (tmp_path / "sentences.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    garbled = runner.invoke(cli, ["translate", str(tmp_path)])
    assert garbled.exit_code == 1 and "cannot read the manifest" in garbled.output
    assert garbled.exception is None or isinstance(garbled.exception, SystemExit)
