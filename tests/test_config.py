"""Pipeline files: every mistake is an error that names the key and the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.config import DEFAULT_PIPELINE, load_pipeline
from corpus.errors import ConfigError


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "p.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_pipeline_loads_and_orders_steps():
    pipe = load_pipeline()
    names = [s.name for s in pipe.steps]
    assert names[0] == "normalize.v1"
    assert names.index("sentences.v1") < names.index("translate.v2")
    assert Path(DEFAULT_PIPELINE).name == "default.toml"
    assert pipe.target == "en"


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('[[steps]]\nuse = "normalise"\n', "unknown step 'normalise'"),
        ('[[steps]]\nuse = "repeated_lines"\nmin_pagse = 3\n', "no parameter 'min_pagse'"),
        ('[[steps]]\nuse = "repeated_lines"\nmin_pages = "3"\n', "min_pages"),
        ('[[steps]]\nuse = "repeated_lines"\nmin_pages = 0\n', "min_pages must be >= 1"),
        ('[[steps]]\nuse = "langid"\nlevel = "word"\n', "level"),
        ('targte = "en"\n', "the top level has no key 'targte'"),
        ('target = "English"\n', "not an ISO 639 language code"),
        ('[input]\ntext_feild = "body"\n', "[input] has no key 'text_feild'"),
        ('[output]\naudit = "yes"\n', "[output] audit"),
        ("[[steps]]\nmin_pages = 3\n", "needs `use"),
        ("target = \n", "invalid TOML"),
        (
            '[[steps]]\nuse = "segment"\n[[steps]]\nuse = "normalize"\n',
            "needs ['segment.normalized']",
        ),
    ],
)
def test_bad_pipeline_names_key_and_file(tmp_path, text, needle):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_pipeline(path)
    assert needle in str(err.value)
    assert str(path) in str(err.value)


def test_flags_override_file_and_reach_steps(tmp_path):
    path = write(
        tmp_path,
        'target = "de"\nlanguages = ["en"]\n[[steps]]\nuse = "normalize"\n'
        '[[steps]]\nuse = "langid"\n',
    )
    pipe = load_pipeline(path, target="fr", languages=["en", "ru"])
    assert pipe.target == "fr"
    assert pipe.steps[1].languages == ["en", "ru"]
    assert pipe.resolved()["steps"][1]["languages"] == ["en", "ru"]


def test_missing_file_is_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_pipeline(tmp_path / "nope.toml")


def test_clean_pipeline_is_the_default_without_translation():
    root = Path(__file__).resolve().parent.parent / "pipelines"
    default = load_pipeline(root / "default.toml").resolved()["steps"]
    clean = load_pipeline(root / "clean.toml").resolved()["steps"]
    assert clean == [s for s in default if s["use"] not in ("translate.v2", "pair_filter.v1")]


@pytest.mark.parametrize(("text", "needle"), [
    ('[[steps]]\nuse = "translate"\ndevice = "gpu"\n',
     "step 'translate' parameter 'device' = 'gpu' is not allowed; use one of 'cpu', 'cuda', "
     "'auto'"),
    ('[input]\nformat = "xml"\n',
     "[input] format = 'xml' is not allowed; use one of 'auto', 'text', 'html', 'jsonl'"),
])
def test_a_bad_enum_value_lists_the_allowed_values(tmp_path, text, needle):
    with pytest.raises(ConfigError) as err:
        load_pipeline(write(tmp_path, text))
    assert needle in str(err.value)
