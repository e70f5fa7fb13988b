"""Training-data outputs: splits, export formats, SentencePiece, and the filter steps.

OUT folders are written here directly in the layout `corpus build` produces
(sentences.jsonl, documents.jsonl, mono/, parallel/, manifest.json), so these tests do not
depend on the build pipeline; one end-to-end test goes through `corpus build`.
"""

from __future__ import annotations

import importlib.util
import json
import random
import xml.etree.ElementTree as ET
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from records_fixture import doc_of

import corpus.stages.dedup.near  # noqa: F401  (registers near_dedup)
from corpus.cli.export import export as export_cli
from corpus.cli.spm import spm as spm_cli
from corpus.errors import ConfigError
from corpus.export.formats import schema
from corpus.export.splits import Splitter, parse_ratios
from corpus.stages.filters.step import SentenceFilter

EN = ["the", "a", "river", "town", "market", "bread", "cold", "summer", "winter", "friend",
      "house", "road", "light", "green", "old", "new"]
RU = ["река", "город", "рынок", "хлеб", "холодный", "лето", "зима", "друг", "дом", "дорога",
      "свет", "зелёный", "большой"]

HAS_DATASETS = importlib.util.find_spec("datasets") is not None


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _sentence(rng: random.Random, words: list[str], n: int) -> str:
    return " ".join(rng.choice(words) for _ in range(n)).capitalize() + "."


def make_out(tmp_path: Path, *, docs: int = 40, per_doc: int = 6, seed: int = 0) -> Path:
    """A small OUT folder: Russian sentences translated to English, English ones mono.

    Texts are chosen to exercise escaping: every 7th Russian sentence carries ``<&>"'``
    and a tab, and one carries a control character that XML cannot hold.
    """
    rng = random.Random(seed)
    out = tmp_path / "out"
    (out / "mono").mkdir(parents=True)
    (out / "parallel").mkdir()
    rows, documents = [], []
    mono: dict[str, list[str]] = {"ru": [], "en": []}
    par: list[tuple[str, str, str]] = []
    for d in range(docs):
        doc_id = f"{d:04x}" * 4
        lang = "ru" if d % 3 else "en"
        for s in range(per_doc):
            text = _sentence(rng, RU if lang == "ru" else EN, rng.randint(4, 12))
            if lang == "ru" and s == 0 and d % 7 == 1:
                text = 'Цитата <b>&amp; "кавычки"\tи \'апостроф\' \x07 конец.'
            translation = None
            if lang == "ru":
                en = _sentence(rng, EN, rng.randint(4, 12))
                translation = {"text": en, "target": "en", "model": "translate-ru_en-1.9"}
                par.append((f"{doc_id}:{s}:0", text, en))
            mono[lang].append(text)
            rows.append({
                "id": f"{doc_id}:{s}:0", "doc_id": doc_id, "segment": s, "span": [0, len(text)],
                "text": text, "lang": lang, "lang_prob": 0.99, "translation": translation,
                "pending": None,
            })
        documents.append({"id": doc_id, "source": {"path": f"site/{d}.html", "sha256": ""},
                          "status": "kept", "lang": lang, "url": f"https://example.org/{d}",
                          "title": f"Page {d}"})
    with open(out / "sentences.jsonl", "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    with open(out / "documents.jsonl", "w", encoding="utf-8") as fh:
        for row in documents:
            fh.write(json.dumps(row) + "\n")
    for lang, lines in mono.items():
        (out / "mono" / f"{lang}.txt").write_text(
            "".join(" ".join(t.split()) + "\n" for t in lines), encoding="utf-8"
        )
    for ext, col in (("ids", 0), ("ru", 1), ("en", 2)):
        (out / "parallel" / f"ru-en.{ext}").write_text(
            "".join(" ".join(p[col].split()) + "\n" for p in par), encoding="utf-8"
        )
    (out / "manifest.json").write_text(json.dumps({"tool": "corpus", "counts": {}}))
    return out


# --- splits -----------------------------------------------------------------------------


def test_split_is_deterministic_by_document_and_close_to_ratios():
    splitter = Splitter.parse("train=0.8,dev=0.1,test=0.1")
    ids = [f"doc{i}" for i in range(20000)]
    first = [splitter(i) for i in ids]
    assert first == [Splitter.parse("train=0.8,dev=0.1,test=0.1")(i) for i in ids]
    share = {name: first.count(name) / len(ids) for name in ("train", "dev", "test")}
    assert abs(share["train"] - 0.8) < 0.015 and abs(share["dev"] - 0.1) < 0.01
    other = [Splitter.parse("train=0.8,dev=0.1,test=0.1", seed="x")(i) for i in ids]
    assert other != first  # the seed changes the assignment


def test_split_ratios_are_normalised_and_validated():
    assert parse_ratios("train=8,test=2") == (("train", 0.8), ("test", 0.2))
    for bad in ("train", "train=x", "train=-1", "train=0", "train=1,train=2", "a b=1"):
        with pytest.raises(ConfigError):
            parse_ratios(bad)


# --- export -----------------------------------------------------------------------------


def test_export_parquet_one_row_per_sentence_with_translation(tmp_path):
    out = make_out(tmp_path)
    result = CliRunner().invoke(export_cli, [str(out), "--format", "parquet"])
    assert result.exit_code == 0, result.output
    table = pq.read_table(out / "export" / "parquet" / "all.parquet")
    assert table.schema.equals(schema(), check_metadata=False)
    source = read_jsonl(out / "sentences.jsonl")
    assert table.num_rows == len(source)
    df = table.to_pandas()
    assert list(df["id"]) == [r["id"] for r in source]
    ru = df[df["lang"] == "ru"]
    assert ru["translation"].notna().all() and (ru["target"] == "en").all()
    assert df[df["lang"] == "en"]["translation"].isna().all()
    at = next(i for i, r in enumerate(source) if r["translation"])
    assert df.iloc[at]["translation"] == source[at]["translation"]["text"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["tool"] == "corpus"  # the rest of the manifest is kept
    assert manifest["exports"]["parquet"]["rows"] == {"all": len(source)}


def test_export_rows_carry_the_documents_source_and_url(tmp_path):
    out = make_out(tmp_path, docs=5)
    assert CliRunner().invoke(export_cli, [str(out), "-f", "jsonl", "-f", "parquet"]).exit_code == 0
    rows = read_jsonl(out / "export" / "jsonl" / "all.jsonl")
    docs = {d["id"]: d for d in read_jsonl(out / "documents.jsonl")}
    assert rows and all(r["source"] == docs[r["doc_id"]]["source"]["path"] for r in rows)
    assert all(r["url"] == docs[r["doc_id"]]["url"] for r in rows)
    df = pq.read_table(out / "export" / "parquet" / "all.parquet").to_pandas()
    assert list(df["source"]) == [r["source"] for r in rows]
    assert list(df["url"]) == [r["url"] for r in rows]


def test_export_datatrove_one_document_per_row(tmp_path):
    out = make_out(tmp_path, docs=6, per_doc=3)
    result = CliRunner().invoke(export_cli, [str(out), "-f", "datatrove", "--split"])
    assert result.exit_code == 0, result.output
    sentences = read_jsonl(out / "sentences.jsonl")
    rows = [r for split in ("train", "dev", "test")
            for r in read_jsonl(out / "export" / "datatrove" / f"{split}.jsonl")]
    assert sorted(r["id"] for r in rows) == sorted({s["doc_id"] for s in sentences})
    for row in rows:
        assert set(row) == {"id", "text", "metadata"}
        mine = [s for s in sentences if s["doc_id"] == row["id"]]
        assert row["text"] == "\n".join(s["text"] for s in mine)  # one sentence a segment
        meta = row["metadata"]
        n = int(row["id"][:4], 16)
        assert meta["source"] == f"site/{n}.html" and meta["url"] == f"https://example.org/{n}"
        assert meta["title"] == f"Page {n}" and meta["sentences"] == 3
        assert meta["translated"] == sum(1 for s in mine if s["translation"])
        assert meta["languages"] == {mine[0]["lang"]: 3}


def test_export_split_never_splits_a_document_and_covers_all_rows(tmp_path):
    out = make_out(tmp_path, docs=60)
    args = [str(out), "-f", "jsonl", "-f", "moses", "--split", "--ratios",
            "train=0.6,dev=0.2,test=0.2"]
    assert CliRunner().invoke(export_cli, args).exit_code == 0
    seen: dict[str, str] = {}
    total = 0
    for split in ("train", "dev", "test"):
        for row in read_jsonl(out / "export" / "jsonl" / f"{split}.jsonl"):
            total += 1
            assert seen.setdefault(row["doc_id"], split) == split
    assert total == 60 * 6
    assert set(seen.values()) == {"train", "dev", "test"}
    moses = out / "export" / "moses"
    for split in ("train", "dev", "test"):
        src = (moses / f"{split}.ru-en.ru").read_text(encoding="utf-8").splitlines()
        tgt = (moses / f"{split}.ru-en.en").read_text(encoding="utf-8").splitlines()
        ids = (moses / f"{split}.ru-en.ids").read_text(encoding="utf-8").splitlines()
        assert len(src) == len(tgt) == len(ids) > 0
        assert all(seen[i.rsplit(":", 2)[0]] == split for i in ids)
        assert all("\t" not in line for line in src)
    # a second run gives byte-identical files
    before = {p.name: p.read_bytes() for p in moses.iterdir()}
    assert CliRunner().invoke(export_cli, args).exit_code == 0
    assert {p.name: p.read_bytes() for p in moses.iterdir()} == before


def test_export_tmx_is_valid_xml_with_escaped_text(tmp_path):
    out = make_out(tmp_path)
    assert CliRunner().invoke(export_cli, [str(out), "-f", "tmx"]).exit_code == 0
    path = out / "export" / "tmx" / "all.ru-en.tmx"
    root = ET.parse(path).getroot()  # raises on invalid XML
    assert root.tag == "tmx" and root.find("header").get("srclang") == "ru"
    units = root.find("body").findall("tu")
    pairs = sum(1 for row in read_jsonl(out / "sentences.jsonl") if row["translation"])
    assert len(units) == pairs
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    texts = [tu.findall("tuv")[0].find("seg").text for tu in units]
    assert [tu.findall("tuv")[1].get(xml_lang) for tu in units] == ["en"] * len(units)
    quoted = [t for t in texts if "<b>" in t]
    assert quoted and quoted[0].startswith('Цитата <b>&amp; "кавычки"') and "\x07" not in quoted[0]


def test_export_tsv_has_two_columns(tmp_path):
    out = make_out(tmp_path)
    assert CliRunner().invoke(export_cli, [str(out), "-f", "tsv"]).exit_code == 0
    lines = (out / "export" / "tsv" / "all.ru-en.tsv").read_text(encoding="utf-8").splitlines()
    assert lines and all(len(line.split("\t")) == 2 for line in lines)


def test_export_rejects_a_folder_that_is_not_a_build_output(tmp_path):
    result = CliRunner().invoke(export_cli, [str(tmp_path), "-f", "jsonl"])
    assert result.exit_code == 2 and "sentences.jsonl" in result.output


@pytest.mark.skipif(not HAS_DATASETS, reason="the `datasets` package is not installed")
def test_export_hf_loads_with_datasets(tmp_path):
    import datasets

    out = make_out(tmp_path)
    # 40 documents at 1% dev and test: empty splits must still load
    assert CliRunner().invoke(export_cli, [str(out), "-f", "hf", "--split"]).exit_code == 0
    dd = datasets.load_from_disk(str(out / "export" / "hf"))
    assert sum(len(dd[s]) for s in dd) == 40 * 6 and set(dd) == {"train", "dev", "test"}
    args = [str(out), "-f", "hf", "-f", "parquet", "--ratios", "train=0.5,dev=0.25,test=0.25"]
    result = CliRunner().invoke(export_cli, args)
    assert result.exit_code == 0, result.output
    dd = datasets.load_from_disk(str(out / "export" / "hf"))
    assert min(len(dd[s]) for s in dd) > 0
    assert set(dd) == {"train", "dev", "test"}
    assert sum(len(dd[s]) for s in dd) == 40 * 6
    assert dd["train"].column_names == list(schema().names)
    files = {s: str(out / "export" / "parquet" / f"{s}.parquet") for s in ("train", "test")}
    loaded = datasets.load_dataset("parquet", data_files=files, cache_dir=str(tmp_path / "c"))
    assert len(loaded["train"]) == len(dd["train"])
    assert not list((out / "export").glob(".*"))  # no scratch or staging folders left
    assert CliRunner().invoke(export_cli, [str(out), "-f", "hf"]).exit_code == 0
    assert len(datasets.load_from_disk(str(out / "export" / "hf"))) == 40 * 6  # one Dataset


# --- SentencePiece ----------------------------------------------------------------------


def test_spm_train_writes_model_beside_corpus_and_records_it(tmp_path):
    out = make_out(tmp_path, docs=60)
    runner = CliRunner()
    args = ["train", str(out), "--vocab-size", "120", "--model-type", "bpe", "--sample", "200"]
    result = runner.invoke(spm_cli, args)
    assert result.exit_code == 0, result.output
    model = out / "spm" / "bpe-120.model"
    assert model.is_file() and (out / "spm" / "bpe-120.vocab").is_file()
    entry = json.loads((out / "manifest.json").read_text())["spm"]["bpe-120"]
    assert entry["pieces"] == 120
    assert entry["config"]["model_type"] == "bpe" and entry["config"]["sample"] == 200
    assert entry["inputs"] == ["mono/en.txt", "mono/ru.txt", "parallel/ru-en.en"]
    first = model.read_bytes()
    assert runner.invoke(spm_cli, args).exit_code == 0
    assert model.read_bytes() == first  # seeded: same corpus, same model
    text = tmp_path / "in.txt"
    text.write_text("Река и город.\nThe river town.\n", encoding="utf-8")
    enc = runner.invoke(spm_cli, ["encode", str(model), str(text)])
    assert enc.exit_code == 0, enc.output
    lines = enc.output.splitlines()
    assert len(lines) == 2 and "▁" in lines[0] and " " in lines[1]
    ids = runner.invoke(spm_cli, ["encode", str(out), str(text), "--ids"])
    assert all(tok.isdigit() for tok in ids.output.split())


def test_spm_vocab_larger_than_corpus_is_a_smaller_model_or_a_clear_error(tmp_path):
    out = make_out(tmp_path, docs=10)
    runner = CliRunner()
    soft = runner.invoke(spm_cli, ["train", str(out), "--vocab-size", "8000", "--lang", "ru"])
    assert soft.exit_code == 0, soft.output
    assert "fewer than --vocab-size 8000" in soft.output
    spm = json.loads((out / "manifest.json").read_text())["spm"]
    [(name, entry)] = spm.items()
    # named by the pieces it really holds, not by the 8000 asked for
    assert entry["pieces"] < 8000 and name == f"unigram-{entry['pieces']}"
    assert (out / "spm" / f"{name}.model").is_file()
    assert not (out / "spm" / "unigram-8000.model").exists()
    assert entry["inputs"] == ["mono/ru.txt"] and entry["config"]["vocab_size"] == 8000
    hard = runner.invoke(spm_cli, ["train", str(out), "--vocab-size", "8000",
                                   "--hard-vocab-limit", "--name", "strict"])
    assert hard.exit_code == 2 and "Vocabulary size too high" in hard.output
    none = runner.invoke(spm_cli, ["train", str(out), "--lang", "de"])
    assert none.exit_code == 2 and "nothing to train on for de" in none.output


# --- filters that need a trained model ----------------------------------------------


def test_sentence_filter_token_bounds_use_the_spm_model(tmp_path):
    out = make_out(tmp_path, docs=30)
    assert CliRunner().invoke(spm_cli, ["train", str(out), "--vocab-size", "120"]).exit_code == 0
    model = str(out / "spm" / "unigram-120.model")
    step = SentenceFilter(spm_model=model, max_tokens=8)
    long = "Река город рынок хлеб холодный лето зима друг дом дорога свет."
    doc = doc_of(["Река.", long], lang="ru")
    list(step([doc]))
    assert [s.text for s in doc.segments[0].sentences if s.kept] == ["Река."]
    assert step.stats()["dropped"] == {"too_long_tokens": 1}
    with pytest.raises(ValueError, match="spm_model"):
        SentenceFilter(max_tokens=3)


# --- end to end -------------------------------------------------------------------------


def test_build_then_filter_near_dedup_and_export(tmp_path):
    pytest.importorskip("corpus.ingest")
    from corpus.cli import cli

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    rng = random.Random(3)
    base = [_sentence(rng, EN, 10) for _ in range(12)]
    (seeds / "a.txt").write_text("\n\n".join(base), encoding="utf-8")
    near = list(base)
    near[3] = "A completely different sentence appears in this copy of the page."
    (seeds / "b.txt").write_text("\n\n".join(near), encoding="utf-8")
    (seeds / "c.txt").write_text(
        "\n\n".join(_sentence(rng, EN, 10) for _ in range(12)), encoding="utf-8")
    pipeline = tmp_path / "p.toml"
    pipeline.write_text(
        '[[steps]]\nuse = "normalize"\n\n[[steps]]\nuse = "near_dedup"\nthreshold = 0.6\n\n'
        '[[steps]]\nuse = "langid"\n\n[[steps]]\nuse = "segment"\n\n'
        '[[steps]]\nuse = "sentence_filter"\nmin_words = 3\n', encoding="utf-8")
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(cli, ["build", str(seeds), "-o", str(out), "-p", str(pipeline), "-q"])
    assert result.exit_code == 0, result.output
    docs = read_jsonl(out / "documents.jsonl")
    statuses = sorted(d["status"].split(" of ")[0] for d in docs)
    assert statuses == ["dropped:near-duplicate", "kept", "kept"]
    result = runner.invoke(cli, ["export", str(out), "-f", "parquet"])
    assert result.exit_code == 0, result.output
    table = pq.read_table(out / "export" / "parquet" / "all.parquet")
    assert table.num_rows == len(read_jsonl(out / "sentences.jsonl"))


def test_filter_stats_merge_across_workers_and_steps_pickle(tmp_path):
    import pickle

    from corpus.run.manifest import merge_stats

    out = make_out(tmp_path, docs=30)
    assert CliRunner().invoke(spm_cli, ["train", str(out), "--vocab-size", "120"]).exit_code == 0
    step = SentenceFilter(min_words=2, spm_model=str(out / "spm" / "unigram-120.model"),
                          max_tokens=200)
    list(step([doc_of(["Hi.", "Two words."], doc_id="a")]))  # loads the model
    clone = pickle.loads(pickle.dumps(step))  # what a process pool does with a step
    clone._reset()
    list(clone([doc_of(["Yo.", "Three more words."], doc_id="b")]))
    total = merge_stats(step.stats(), clone.stats())
    assert total["in"] == 4 and total["kept"] == 2
    assert total["dropped"] == {"too_short_words": 2}
    assert set(total["rejects"]) == {"a:0:0", "b:0:0"}
