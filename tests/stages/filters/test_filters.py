"""Training-data filter steps: each drop has a reason, counted and kept as an example."""

from __future__ import annotations

import pytest
from records_fixture import doc_of

from corpus.config import build_step
from corpus.errors import ConfigError
from corpus.stages.dedup.sentences import SentenceDedup
from corpus.stages.filters.step import DocumentFilter, PairFilter, SentenceFilter

# --- filter steps -----------------------------------------------------------------------


FILTER_CASES = [
    ({"min_words": 3}, "Too short.", "too_short_words"),
    ({"max_chars": 30}, "This sentence is longer than thirty characters.", "too_long_chars"),
    ({"min_letter_ratio": 0.6}, "Call 555-1234-5678 or 555-0000!", "low_letter_ratio"),
    ({"max_digit_ratio": 0.3}, "Version 2024.10.11 build 445566 ok", "high_digit_ratio"),
    ({"max_punct_ratio": 0.3}, "Wow!!! ... ??? *** ok ---", "high_punct_ratio"),
    ({"min_script_purity": 0.9}, "Это mixed текст with два scripts", "mixed_script"),
    ({"max_repeated_token_ratio": 0.5}, "buy buy buy buy buy now now", "repeated_tokens"),
    ({"min_lang_prob": 0.95}, "An ordinary sentence here.", "low_lang_prob"),
    ({"keep_languages": ["ru"]}, "An ordinary sentence here.", "unwanted_lang"),
]


@pytest.mark.parametrize(("params", "text", "reason"), FILTER_CASES)
def test_sentence_filter_drops_with_reason(params, text, reason):
    keep = "The river town is green."
    step = SentenceFilter(**params)
    # language checks apply to every sentence of the fixture alike: test those alone
    doc = doc_of([text]) if reason.endswith("lang_prob") or reason.endswith("_lang") else (
        doc_of([keep, text]))
    [out] = list(step([doc]))
    kept = [s.text for seg in out.segments for s in seg.sentences if s.kept]
    assert text not in kept
    stats = step.stats()
    assert stats["dropped"] == {reason: 1}
    assert list(stats["rejects"].values()) == [f"{reason}: {text}"]
    if kept:
        assert kept == [keep]
    else:
        assert not out.segments[0].kept and out.segments[0].reason == "sentences_filtered"


def test_sentence_filter_keeps_clean_text_and_records_original_ids():
    step = SentenceFilter(min_words=2)
    doc = doc_of(["Hi.", "This stays here.", "Ok.", "And this too."])
    list(step([doc]))
    kept = [s.text for s in doc.segments[0].sentences if s.kept]
    assert kept == ["This stays here.", "And this too."]
    assert list(step.stats()["rejects"]) == ["d1:0:0", "d1:0:2"]
    assert step.stats()["in"] == 4 and step.stats()["kept"] == 2


def test_filter_steps_are_configurable_from_a_pipeline_table():
    step = build_step({"use": "sentence_filter", "min_words": 3, "max_chars": 500}, where="t")
    assert isinstance(step, SentenceFilter) and step.min_words == 3
    with pytest.raises(ConfigError, match="min_wrods"):
        build_step({"use": "sentence_filter", "min_wrods": 3}, where="t")
    assert build_step({"use": "pair_filter", "drop": "sentence"}, where="t").drop == "sentence"
    assert build_step({"use": "near_dedup", "shingle": "char"}, where="t").shingle == "char"


def test_sentence_dedup_is_corpus_wide_and_ignores_case_and_punctuation():
    step = SentenceDedup()
    a = doc_of(["Hello, world!", "Unique one."], doc_id="a")
    b = doc_of(["hello world", "Unique two."], doc_id="b")
    list(step([a, b]))
    assert [s.text for s in b.segments[0].sentences if s.kept] == ["Unique two."]
    assert step.stats()["dropped"] == {"duplicate_sentence": 1}
    exact = SentenceDedup(exact=True)
    c, d = doc_of(["Hello, world!"], doc_id="c"), doc_of(["hello world"], doc_id="d")
    list(exact([c, d]))
    assert d.segments[0].sentences


PAIR_CASES = [
    ("Москва — столица России.", "Москва — столица России.", "identical"),
    ("Привет, мир!", "привет мир", "identical"),
    ("Der Hund läuft schnell über die Straße.",
     "Der Hund rennt schnell über die Straße.", "untranslated"),
    ("Кошка спит на диване весь день.", "Кошка спит на диване целый день.", "untranslated"),
    ("Кошка спит.", "The cat is sleeping on the sofa all day long while the dog "
     "runs in the garden and the birds sing in the trees.", "length_ratio"),
    ("Кошка спит на диване весь день.", "Le chat dort sur le canapé toute la journée.",
     "translation_wrong_lang"),
]


@pytest.mark.parametrize(("src", "tgt", "reason"), PAIR_CASES)
def test_pair_filter_drops_bad_translations(src, tgt, reason):
    good_src, good_tgt = "Собака бежит по улице.", "The dog runs down the street."
    step = PairFilter()
    doc = doc_of([src, good_src], lang="ru", translations={src: tgt, good_src: good_tgt})
    list(step([doc]))
    sents = doc.segments[0].sentences
    assert sents[0].translation is None and sents[0].text == src  # kept as mono text
    assert sents[1].translation is not None
    assert step.stats()["dropped"] == {reason: 1} and step.stats()["in"] == 2


def test_pair_filter_can_drop_the_whole_sentence():
    step = PairFilter(drop="sentence")
    doc = doc_of(["Привет, мир!", "Собака бежит по улице."], lang="ru",
                 translations={"Привет, мир!": "Привет, мир!",
                               "Собака бежит по улице.": "The dog runs down the street."})
    list(step([doc]))
    assert [s.text for s in doc.segments[0].sentences if s.kept] == ["Собака бежит по улице."]


def test_document_filter_drops_repetitive_documents():
    step = DocumentFilter(max_repeated_line_ratio=0.3, min_words=3)
    spam = doc_of(["Buy now."], ["Buy now."], ["Buy now."], ["Real text here."], doc_id="s")
    short = doc_of(["Hi."], doc_id="t")
    fine = doc_of(["One line of text."], ["Another line of text."], doc_id="f")
    list(step([spam, short, fine]))
    assert spam.status == "dropped:repetitive" and short.status == "dropped:too_few_words"
    assert fine.kept




def test_sentence_dedup_decides_the_same_within_any_memory_budget(tmp_path):
    """Its index is a RunStore like the other dedups: bounded, spilled, same answers."""
    from corpus.registry import RunContext

    def docs():
        texts = [f"Sentence number {i % 800} of the stream, told again." for i in range(1600)]
        return [doc_of(texts[i:i + 8], doc_id=f"d{i}") for i in range(0, len(texts), 8)]

    def decisions(step):
        return [[s.kept for seg in d.segments for s in seg.sentences] for d in step(docs())]

    roomy = SentenceDedup()
    tiny = SentenceDedup(memory_mb=0.002)
    tiny.attach(RunContext(state_dir=tmp_path, slot="00-sentence_dedup"))
    assert decisions(tiny) == decisions(roomy)
    assert tiny._seen.disk_runs > 0 and roomy._seen.disk_runs == 0
    assert tiny.stats()["distinct"] == roomy.stats()["distinct"] == 800
    tiny.close()
