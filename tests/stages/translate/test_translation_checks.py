"""Translation checks: each flag on literal pairs, then each through real (tiny) models.

The model cases run the real translate step over packages built by
``tests/argos_fixture.py``: a copy model copies, a random model that never reaches
``</s>`` loops until the length limit, a decoding limit of three pieces cuts sentences
short.
"""

from __future__ import annotations

from pathlib import Path

import argos_fixture as af
import pytest
import test_translate  # noqa: F401  (keeps argostranslate's settings off $HOME)

from corpus.config import build_step
from corpus.errors import ConfigError
from corpus.records import TRANSLATION_FLAGS, Document, Segment, Sentence, Source
from corpus.stages.translate.checks import (
    CHECKS,
    CheckSettings,
    check_pairs,
    length_bounds,
    longest_loop,
)
from corpus.stages.translate.step import Translate

ALL = CheckSettings()

PAIRS = [  # source, output, source language, target, flags
    ("Кошка спит на диване.", "The cat is sleeping on the sofa.", "ru", "en", ()),
    ("Кошка спит на диване.", "", "ru", "en", ("empty",)),
    ("Кошка спит на диване.", "   ", "ru", "en", ("empty",)),
    ("Кошка спит на диване.", "Кошка спит на диване.", "ru", "en", ("copy", "wrong_lang")),
    ("Кошка спит на диване.", "кошка спит на диване", "ru", "en", ("copy", "wrong_lang")),
    ("Der Hund läuft schnell über die Straße.", "Der Hund rennt schnell über die Straße.",
     "de", "en", ("copy", "wrong_lang")),  # 5 of 6 words reused
    ("Кошка спит на диване весь день.", "Le chat dort sur le canapé toute la journée.",
     "ru", "en", ("wrong_lang",)),
    ("Кошка спит на диване весь день.", "Cat.", "ru", "en", ("length_ratio",)),
    ("Кошка спит.", "The cat is sleeping on the sofa all day long while the dog runs in the "
     "garden and the birds sing.", "ru", "en", ("length_ratio",)),
    ("Кошка спит на диване.", "The cat sleeps on the the the the the the sofa.", "ru", "en",
     ("loop",)),
    ("Ха-ха-ха-ха-ха, очень смешно.", "Ha-ha-ha-ha-ha, that is very funny.", "ru", "en",
     ()),  # the source loops as much
    ("Да.", "Yes.", "ru", "en", ()),  # too short to judge a length ratio
    ("Москва", "Moscow", "ru", "en", ()),
    ("这只猫整天睡在沙发上。", "The cat sleeps on the sofa all day.", "zh", "en", ()),  # 3× longer
]


@pytest.mark.parametrize(("src_text", "out", "src", "tgt", "flags"), PAIRS)
def test_each_check_on_literal_pairs(src_text, out, src, tgt, flags):
    assert check_pairs([src_text], [out], src, tgt, ALL) == [flags]


def test_only_the_checks_asked_for_run():
    copy = ("Кошка спит на диване.", "Кошка спит на диване.")
    only_lang = CheckSettings(checks=("wrong_lang",))
    assert check_pairs([copy[0]], [copy[1]], "ru", "en", only_lang) == [("wrong_lang",)]
    assert check_pairs([copy[0]], [copy[1]], "ru", "en", CheckSettings(checks=())) == [()]


def test_every_flag_has_a_description():
    assert set(CHECKS) == set(TRANSLATION_FLAGS)
    assert all(TRANSLATION_FLAGS[name] for name in CHECKS)


def test_length_bounds_depend_on_the_pair_and_can_be_set_per_pair():
    low, high = length_bounds("ru", "en", 3.0, {})
    assert low < 1 / 1.14 < high and high == pytest.approx(3 / 1.14)
    zh_low, zh_high = length_bounds("zh", "en", 3.0, {})
    assert zh_low > low and zh_high > high  # English is longer than Chinese in characters
    assert length_bounds("ru", "en", 3.0, {"ru-en": (0.5, 1.5)}) == (0.5, 1.5)
    strict = CheckSettings(length_ratio={"ru-en": (0.95, 1.05)})
    pair = ("Кошка спит на диване.", "The cat sleeps on the couch.")
    assert check_pairs([pair[0]], [pair[1]], "ru", "en", strict) == [("length_ratio",)]


@pytest.mark.parametrize(("text", "covered"), [
    ("a plain sentence", 0),
    ("the the the the", 12),  # "the " three times (the last "the" has no space)
    ("єєєєєєєєєєєєєєєє", 16),
    ("!!!!!!!!!!!!!!!!", 0),  # no letter: punctuation runs are not loops
    ("KгєlKгєlKгєlK", 12),
])
def test_longest_loop(text, covered):
    assert longest_loop(text) == covered


# -- through the step, with real models -----------------------------------------------
RU = [
    "Привет, мир!",
    "Это тестовый текст на русском языке.",
    "Съешь же ещё этих мягких французских булок, да выпей чаю.",
    "Городской совет утвердил новый бюджет после долгого обсуждения во вторник.",
]
TINY = {"layers": 2, "d_model": 64, "heads": 4, "ffn": 128}


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    """ru→en packages, each in its own models directory: copy, and random weights that
    never reach ``</s>``."""
    dest = tmp_path_factory.mktemp("pkgs")
    out = {}
    for name, kind, args in (("copy", "copy", None), ("random", "random", TINY)):
        root = tmp_path_factory.mktemp(f"models-{name}")
        af.install(af.build_package(dest / name, "ru", "en", kind=kind, text=RU,
                                    spec_args=args), root)
        out[name] = root
    return out


def translate(models_dir: Path, cache: Path, texts: list[str], **params) -> list[Sentence]:
    doc = Document(id="d", source=Source(path="d.txt"))
    doc.segments = [Segment(text=t, span=(0, 0), sentences=[Sentence(t, (0, len(t)), lang="ru")])
                    for t in texts]
    step = Translate(models_dir=str(models_dir), cache=str(cache), **params)
    try:
        (out,) = step([doc])
    finally:
        step.close()
    return [seg.sentences[0] for seg in out.segments]


def test_a_copy_model_is_flagged_copy(models, tmp_path):
    for sent in translate(models["copy"], tmp_path / "c.sqlite", RU):
        assert sent.translation.text == sent.text
        assert sent.translation.flags == ("copy", "wrong_lang")


def test_a_model_that_never_stops_is_flagged_loop(models, tmp_path):
    sents = translate(models["random"], tmp_path / "c.sqlite", RU)  # 256 pieces each
    for sent in sents:
        assert "loop" in sent.translation.flags, sent.translation.text
        assert longest_loop(sent.translation.text) >= 12


def test_output_cut_short_is_flagged_length_ratio(models, tmp_path):
    sents = translate(models["random"], tmp_path / "c.sqlite", RU, max_decoding_length=3)
    for sent in sents:
        assert len(sent.translation.text) <= 3
        assert "length_ratio" in sent.translation.flags


def test_output_of_only_spaces_is_flagged_empty(models, tmp_path):
    (sent,) = translate(models["copy"], tmp_path / "c.sqlite", ["___"])  # argos: "_" → " "
    assert sent.translation.text.strip() == ""
    assert sent.translation.flags == ("empty",)


def test_checks_can_be_turned_off(models, tmp_path):
    sents = translate(models["copy"], tmp_path / "c.sqlite", RU, checks=[])
    assert all(s.translation.flags == () for s in sents)


def test_check_parameters_are_validated_like_any_other():
    where = "test.toml"
    with pytest.raises(ConfigError, match="checks: unknown spelling"):
        build_step({"use": "translate", "checks": ["copy", "spelling"]}, where=where)
    with pytest.raises(ConfigError, match="length_ratio"):
        build_step({"use": "translate", "length_ratio": {"ru-en": [2.0, 1.0]}}, where=where)
    step = build_step({"use": "translate", "length_ratio": {"ru-en": [0.5, 2]}}, where=where)
    assert step.check_settings().bounds("ru", "en") == (0.5, 2.0)
