"""Pipeline files: TOML, validated on load, with errors that name the key and the file.

A pipeline file has three parts::

    target = "en"                 # language translations go to
    languages = []                # allowed languages for detection; empty = all

    [input]                       # corpus.ingest.InputConfig fields
    text_field = "text"

    [[steps]]                     # in order; `use` names a registered step
    use = "normalize"

    [output]                      # corpus.writers.OutputConfig fields
    audit = true

Top-level ``target`` and ``languages`` are handed to every step that has a field of that
name and does not set it itself; command-line flags override both.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
import typing
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from corpus.errors import ConfigError
from corpus.registry import Step, _type_ok, build_step

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_PIPELINE = Path(str(resources.files("corpus.pipelines") / "default.toml"))
TOP_LEVEL_KEYS = {"target", "languages", "input", "steps", "output", "name", "description"}
GLOBALS = ("target", "languages")


@dataclass
class OutputConfig:
    """What ``corpus build`` writes besides the always-written corpus files."""

    audit: bool = True  # audit.json and audit.html
    mono: bool = True  # mono/<lang>.txt
    parallel: bool = True  # parallel/<src>-<tgt>.*
    include_boilerplate_in_mono: bool = False


@dataclass
class Pipeline:
    """A loaded, validated pipeline: steps ready to run, plus what built them."""

    path: str
    text: str
    target: str = "en"
    languages: list[str] = field(default_factory=list)
    input: dict[str, Any] = field(default_factory=dict)
    output: OutputConfig = field(default_factory=OutputConfig)
    step_specs: list[dict[str, Any]] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def resolved(self) -> dict[str, Any]:
        """The effective configuration, as recorded in the manifest and `--dry-run`."""
        return {
            "path": self.path,
            "sha256": self.sha256,
            "target": self.target,
            "languages": list(self.languages),
            "input": dict(self.input),
            "output": dataclasses.asdict(self.output),
            "steps": [{"use": s.name, **step_parameters(s)} for s in self.steps],
        }


def step_parameters(step: Step) -> dict[str, Any]:
    """A step's configured parameters (its init fields), as JSON-ready values."""
    return {
        f.name: _jsonable(getattr(step, f.name))
        for f in dataclasses.fields(step)
        if f.init and not f.name.startswith("_")
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    json.dumps(value)  # raises for anything a manifest cannot hold
    return value


def load_pipeline(
    path: str | Path | None = None,
    *,
    target: str | None = None,
    languages: list[str] | None = None,
    step_overrides: dict[str, dict[str, Any]] | None = None,
) -> Pipeline:
    """Load and validate a pipeline file (the packaged default when *path* is None).

    *target* and *languages* come from command-line flags and win over the file;
    *step_overrides* maps a step name to parameters forced on it (e.g. CLI `--device`).
    """
    src = Path(path) if path is not None else DEFAULT_PIPELINE
    where = str(path) if path is not None else "default pipeline"
    try:
        text = src.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"pipeline file not found: {src}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read pipeline file {src}: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: invalid TOML: {exc}") from None
    return pipeline_from_dict(
        data,
        where=where,
        text=text,
        target=target,
        languages=languages,
        step_overrides=step_overrides,
    )


def pipeline_from_dict(
    data: dict[str, Any],
    *,
    where: str,
    text: str = "",
    target: str | None = None,
    languages: list[str] | None = None,
    step_overrides: dict[str, dict[str, Any]] | None = None,
) -> Pipeline:
    unknown = sorted(set(data) - TOP_LEVEL_KEYS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown top-level key {unknown[0]!r} "
            f"(known: {', '.join(sorted(TOP_LEVEL_KEYS))})"
        )
    pipe = Pipeline(path=where, text=text or json.dumps(data, sort_keys=True))
    pipe.target = _check(data.get("target", "en"), str, where, "target")
    pipe.languages = list(_check(data.get("languages", []), list[str], where, "languages"))
    if target is not None:
        pipe.target = target
    if languages is not None:
        pipe.languages = list(languages)
    _check_lang_code(pipe.target, where, "target")
    for code in pipe.languages:
        _check_lang_code(code, where, "languages")
    pipe.input = _check_table(data.get("input", {}), where, "input", _input_fields())
    out = _check_table(data.get("output", {}), where, "output", _fields_of(OutputConfig))
    pipe.output = OutputConfig(**out)
    specs = data.get("steps", [])
    if not isinstance(specs, list) or not all(isinstance(s, dict) for s in specs):
        raise ConfigError(f"{where}: `steps` must be an array of tables ([[steps]])")
    overrides = step_overrides or {}
    for number, spec in enumerate(specs, 1):
        spec = dict(spec)
        name = spec.get("use")
        step = build_step(spec, where=f"{where}, step {number}")
        for key in GLOBALS:
            if key not in spec and any(f.name == key for f in dataclasses.fields(step)):
                setattr(step, key, list(getattr(pipe, key)) if key == "languages" else pipe.target)
        for key, value in overrides.get(str(name), {}).items():
            if value is not None and any(f.name == key for f in dataclasses.fields(step)):
                setattr(step, key, value)
        pipe.step_specs.append(spec)
        pipe.steps.append(step)
    check_order(pipe.steps, where)
    return pipe


def check_order(steps: list[Step], where: str) -> None:
    """Every step's ``requires`` must be provided by an earlier step."""
    have: set[str] = {"document.text", "segment.text"}
    for step in steps:
        missing = set(step.requires) - have
        if missing:
            raise ConfigError(
                f"{where}: step {step.name!r} needs {sorted(missing)}; "
                "put a step that provides it earlier"
            )
        have |= set(step.provides)


def _check(value: Any, annotation: Any, where: str, key: str) -> Any:
    if not _type_ok(value, annotation):
        raise ConfigError(f"{where}: {key} = {value!r} is not a valid {annotation}")
    return value


def _check_lang_code(code: str, where: str, key: str) -> None:
    if not (code.isascii() and code.isalpha() and 2 <= len(code) <= 3 and code.islower()):
        raise ConfigError(f"{where}: {key}: {code!r} is not an ISO 639 language code (e.g. 'en')")


def _fields_of(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in dataclasses.fields(cls)}


def _input_fields() -> dict[str, Any]:
    from corpus.ingest import InputConfig

    return _fields_of(InputConfig)


def _check_table(
    table: Any, where: str, name: str, fields: dict[str, Any]
) -> dict[str, Any]:
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: [{name}] must be a table")
    for key, value in table.items():
        if key not in fields:
            raise ConfigError(
                f"{where}: [{name}] has no key {key!r} (known: {', '.join(sorted(fields))})"
            )
        _check(value, fields[key], where, f"[{name}] {key}")
    return dict(table)
