"""Steps by name: versioned names in the manifest, bare names as aliases, clear errors."""

from __future__ import annotations

import subprocess
import sys

import pytest
from paths import REPO

from corpus.config import load_pipeline, pipeline_from_dict
from corpus.errors import ConfigError
from corpus.registry import ALIASES, BUILTIN, get_step


def test_bare_and_versioned_names_mean_the_same_step():
    for bare in BUILTIN:
        cls = get_step(bare)
        assert cls.name == ALIASES[bare]
        assert get_step(cls.name) is cls
    assert get_step("segment") is get_step("sentences")  # the name it had before


def test_the_manifest_records_versions_and_old_files_keep_working():
    old = pipeline_from_dict({"steps": [{"use": "normalize"}, {"use": "segment"}]}, where="t")
    new = pipeline_from_dict({"steps": [{"use": "normalize.v1"}, {"use": "sentences.v1"}]},
                             where="t")
    assert [s["use"] for s in old.resolved()["steps"]] == ["normalize.v1", "sentences.v1"]
    assert old.resolved()["steps"] == new.resolved()["steps"]


def test_a_version_that_does_not_exist_names_the_current_one():
    with pytest.raises(ConfigError, match=r"'langid.v9' is not available .* now 'langid.v2'"):
        get_step("langid.v9")


def test_an_unknown_step_lists_the_known_ones():
    with pytest.raises(ConfigError) as err:
        get_step("normalise")
    assert "unknown step 'normalise'" in str(err.value)
    assert "normalize" in str(err.value) and "translate" in str(err.value)


def test_a_broken_backend_is_named_not_an_unknown_step(tmp_path):
    """With ctranslate2 failing to import, `translate` says so, and the rest still builds."""
    code = (
        "import sys; sys.modules['ctranslate2'] = None\n"
        "from corpus.cli import main\n"
        "sys.argv = ['corpus', 'build', sys.argv[1], '-o', sys.argv[2], '-q']\n"
        "main()\n"
    )
    src = tmp_path / "a.txt"
    src.write_text("The river was high after a week of rain in the hills.\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", code, str(src), str(tmp_path / "out")],
                          capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 2, proc.stderr
    assert "step 'translate' cannot be used: the translate stage failed to import" in proc.stderr
    assert "Traceback" not in proc.stderr
    clean = subprocess.run(
        [sys.executable, "-c", code.replace("'-q']", "'-q', '-p', sys.argv[3]]"), str(src),
         str(tmp_path / "out"), str(REPO / "pipelines" / "clean.toml")],
        capture_output=True, text=True, cwd=REPO)
    assert clean.returncode == 0, clean.stderr


def test_the_default_pipeline_names_only_registered_steps():
    pipe = load_pipeline()
    assert all(get_step(s.name) is type(s) for s in pipe.steps)


def test_batch_steps_cut_batches_by_segments_and_still_see_across_them():
    """The parts of a huge document are not all held in one batch (256 documents of
    40,000 segments each would be), and a duplicate across a batch's end is still found."""
    from corpus.records import Document, Segment, Source
    from corpus.registry import BATCH_SEGMENTS
    from corpus.stages.dedup.exact import ExactDedup

    sizes: list[int] = []

    class Recording(ExactDedup):
        def decide(self, batch):
            sizes.append(sum(len(d.segments) for d in batch))
            return super().decide(batch)

    def part(n: int, same_as: int | None = None) -> Document:
        k = n if same_as is None else same_as
        segs = [Segment(text=f"line {i} of part {k}", span=(0, 1)) for i in range(40_000)]
        return Document(id=f"p{n}", source=Source(path="big.txt"), segments=segs)

    step = Recording()
    step.prepare()
    out = list(step([part(n) for n in range(5)] + [part(5, same_as=0)]))
    assert max(sizes) <= BATCH_SEGMENTS + 40_000 and len(sizes) >= 2
    assert [d.status for d in out][:5] == ["kept"] * 5
    assert out[5].status.startswith("dropped:duplicate")  # a batch later than its original
