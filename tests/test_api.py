"""The Python API (``import corpus``): each function on real inputs, and ``process``
giving the documents ``corpus build`` writes for the same records."""

from __future__ import annotations

import json
from pathlib import Path

import argos_fixture as af
import pytest
from paths import SEEDS

import corpus
from corpus.errors import ConfigError, ModelError
from corpus.records import Document

TEXTS = ["Hello world, this is a test.", "Привет, мир! Это проверка."]


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_process_acceptance_line_from_the_issue():
    assert [d.lang for d in corpus.process(TEXTS)] == ["en", "ru"]


def test_every_name_is_exported_and_documented():
    for name in corpus.__all__:
        value = getattr(corpus, name)
        if callable(value):
            assert value.__doc__, name
    assert {"build", "process", "detect", "split_sentences", "translate", "clean_html",
            "keep_lines"} <= set(dir(corpus))
    with pytest.raises(AttributeError):
        corpus.no_such_function  # noqa: B018


def test_process_is_what_build_writes_for_the_same_records(tmp_path):
    """The seeds' JSONL records through ``corpus.build`` and through ``corpus.process``
    (as dicts): same status, language, segments and sentences per document."""
    records = rows(SEEDS / "exports.jsonl")
    result = corpus.build([SEEDS / "exports.jsonl"], tmp_path / "out")
    assert result.manifest["counts"]
    built = rows(tmp_path / "out" / "documents.jsonl")
    segs = rows(tmp_path / "out" / "segments.jsonl")
    docs = list(corpus.process(records))
    assert len(docs) == len(built) == len(records)
    for doc, row in zip(docs, built, strict=True):
        assert (doc.status, doc.lang, doc.meta.get("url")) == (row["status"], row["lang"],
                                                                row["url"])
        mine = [(s.text, s.kept, s.kind, s.lang) for s in doc.segments]
        theirs = [(s["text"], s["kept"], s["kind"], s["lang"]) for s in segs
                  if s["doc_id"] == row["id"]]
        assert mine == theirs


def test_process_one_document_per_item_in_order_with_reasons():
    items = [
        {"id": "a", "url": "https://example.org/a", "text": TEXTS[0]},
        None,  # e.g. a missing value in a DataFrame column
        {"id": "b"},  # no text field
        TEXTS[0],  # an exact duplicate of the first: dropped by the dedup step
        TEXTS[1],
    ]
    docs = list(corpus.process(iter(items)))  # any iterable, read lazily
    assert [d.status for d in docs] == [
        "kept", "dropped:no_text", "dropped:no_text_field", docs[3].status, "kept"]
    assert docs[3].status.startswith("dropped:duplicate")
    assert docs[0].meta == {"id": "a", "url": "https://example.org/a"}
    assert all(isinstance(d, Document) for d in docs)
    assert [d.source.record for d in docs] == [1, 2, 3, 4, 5]


def test_process_skip_translate_leaves_sentences_untouched():
    doc = next(iter(corpus.process([TEXTS[1]], skip={"translate"})))
    assert [s.pending for seg in doc.segments for s in seg.sentences] == [None, None]
    doc = next(iter(corpus.process([TEXTS[1]], models_dir="/nonexistent-models")))
    assert {s.pending for seg in doc.segments for s in seg.sentences} == {"ru-en"}


def test_process_rejects_one_string_and_bad_flags():
    with pytest.raises(TypeError, match="wrap one text"):
        corpus.process(TEXTS[0])  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="target"):
        corpus.process(TEXTS, target="xx-not-a-language")


def test_process_with_pandas_and_hf_datasets():
    pd = pytest.importorskip("pandas")
    datasets = pytest.importorskip("datasets")
    df = pd.DataFrame({"text": [*TEXTS, None]})
    df["lang"] = [d.lang for d in corpus.process(df["text"], skip={"translate"})]
    assert df["lang"].tolist() == ["en", "ru", "und"]
    records = df[["text"]].dropna().to_dict("records")
    assert [d.lang for d in corpus.process(records, skip={"translate"})] == ["en", "ru"]

    ds = datasets.Dataset.from_dict({"text": TEXTS})

    def tag(batch: dict) -> dict:
        docs = corpus.process(batch["text"], skip={"translate"})
        return {"lang": [d.lang for d in docs]}

    assert ds.map(tag, batched=True)["lang"] == ["en", "ru"]


def test_build_rejects_unknown_options(tmp_path):
    with pytest.raises(ConfigError, match="known: workers"):
        corpus.build(SEEDS / "exports.jsonl", tmp_path / "out", wrokers=2)
    assert not (tmp_path / "out").exists()


def test_detect_and_split_sentences():
    guess = corpus.detect("Это проверка языка.")
    assert (guess.lang, guess.script) == ("ru", "Cyrillic")
    assert corpus.detect("Это проверка языка.", languages=["en", "uk"]).lang != "ru"
    assert corpus.split_sentences("Dr. Smith came. He left at 5 p.m. today.", "en") == [
        "Dr. Smith came.", "He left at 5 p.m. today."]


def test_clean_html_and_keep_lines_are_exported():
    page = (SEEDS / "de-museum.html").read_text(encoding="utf-8")
    text = corpus.clean_html(page)
    assert text and "<" not in text
    assert corpus.keep_lines(["Home", "", "A long line of real text, as a paragraph has it."],
                             lang="en")[1] is False


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory) -> Path:
    """A real Argos package ru→en that copies its input (tests/argos_fixture.py)."""
    dest = tmp_path_factory.mktemp("argos")
    root = dest / "models"
    af.install(af.build_package(dest, "ru", "en", kind="copy", text=TEXTS), root)
    return root


def test_translate_through_the_engine(models_dir):
    out = corpus.translate([TEXTS[1], "Привет, мир!"], "ru", "en", models_dir=models_dir,
                           use_cache=False)
    # the copy model gives each sentence back; the two sentences are joined by a space
    assert out == [TEXTS[1], "Привет, мир!"]
    with pytest.raises(ModelError, match="corpus models install de en"):
        corpus.translate(["Hallo"], "de", "en", models_dir=models_dir, use_cache=False)
    with pytest.raises(TypeError):
        corpus.translate("Привет", "ru", "en", models_dir=models_dir)  # type: ignore[arg-type]
