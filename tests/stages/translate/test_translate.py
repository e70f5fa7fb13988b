"""Offline translation: models, engine, cache, the ``translate`` step and ``corpus models``.

Every model here is a real Argos package built by ``tests/argos_fixture.py`` and
installed with ``argostranslate.package.install_from_path``; nothing is mocked. The
network is blocked with a socket-level guard wherever the code must not use it.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

# argostranslate reads (and creates) these when first imported: keep it off $HOME.
if "argostranslate.settings" not in sys.modules:
    _ARGOS_HOME = tempfile.mkdtemp(prefix="corpus-test-argos-")
    for _var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        os.environ.setdefault(_var, os.path.join(_ARGOS_HOME, _var.lower()))
    os.environ.setdefault("ARGOS_PACKAGES_DIR", os.path.join(_ARGOS_HOME, "packages"))

import argos_fixture as af
import pytest
from click.testing import CliRunner
from paths import REPO

from corpus.config import build_step
from corpus.errors import ConfigError
from corpus.records import Document, Segment, Sentence, Source, Translation
from corpus.stages.translate.cache import TranslationCache, cache_key
from corpus.stages.translate.engine import Engine, EngineOptions, cuda_device_count, load_model
from corpus.stages.translate.models import ModelError, ModelStore
from corpus.stages.translate.step import Translate

RU = [
    "Привет, мир!",
    "Это тестовый текст на русском языке.",
    "Съешь же ещё этих мягких французских булок, да выпей чаю.",
    "Мягкий_текст с подчёркиванием.",  # argos reads "_" as a space
    "Короткая.",
    "Ещё одна строка\nи вторая строка.",  # argos translates line by line
    "Ω символ вне словаря",  # out of vocabulary: replace_unknowns copies it
]


# -- fixtures -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def packages(tmp_path_factory) -> dict[str, Path]:
    dest = tmp_path_factory.mktemp("argosmodels")
    return {
        "ru-en": af.build_package(dest, "ru", "en", kind="copy", text=RU),
        "en-uk": af.build_package(dest, "en", "uk", kind="upper", text=RU),
        "de-en": af.build_package(dest, "de", "en", kind="copy"),
        "ru-en-random": af.build_package(
            dest / "random", "ru", "en", kind="random", text=RU, version="2.0",
            spec_args={"layers": 2, "d_model": 64, "heads": 4, "ffn": 128, "eos_bias": 1.0},
        ),
    }


@pytest.fixture(scope="module")
def models_dir(packages, tmp_path_factory) -> Path:
    """ru→en (copy) and en→uk (upper-case); no de→en."""
    root = tmp_path_factory.mktemp("models")
    af.install(packages["ru-en"], root)
    af.install(packages["en-uk"], root)
    return root


class NetworkUsed(ConnectionRefusedError):
    """Raised by the guard: an OSError, like a real offline machine gives."""


def _guard(monkeypatch) -> list[str]:
    attempts: list[str] = []

    def refuse(*args, **kwargs):
        attempts.append(repr(args[-2:]))
        raise NetworkUsed(f"network blocked by the test: {args[-2:]!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


@pytest.fixture
def no_network(monkeypatch):
    """Blocks the network and fails the test if anything even tried to use it (an
    attempt caught and swallowed by library code is still recorded)."""
    attempts = _guard(monkeypatch)
    yield attempts
    assert attempts == [], f"network used: {attempts}"


@pytest.fixture
def offline(monkeypatch):
    """Blocks the network; attempts are expected (installing by name)."""
    return _guard(monkeypatch)


def doc(doc_id: str, *segments: list[tuple[str, str]], kept: bool = True) -> Document:
    d = Document(id=doc_id, source=Source(path=f"{doc_id}.txt"))
    for sents in segments:
        seg = Segment(text=" ".join(t for t, _ in sents), span=(0, 0))
        seg.sentences = [Sentence(text=t, span=(0, len(t)), lang=lang) for t, lang in sents]
        d.segments.append(seg)
    if not kept:
        d.drop("test")
    return d


# what the checks say of a copy (or upper-casing) model's output: the source, still in
# the source language
COPIED = ("copy", "wrong_lang")


def step(models_dir: Path, cache: Path, **kw) -> Translate:
    return Translate(models_dir=str(models_dir), cache=str(cache), **kw)


# -- models ---------------------------------------------------------------------------
def test_install_from_file_list_and_remove(packages, tmp_path, no_network):
    store = ModelStore(tmp_path / "m")
    assert store.list() == []
    installed = store.install_file(packages["de-en"])
    assert [(m.pair, m.version, m.id) for m in installed] == [
        ("de-en", "1.0", "translate-de_en-1.0")
    ]
    (listed,) = store.list()
    assert listed.path == tmp_path / "m" / "translate-de_en-1_0"
    assert listed.size_bytes() > 10_000
    assert store.find("de", "en") == listed
    assert [m.pair for m in store.remove("de", "en")] == ["de-en"]
    assert store.list() == [] and not listed.path.exists()
    with pytest.raises(ModelError, match="no de→en package is installed"):
        store.remove("de", "en")


def test_install_rejects_a_file_that_is_not_a_package(tmp_path):
    bad = tmp_path / "x.argosmodel"
    bad.write_text("not a zip")
    with pytest.raises(ModelError, match="not an Argos package"):
        ModelStore(tmp_path / "m").install_file(bad)


def test_install_by_name_offline_fails_fast_with_the_file_instructions(tmp_path, offline):
    start = time.monotonic()
    with pytest.raises(ModelError) as err:
        ModelStore(tmp_path / "m").install_by_name("ru", "en")
    assert time.monotonic() - start < 10
    message = str(err.value)
    assert offline  # it did try the index
    assert "not reachable" in message
    assert "corpus models install translate-ru_en.argosmodel" in message


@pytest.mark.slow
def test_install_by_name_with_a_stalled_network_gives_up_within_10_seconds(tmp_path, monkeypatch):
    def hang(*args, **kwargs):  # DNS that never answers: urlopen's timeout does not cover it
        time.sleep(60)

    monkeypatch.setattr(socket, "getaddrinfo", hang)
    start = time.monotonic()
    with pytest.raises(ModelError, match=r"install .*argosmodel"):
        ModelStore(tmp_path / "m").install_by_name("ru", "en")
    assert time.monotonic() - start < 10


def test_cli_models(packages, tmp_path, offline):
    from corpus.cli.models import models

    runner = CliRunner()
    where = ["--models-dir", str(tmp_path / "m")]
    result = runner.invoke(models, ["list", *where])
    assert result.exit_code == 0 and "No translation models" in result.output
    result = runner.invoke(models, ["install", str(packages["ru-en"]), *where])
    assert result.exit_code == 0, result.output
    assert "installed translate-ru_en-1.0" in result.output
    result = runner.invoke(models, ["list", *where])
    assert result.exit_code == 0
    assert result.output.split()[:2] == ["ru-en", "1.0"]
    assert "translate-ru_en-1_0" in result.output
    result = runner.invoke(models, ["install", "ru", "uk", *where])
    assert result.exit_code == 1
    assert "corpus models install translate-ru_uk.argosmodel" in result.output
    assert runner.invoke(models, ["install", "a", "b", "c", *where]).exit_code == 2
    result = runner.invoke(models, ["remove", "ru", "en", *where])
    assert result.exit_code == 0 and "removed translate-ru_en-1.0" in result.output
    assert runner.invoke(models, ["remove", "ru", "en", *where]).exit_code == 1


def test_models_dir_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CORPUS_MODELS_DIR", str(tmp_path / "env"))
    assert ModelStore().dir == tmp_path / "env"
    assert ModelStore(tmp_path / "flag").dir == tmp_path / "flag"


# -- engine ---------------------------------------------------------------------------
def _argos_translate(monkeypatch, models_dir: Path, beam: int, src: str, tgt: str):
    """argostranslate's own translate(), pointed at *models_dir*.

    Its default sentence splitter (MiniSBD) downloads a model for packages without a
    ``minisbd/`` folder; our sentences are already split, so the splitter is replaced by
    one that returns the sentence whole. Everything else - paragraph split, its
    SentencePiece tokenizer, its ctranslate2.Translator and translate_batch settings,
    decoding - is argostranslate's code.
    """
    from argostranslate import settings
    from argostranslate import translate as argos

    monkeypatch.setattr(settings, "package_dirs", [models_dir])
    monkeypatch.setattr(settings, "beam_size", beam)
    monkeypatch.setattr(argos, "installed_translates", [])
    argos.get_installed_languages.cache_clear()

    class WholeSentence:
        def split_sentences(self, text: str) -> list[str]:
            return [text]

    def whole_sentences(translation) -> None:
        if hasattr(translation, "t1"):  # CompositeTranslation: a pivot through English
            whole_sentences(translation.t1)
            whole_sentences(translation.t2)
        else:  # CachedTranslation around a PackageTranslation
            translation.underlying.sentencizer = WholeSentence()

    whole_sentences(argos.get_translation_from_codes(src, tgt))
    return lambda text: argos.translate(text, src, tgt)


@pytest.mark.slow
@pytest.mark.parametrize(("beam", "exact"), [(1, False), (4, False), (4, True)])
def test_engine_output_equals_argostranslate(packages, tmp_path, monkeypatch, no_network, beam,
                                             exact):
    """Mixed-length batches (the default) may differ from argos in the last bits; on this
    model they do not. ``exact_argos`` batches one length at a time and must never."""
    root = tmp_path / "models"
    af.install(packages["ru-en-random"], root)  # random weights: a real test of equality
    af.install(packages["en-uk"], root)
    sentences = [*RU, *af.SAMPLE_TEXT[:2], "Да."]
    try:
        options = EngineOptions(beam_size=beam, max_batch_tokens=64, exact_argos=exact)
        engine = Engine(ModelStore(root), options)
        for src, tgt in (("ru", "en"), ("ru", "uk")):
            ours, _ = engine.translate(sentences, engine.route(src, tgt))
            argos = _argos_translate(monkeypatch, root, beam, src, tgt)
            assert ours == [argos(s) for s in sentences]
            assert len(set(ours)) > 5  # the random model does not give one string
    finally:
        from argostranslate import translate as argos_mod

        argos_mod.get_installed_languages.cache_clear()


def test_engine_copy_model_round_trips_and_pivots(models_dir, packages, no_network):
    engine = Engine(ModelStore(models_dir))
    ru_en = engine.route("ru", "en")
    out, _ = engine.translate(["Привет, мир!", "Жовтий їжак з'їв грушу."], ru_en)
    assert out == ["Привет, мир!", "Жовтий їжак з'їв грушу."]
    ru_uk = engine.route("ru", "uk")
    assert ru_uk.model == "translate-ru_en-1.0>translate-en_uk-1.0"
    out, _ = engine.translate(["Привет, мир!"], ru_uk)
    assert out == ["ПРИВЕТ, МИР!"]
    assert engine.route("de", "en") is None and engine.route("uk", "ru") is None


def test_overlapping_jobs_translate_each_text_once(models_dir, tmp_path, no_network):
    """A job submitted while an earlier one still decodes takes the texts they share from
    it (as it would from the cache); results equal one synchronous call's."""

    class Counting(TranslationCache):
        transactions = 0

        def put_many(self, model, items):
            self.transactions += 1
            super().put_many(model, items)

    texts = [f"Строка номер {i} из тестового набора." for i in range(30)]
    cache = Counting(tmp_path / "c.sqlite")
    engine = Engine(ModelStore(models_dir), EngineOptions(max_batch_tokens=64), cache,
                    commit_every=10)
    route = engine.route("ru", "en")
    first = engine.submit(texts[:20], route)  # queued; nothing waited for yet
    second = engine.submit(texts[10:], route)
    out_first, cached_first = first.result()
    out_second, cached_second = second.result()
    assert out_first == texts[:20] and out_second == texts[10:]  # the copy model
    assert cached_first == [False] * 20
    assert cached_second == [True] * 10 + [False] * 10  # shared with the first job
    assert len(cache) == 30  # each text stored once
    assert 2 <= cache.transactions <= 8  # ~10 per transaction, never one per text
    again, cached = engine.translate(texts, route)
    assert again == texts and all(cached)
    engine.close()


def test_model_is_loaded_once_per_process(models_dir):
    package = ModelStore(models_dir).find("ru", "en")
    options = EngineOptions()
    assert load_model(package, options) is load_model(package, options)


def test_cuda_without_gpu_is_a_clear_error():
    if cuda_device_count() > 0:
        assert Translate(device="cuda").resolved_device == "cuda"
    else:
        with pytest.raises(ConfigError, match="no usable CUDA GPU"):
            Translate(device="cuda")
    expected = "cuda" if cuda_device_count() > 0 else "cpu"
    assert Translate(device="auto").resolved_device == expected


# -- the step -------------------------------------------------------------------------
def corpus_docs() -> list[Document]:
    return [
        doc("d1", [("Привет, мир!", "ru"), ("Hello there.", "en")], [("Короткая.", "ru")]),
        doc("d2", [("Guten Tag.", "de"), ("Привет, мир!", "ru"), ("OK", "und")]),
        doc("d3", [("Дропнутый документ.", "ru")], kept=False),
        doc("d4", [("Ещё одна строка.", "ru"), ("Жовтий їжак.", "uk")]),
        doc("d5", [("Нет ничего.", "ru")]),
    ]


def test_step_translates_marks_pending_and_keeps_order(models_dir, tmp_path, no_network):
    docs = corpus_docs()
    docs[3].segments.append(Segment(text="x", span=(0, 0), kept=False,
                                    sentences=[Sentence("Выброшено.", (0, 10), lang="ru")]))
    s = step(models_dir, tmp_path / "c.sqlite", buffer_sentences=2)
    out = list(s(iter(docs)))
    s.close()
    assert [d.id for d in out] == ["d1", "d2", "d3", "d4", "d5"]
    hello = out[0].segments[0].sentences
    assert hello[0].translation == Translation("Привет, мир!", "en", "translate-ru_en-1.0",
                                               COPIED)  # the copy model: flagged
    assert hello[0].pending is None
    assert hello[1].translation is None and hello[1].pending is None  # already English
    german, _, und = out[1].segments[0].sentences
    assert german.translation is None and german.pending == "de-en"
    assert und.translation is None and und.pending is None
    assert out[2].segments[0].sentences[0].translation is None  # dropped document
    assert out[3].segments[1].sentences[0].translation is None  # dropped segment
    uk = out[3].segments[0].sentences[1]
    assert uk.translation is None and uk.pending == "uk-en"  # no uk→en package
    stats = s.stats()
    assert stats["pairs"]["ru-en"] == {
        "translated": 4, "cached": 1, "pending": 0, "model": "translate-ru_en-1.0"
    }  # "Привет, мир!" twice: the second buffer finds it in the cache
    assert stats["pairs"]["de-en"]["pending"] == 1
    assert stats["missing"]["de-en"][0] == "corpus models install de en"
    assert "corpus models install translate-de_en.argosmodel" in stats["missing"]["de-en"][1]
    assert stats["cache"]["rebuilt"] is None


def test_second_run_translates_nothing(models_dir, tmp_path, no_network):
    first = step(models_dir, tmp_path / "c.sqlite")
    list(first(corpus_docs()))
    first.close()
    second = step(models_dir, tmp_path / "c.sqlite")
    out = list(second(corpus_docs()))
    second.close()
    pairs = second.stats()["pairs"]
    assert pairs["ru-en"]["translated"] == 0 and pairs["ru-en"]["cached"] == 5
    assert out[0].segments[0].sentences[0].translation.text == "Привет, мир!"


def test_pivot_through_english(models_dir, tmp_path, no_network):
    s = step(models_dir, tmp_path / "c.sqlite", target="uk")
    (d,) = s([doc("p", [("Привет, мир!", "ru"), ("Hello there.", "en"), ("Жовтий.", "uk")])])
    ru, en, uk = d.segments[0].sentences
    assert ru.translation == Translation(
        "ПРИВЕТ, МИР!", "uk", "translate-ru_en-1.0>translate-en_uk-1.0", COPIED
    )
    assert en.translation == Translation("HELLO THERE.", "uk", "translate-en_uk-1.0", COPIED)
    assert uk.translation is None
    s.close()


def test_pending_then_filled_after_install(packages, models_dir, tmp_path, no_network):
    root = tmp_path / "models"
    af.install(packages["ru-en"], root)
    docs = [doc("g", [("Guten Tag.", "de"), ("Привет, мир!", "ru")])]
    first = step(root, tmp_path / "c.sqlite")
    list(first(docs))
    first.close()
    german, _ = docs[0].segments[0].sentences
    assert german.pending == "de-en" and german.translation is None
    af.install(packages["de-en"], root)
    second = step(root, tmp_path / "c.sqlite")
    list(second(docs))
    second.close()
    assert german.pending is None
    assert german.translation == Translation("Guten Tag.", "en", "translate-de_en-1.0", COPIED)
    pairs = second.stats()["pairs"]
    assert pairs == {"de-en": {"translated": 1, "cached": 0, "pending": 0,
                               "model": "translate-de_en-1.0"}}  # ru was already done


def test_the_step_is_version_2_and_the_bare_name_means_it():
    """v2: translations carry check flags and batches mix lengths (the output changed)."""
    from corpus.registry import get_step

    assert get_step("translate") is Translate is get_step("translate.v2")
    assert Translate.name == "translate.v2"
    with pytest.raises(ConfigError, match=r"'translate' is now 'translate\.v2'"):
        get_step("translate.v1")


def test_step_from_a_pipeline_table(models_dir, tmp_path):
    built = build_step({"use": "translate", "target": "en", "beam_size": 2,
                        "models_dir": str(models_dir), "cache": str(tmp_path / "c.sqlite")},
                       where="test.toml")
    assert isinstance(built, Translate) and built.beam_size == 2
    with pytest.raises(ConfigError, match="no parameter 'beam'"):
        build_step({"use": "translate", "beam": 2}, where="test.toml")
    with pytest.raises(ConfigError, match="device"):
        build_step({"use": "translate", "device": "tpu"}, where="test.toml")


# -- the cache ------------------------------------------------------------------------
def test_corrupt_cache_is_detected_moved_aside_and_rebuilt(models_dir, tmp_path, no_network):
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    s = step(models_dir, path)
    (d,) = s([doc("x", [("Привет, мир!", "ru")])])
    assert d.segments[0].sentences[0].translation.text == "Привет, мир!"
    cache = s.stats()["cache"]
    s.close()
    assert "unreadable" in cache["rebuilt"]
    assert list(tmp_path.glob("c.sqlite.corrupt-*"))
    with TranslationCache(path) as again:
        assert again.rebuilt is None and len(again) == 1


_WRITER = textwrap.dedent("""
    import sys
    from corpus.stages.translate.cache import TranslationCache, cache_key
    cache = TranslationCache(sys.argv[1])
    worker = sys.argv[2]
    for batch in range(20):
        cache.put_many("m", {cache_key("m", "o", f"{worker}-{batch}-{i}"): f"{worker}{i}"
                             for i in range(25)})
        cache.put_many("m", {cache_key("m", "o", f"shared-{i}"): "same" for i in range(25)})
    assert cache.failed is None, cache.failed
""")


def test_cache_is_safe_with_several_processes(tmp_path):
    path = tmp_path / "c.sqlite"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), str(w)], env=env)
             for w in range(4)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    with TranslationCache(path) as cache:
        assert len(cache) == 4 * 20 * 25 + 25
        got = cache.get_many([cache_key("m", "o", "3-19-24")])
        assert list(got.values()) == ["324"]


_INTERRUPTED = textwrap.dedent("""
    import os, signal, sys
    from corpus.stages.translate.cache import TranslationCache
    from corpus.stages.translate.engine import Engine, EngineOptions
    from corpus.stages.translate.models import ModelStore

    class DiesAfterThreeCommits(TranslationCache):
        calls = 0
        def put_many(self, model, items):
            super().put_many(model, items)
            self.calls += 1
            if self.calls == 3:
                os.kill(os.getpid(), signal.SIGKILL)

    engine = Engine(ModelStore(sys.argv[1]), EngineOptions(max_batch_tokens=40),
                    DiesAfterThreeCommits(sys.argv[2]), commit_every=1)
    texts = [f"Строка номер {i} из тестового набора." for i in range(60)]
    engine.translate(texts, engine.route("ru", "en"))
""")


def test_cache_survives_an_interrupted_run(models_dir, tmp_path):
    path = tmp_path / "c.sqlite"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.run([sys.executable, "-c", _INTERRUPTED, str(models_dir), str(path)],
                          env=env, timeout=120)
    assert proc.returncode == -9  # killed in the middle of the run
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    saved = con.execute("SELECT count(*) FROM translations").fetchone()[0]
    con.close()
    assert 0 < saved < 60
    engine = Engine(ModelStore(models_dir), EngineOptions(max_batch_tokens=40),
                    TranslationCache(path))
    texts = [f"Строка номер {i} из тестового набора." for i in range(60)]
    out, cached = engine.translate(texts, engine.route("ru", "en"))
    engine.close()
    assert out == texts
    assert sum(cached) == saved
