"""End to end: `corpus build` on the seed page and on a folder of mixed inputs."""

from __future__ import annotations

import gzip
import hashlib
import json
import random
from pathlib import Path

import pytest
from click.testing import CliRunner
from paths import REPO, SEEDS
from pipeline_files import PER_DOCUMENT

from corpus.cli import cli

ROOT = REPO
NO_TRANSLATE = PER_DOCUMENT


def build(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["build", *args], catch_exceptions=False)
    return result.exit_code, result.output


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def seed_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("seed") / "out"
    code, output = build(str(SEEDS / "sputnik-s400-turkey.txt"), "-o", str(out))
    assert code == 0, output
    return out


def test_seed_page_body_kept_and_furniture_dropped(seed_out):
    mono = (seed_out / "mono" / "en.txt").read_text(encoding="utf-8").splitlines()
    lead = "Turkish Foreign Minister Mevlut Cavusoglu assured"
    assert any(line.startswith(lead) for line in mono)
    assert any("Rostec" in line for line in mono)
    joined = "\n".join(mono)
    for furniture in ["Subscribe", "Newsfeed", "To participate in the discussion",
                      "log in or register", "loader", "Chats", "Go to the mediabank",
                      "READ MORE:"]:
        assert furniture not in joined, furniture
    assert "0" not in mono
    segs = rows(seed_out / "segments.jsonl")
    ru = [s for s in segs if s["text"] == "Заголовок открываемого материала"]
    assert len(ru) == 1
    assert ru[0]["lang"] == "ru" and ru[0]["kept"] is False and ru[0]["reason"]
    for seg in segs:
        if not seg["kept"]:
            assert seg["reason"], seg


def test_segment_spans_point_into_the_original(seed_out):
    original = (SEEDS / "sputnik-s400-turkey.txt").read_text(encoding="utf-8")
    lines = original.splitlines()
    for seg in rows(seed_out / "segments.jsonl"):
        a, b = seg["span"]
        assert " ".join(original[a:b].split()) == seg["text"]
        assert lines[seg["line"] - 1].strip().startswith(original[a:b].split("\n")[0].strip())


def test_sentences_have_ids_spans_and_languages(seed_out):
    segs = {(s["doc_id"], s["index"]): s for s in rows(seed_out / "segments.jsonl")}
    sents = rows(seed_out / "sentences.jsonl")
    assert sents
    for sent in sents:
        seg = segs[(sent["doc_id"], sent["segment"])]
        a, b = sent["span"]
        assert seg["text"][a:b] == sent["text"]
        assert sent["id"].startswith(f"{sent['doc_id']}:{sent['segment']}:")
        assert sent["lang"] == "en"


def test_manifest_accounts_for_the_input(seed_out):
    manifest = json.loads((seed_out / "manifest.json").read_text(encoding="utf-8"))
    data = (SEEDS / "sputnik-s400-turkey.txt").read_bytes()
    [entry] = manifest["inputs"]
    assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert entry["status"] == "kept"
    assert manifest["counts"]["documents"] == {
        "in": 1, "kept": 1, "dropped": 0, "error": 0, "by_reason": {}
    }
    assert manifest["counts"]["sentences"]["by_lang"]["en"] >= 8
    assert manifest["version"] and manifest["pipeline"]["steps"]
    timings = manifest["timings"]
    assert {"write", "total"} <= set(timings)
    assert any(key.startswith("read") for key in timings)
    for rel, digest in manifest["outputs"].items():
        assert hashlib.sha256((seed_out / rel).read_bytes()).hexdigest() == digest


def make_mixed_folder(folder: Path) -> None:
    folder.mkdir()
    ru = ("Москва\nГлавная\n"
          "Правительство России утвердило новую программу развития транспорта. "
          "Она рассчитана на десять лет и затронет все регионы страны.\n")
    (folder / "ru_cp1251.txt").write_bytes(ru.encode("cp1251"))
    uk = ("Головна\nНовини\n"
          "Уряд України затвердив нову програму розвитку транспорту. "
          "Вона розрахована на десять років і охопить усі регіони країни.\n")
    (folder / "uk_utf16.txt").write_bytes(uk.encode("utf-16"))
    (folder / "page.html").write_text(
        "<html><head><title>Festival opens</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        "<article><p>The city festival opens on Friday with concerts in three parks. "
        "Organisers expect more than ten thousand visitors over the weekend.</p>"
        "<p>Tickets are free, but visitors are asked to register online in advance.</p>"
        "</article><footer>Contact us · Privacy policy</footer></body></html>",
        encoding="utf-8",
    )
    records = [
        {"id": "a", "text": "Die Ausstellung zeigt Gemälde aus drei Jahrhunderten. "
                            "Sie ist bis Ende März geöffnet."},
        {"id": "b", "text": "L'exposition présente des peintures de trois siècles. "
                            "Elle est ouverte jusqu'à la fin mars."},
    ]
    (folder / "records.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8"
    )
    (folder / "notes.txt.gz").write_bytes(gzip.compress(
        "El ayuntamiento aprobó el nuevo presupuesto tras un largo debate el martes. "
        "La medida entrará en vigor en enero.\n".encode(), mtime=0))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "noise.bin").write_bytes(random.Random(7).randbytes(4096))


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("mixed")
    folder = base / "in"
    make_mixed_folder(folder)
    pipeline = base / "p.toml"
    pipeline.write_text(NO_TRANSLATE, encoding="utf-8")
    out = base / "out"
    code, output = build(str(folder), "-o", str(out), "-p", str(pipeline))
    assert code == 0, output
    return folder, out


def test_mixed_folder_every_input_accounted_for(mixed):
    folder, out = mixed
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    by_name = {Path(e["path"]).name: e for e in manifest["inputs"]}
    assert set(by_name) == {p.name for p in folder.iterdir()}
    assert by_name["empty.txt"]["status"].startswith("dropped:")
    assert by_name["noise.bin"]["status"].startswith("dropped:")
    for name in ["ru_cp1251.txt", "uk_utf16.txt", "page.html", "records.jsonl", "notes.txt.gz"]:
        assert by_name[name]["status"] == "kept", by_name[name]
    assert [r["status"] for r in by_name["records.jsonl"]["records"]] == ["kept", "kept"]
    docs = manifest["counts"]["documents"]
    assert docs["in"] == docs["kept"] + docs["dropped"] + docs["error"] == 8


def test_mixed_folder_text_decoded_and_languages_right(mixed):
    _, out = mixed
    mono = {p.stem: p.read_text(encoding="utf-8") for p in (out / "mono").iterdir()}
    assert "Правительство России утвердило новую программу развития транспорта." in mono["ru"]
    assert "Уряд України затвердив нову програму розвитку транспорту." in mono["uk"]
    assert "Sie ist bis Ende März geöffnet." in mono["de"]
    assert "Elle est ouverte jusqu'à la fin mars." in mono["fr"]
    assert "La medida entrará en vigor en enero." in mono["es"]
    assert "The city festival opens on Friday with concerts in three parks." in mono["en"]
    segs = rows(out / "segments.jsonl")
    title = [s for s in segs if s["kind"] == "title"]
    assert [s["text"] for s in title] == ["Festival opens"]


def test_same_input_same_bytes(mixed, tmp_path):
    folder, out = mixed
    pipeline = out.parent / "p.toml"
    again = tmp_path / "again"
    code, output = build(str(folder), "-o", str(again), "-p", str(pipeline))
    assert code == 0, output
    first = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in again.rglob("*") if p.is_file()}
    assert first.keys() == second.keys()
    for rel in first:
        if rel.name == "manifest.json":
            a, b = json.loads(first[rel]), json.loads(second[rel])
            a.pop("timings"), b.pop("timings")
            assert a == b
        elif rel.name not in ("audit.html", "audit.json"):
            assert first[rel] == second[rel], rel


def test_rerun_replaces_outputs_without_stale_files(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "Die Ausstellung zeigt Gemälde aus drei Jahrhunderten und ist bis März geöffnet.\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert build(str(folder), "-o", str(out))[0] == 0
    assert (out / "mono" / "de.txt").exists()
    (folder / "a.txt").write_text(
        "The exhibition shows paintings from three centuries and is open until March.\n",
        encoding="utf-8",
    )
    assert build(str(folder), "-o", str(out))[0] == 0
    assert not (out / "mono" / "de.txt").exists()
    assert (out / "mono" / "en.txt").exists()
    assert not list(out.glob(".staging-*"))


def test_bad_pipeline_exits_2_naming_file_and_key(tmp_path):
    pipeline = tmp_path / "bad.toml"
    pipeline.write_text('[[steps]]\nuse = "boilerplate"\nmin_wrods = 3\n', encoding="utf-8")
    code, output = build(str(SEEDS), "-o", str(tmp_path / "out"), "-p", str(pipeline))
    assert code == 2
    assert "min_wrods" in output and "bad.toml" in output
    assert not (tmp_path / "out").exists()


def test_missing_input_exits_2(tmp_path):
    code, output = build(str(tmp_path / "nope"), "-o", str(tmp_path / "out"))
    assert code == 2
    assert "nope" in output


def test_unwritable_out_exits_1_and_keeps_previous(tmp_path):
    out = tmp_path / "out"
    assert build(str(SEEDS), "-o", str(out))[0] == 0
    before = (out / "sentences.jsonl").read_bytes()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, output = build(str(SEEDS), "-o", str(blocker / "sub"))
    assert code == 1
    assert "Traceback" not in output
    assert (out / "sentences.jsonl").read_bytes() == before


def test_stdin_input(tmp_path):
    out = tmp_path / "out"
    text = "Das Museum öffnet im nächsten Monat mit einer Ausstellung früher Fotografien.\n"
    result = CliRunner().invoke(cli, ["build", "-", "-o", str(out)], input=text.encode())
    assert result.exit_code == 0, result.output
    assert "Das Museum öffnet" in (out / "mono" / "de.txt").read_text(encoding="utf-8")


def test_quiet_and_piped_output_has_no_progress_bar(tmp_path):
    code, output = build(str(SEEDS), "-o", str(tmp_path / "out"), "--quiet")
    assert code == 0 and output == ""
    code, output = build(str(SEEDS), "-o", str(tmp_path / "out2"))
    assert "documents:" in output and "\r" not in output


def test_dry_run_writes_nothing(tmp_path):
    code, output = build(str(SEEDS), "-o", str(tmp_path / "out"), "--dry-run", "--json")
    assert code == 0
    assert json.loads(output)["pipeline"]["target"] == "en"
    assert not (tmp_path / "out").exists()


def test_dry_run_prints_readable_lines(tmp_path):
    code, output = build(str(SEEDS), "-o", str(tmp_path / "out"), "--dry-run")
    assert code == 0, output
    lines = output.splitlines()
    assert lines[0].startswith("pipeline   default pipeline  (sha256 ")
    assert "target     en" in lines and "languages  any" in lines
    assert "   1. normalize.v1" in output and "translate.v2  target=en" in output
    assert f"  {SEEDS / 'bg-news.txt'}" in lines
    assert "InputRef(" not in output and "{" not in output.split("inputs (")[1]
    assert not (tmp_path / "out").exists()


def test_help_explains_every_option():
    result = CliRunner().invoke(cli, ["build", "--help"])
    assert result.exit_code == 0
    for option in ["--out", "--pipeline", "--target", "--languages", "--quiet", "--verbose"]:
        assert option in result.output


def test_seeds_folder_ships_multilingual_samples():
    names = {p.name for p in SEEDS.iterdir()}
    assert "sputnik-s400-turkey.txt" in names
    assert len(names) >= 4


def test_filtered_sentences_go_to_rejects_and_ids_stay(tmp_path):
    plain = tmp_path / "plain.toml"
    plain.write_text(NO_TRANSLATE, encoding="utf-8")
    filtered = tmp_path / "filtered.toml"
    filtered.write_text(
        NO_TRANSLATE + '[[steps]]\nuse = "sentence_filter"\nmin_words = 25\n', encoding="utf-8"
    )
    seed = str(SEEDS / "sputnik-s400-turkey.txt")
    assert build(seed, "-o", str(tmp_path / "a"), "-p", str(plain))[0] == 0
    assert build(seed, "-o", str(tmp_path / "b"), "-p", str(filtered))[0] == 0
    every = {r["id"]: r["text"] for r in rows(tmp_path / "a" / "sentences.jsonl")}
    kept = {r["id"]: r["text"] for r in rows(tmp_path / "b" / "sentences.jsonl")}
    rejects = rows(tmp_path / "b" / "rejects.jsonl")
    assert kept and rejects
    assert {r["reason"] for r in rejects} == {"too_short_words"}
    assert set(kept) | {r["id"] for r in rejects} == set(every)
    assert all(every[i] == text for i, text in kept.items())
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["sentences"]["dropped_by_reason"] == {
        "too_short_words": len(rejects)
    }
