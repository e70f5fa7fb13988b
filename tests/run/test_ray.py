"""``--executor ray``: the same steps on a (local) Ray cluster write the same bytes.

One local cluster (``ray.init(num_cpus=2)``) serves the whole module; the executor sees
Ray already running, so it only adds and removes its own actors.
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")

from click.testing import CliRunner  # noqa: E402
from paths import REPO  # noqa: E402
from test_scale import digests, make_corpus, pipe  # noqa: E402

from corpus.cli import cli  # noqa: E402
from corpus.run.runner import run_build  # noqa: E402

pytestmark = pytest.mark.ray


@pytest.fixture(scope="module", autouse=True)
def cluster():
    if ray.is_initialized():  # pragma: no cover - another module left one running
        ray.shutdown()
    ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR")
    yield
    ray.shutdown()


@pytest.fixture
def offline_models(tmp_path, monkeypatch):
    """No installed models and a private cache: translation leaves sentences pending."""
    monkeypatch.setenv("CORPUS_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("CORPUS_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "models").mkdir()


def build_cli(args: list[str], where: Path, stdin: str | None = None) -> Path:
    """Build into *where*/out, run from *where*: the audit records OUT as given."""
    where.mkdir(parents=True, exist_ok=True)
    with contextlib.chdir(where):
        result = CliRunner().invoke(cli, ["build", *args, "-o", "out", "-q"], input=stdin)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return where / "out"


def test_seeds_with_ray_equal_the_local_executor(tmp_path, offline_models):
    seeds = str(REPO / "seeds")
    local = digests(build_cli([seeds, "-j", "1"], tmp_path / "local"))
    on_ray = digests(build_cli([seeds, "--executor", "ray", "-j", "2"], tmp_path / "ray"))
    assert "sentences.jsonl" in local and "audit.json" in local
    assert on_ray == local
    assert cpus_freed()  # the executor removed its workers


def cpus_freed(timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ray.available_resources().get("CPU", 0) == 2:
            return True
        time.sleep(0.2)
    return False


def test_many_files_many_chunks_many_shards(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    make_corpus(folder, 120, seed=7)
    reference = tmp_path / "ref" / "out"
    run_build([str(folder)], reference, pipe(), workers=1, shard_files=50)
    # tiny chunks: 30+ tasks per shard, finishing out of order on two workers
    monkeypatch.setattr("corpus.run.ray.CHUNK_DOCS", 3)
    out = tmp_path / "ray" / "out"
    result = run_build([str(folder)], out, pipe(), workers=2, shard_files=50, executor="ray")
    assert digests(out) == digests(reference)
    steps = result.manifest["steps"]
    assert steps["boilerplate"]["dropped"]  # counters from the actors reach the manifest
    assert steps["dedup"]["duplicates"] == 1
    assert result.manifest["counts"]["documents"]["in"] == 121


def test_relative_paths_and_stdin(tmp_path, offline_models):
    """Workers open inputs by absolute name; stdin is read by the driver."""
    make_corpus(tmp_path / "in", 6, seed=9)
    text = (tmp_path / "in" / "00002.txt").read_text(encoding="utf-8")
    args = ["../in", "-"]
    local = build_cli([*args, "-j", "1"], tmp_path / "local", stdin=text)
    on_ray = build_cli([*args, "--executor", "ray", "-j", "2"], tmp_path / "ray", stdin=text)
    assert digests(on_ray) == digests(local)
    docs = (on_ray / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(docs[-1])["source"]["path"] == "<stdin>"


# -- translation in actors ------------------------------------------------------------
def test_translator_actors_equal_the_local_engine(tmp_path):
    pytest.importorskip("ctranslate2")
    pytest.importorskip("sentencepiece")
    af = pytest.importorskip("argos_fixture")
    from corpus.ingest import InputConfig
    from corpus.run.ray import RayExecutor
    from corpus.stages.translate.cache import TranslationCache
    from corpus.stages.translate.engine import Engine, EngineOptions
    from corpus.stages.translate.models import ModelStore
    from corpus.stages.translate.ray import ray_engine

    texts = ["Привет, мир!", "Это тестовый текст на русском языке.", "Короткая.",
             "Ещё одна строка\nи вторая строка.", "Привет, мир!", *af.SAMPLE_TEXT[:2]]
    models = tmp_path / "models"
    for src, tgt, kind in (("ru", "en", "copy"), ("en", "uk", "upper")):
        af.install(af.build_package(tmp_path / "pkg", src, tgt, kind=kind, text=texts), models)
    store = ModelStore(models)
    # small batches, so the work is split over several actor calls
    options = EngineOptions(max_batch_tokens=16)
    local = Engine(store, options, None)
    executor = RayExecutor([], InputConfig(), workers=1)
    try:
        cache = TranslationCache(str(tmp_path / "cache.sqlite"))
        remote = ray_engine(store, options, cache, device="auto")
        assert remote is not None and remote.actors
        expected = {}
        for src, tgt in (("ru", "en"), ("ru", "uk")):  # direct, then through English
            route = local.route(src, tgt)
            expected[tgt] = local.translate(texts, route)[0]
            got, cached = remote.translate(texts, remote.route(src, tgt))
            assert got == expected[tgt]
            assert cached == [False] * len(texts)
            assert route.model == remote.route(src, tgt).model
        assert expected["uk"] != expected["en"]  # the upper-casing second hop ran
        again, cached = remote.translate(texts, remote.route("ru", "en"))
        assert again == expected["en"]
        assert cached == [True] * len(texts)  # the driver's cache was filled
        remote.close()
    finally:
        executor.shutdown()
    assert ray.is_initialized()  # the module's cluster is not the executor's to stop


def test_without_ray_running_the_executor_starts_and_stops_its_own():
    from corpus.ingest import InputConfig
    from corpus.run.ray import RayExecutor

    ray.shutdown()
    try:
        executor = RayExecutor([], InputConfig(), workers=1)
        assert ray.is_initialized() and executor.owns_ray
        executor.shutdown()
        assert not ray.is_initialized()
    finally:
        if not ray.is_initialized():
            ray.init(num_cpus=2, include_dashboard=False, logging_level="ERROR")
