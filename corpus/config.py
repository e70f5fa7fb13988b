"""Pipeline files: TOML, validated on load, with errors that name the key and the file.

A pipeline file has these parts::

    target = "en"                 # language translations go to
    languages = []                # allowed languages for detection; empty = all

    [input]                       # corpus.ingest.InputConfig fields
    text_field = "text"

    [[steps]]                     # in order; `use` names a registered step
    use = "normalize"             # or "normalize.v1": the manifest records the version

    [output]                      # corpus.writers.config.OutputConfig fields
    audit = true

Every table (the file itself, ``[input]``, ``[output]`` and each ``[[steps]]``) is checked
by one validator, :func:`build`, against the fields of the dataclass it configures: an
unknown key, a value of the wrong type and a value the class rejects are each a
``ConfigError`` naming the key and the file.

Overrides are merged into the tables *before* they are validated, once: the command
line's ``--target``/``--languages`` win over the file's, top-level ``target`` and
``languages`` are handed to every step that has a field of that name and does not set
it itself, and step overrides (``--device`` for ``translate``) go into the named steps'
tables. A bad override therefore fails exactly as the same value in the file would.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from corpus.errors import ConfigError
from corpus.ingest.config import InputConfig
from corpus.languages import check_detectable, check_translatable
from corpus.registry import Step, base_name, get_step
from corpus.writers.config import OutputConfig

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

DEFAULT_PIPELINE = Path(str(resources.files("corpus.pipelines") / "default.toml"))
GLOBALS = ("target", "languages")

T = TypeVar("T")


@dataclass
class PipelineFile:
    """The top level of a pipeline file, as written (tables not yet built)."""

    target: str = "en"
    languages: list[str] = field(default_factory=list)
    input: dict[str, Any] = field(default_factory=dict)
    steps: list[Any] = field(default_factory=list)  # tables; checked one by one
    output: dict[str, Any] = field(default_factory=dict)
    name: str = ""
    description: str = ""


@dataclass
class Pipeline:
    """A loaded, validated pipeline: steps ready to run, plus what built them."""

    path: str
    text: str
    target: str = "en"
    languages: list[str] = field(default_factory=list)
    input: InputConfig = field(default_factory=InputConfig)
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
            "input": dataclasses.asdict(self.input),
            "output": dataclasses.asdict(self.output),
            "steps": [{"use": s.name, **step_parameters(s)} for s in self.steps],
        }


def step_parameters(step: Step) -> dict[str, Any]:
    """A step's configured parameters (its init fields), as JSON-ready values."""
    return {
        f.name: _jsonable(getattr(step, f.name))
        for f in dataclasses.fields(step)  # type: ignore[arg-type]
        if f.init and not f.name.startswith("_")
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    json.dumps(value)  # raises for anything a manifest cannot hold
    return value


# ---- loading ---------------------------------------------------------------------------
def load_pipeline(
    path: str | Path | None = None,
    *,
    target: str | None = None,
    languages: list[str] | None = None,
    step_overrides: dict[str, dict[str, Any]] | None = None,
) -> Pipeline:
    """Load and validate a pipeline file (the packaged default when *path* is None).

    *target* and *languages* come from command-line flags and win over the file;
    *step_overrides* maps a step name (bare or versioned) to parameters forced on it
    (e.g. ``{"translate": {"device": "cuda"}}``); ``None`` values are ignored.
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
        data, where=where, text=text, target=target, languages=languages,
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
    """Validate a parsed pipeline file with its overrides; see the module docstring."""
    top = dict(data)
    if target is not None:
        top["target"] = target
    if languages is not None:
        top["languages"] = list(languages)
    spec = build(PipelineFile, top, where=where, what="the top level")
    _check_lang_code(check_translatable, spec.target, where, "target")
    for code in spec.languages:
        _check_lang_code(check_detectable, code, where, "languages")
    pipe = Pipeline(path=where, text=text or json.dumps(data, sort_keys=True),
                    target=spec.target, languages=list(spec.languages))
    pipe.input = build(InputConfig, spec.input, where=where, what="[input]")
    pipe.output = build(OutputConfig, spec.output, where=where, what="[output]")
    overrides = {base_name(k): v for k, v in (step_overrides or {}).items()}
    for number, table in enumerate(spec.steps, 1):
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: `steps` must be an array of tables ([[steps]])")
        merged = _merged_step_table(table, pipe, overrides, f"{where}, step {number}")
        pipe.step_specs.append(dict(table))
        pipe.steps.append(build_step(merged, where=f"{where}, step {number}"))
    check_order(pipe.steps, where)
    return pipe


def _merged_step_table(
    table: dict[str, Any], pipe: Pipeline, overrides: dict[str, dict[str, Any]], where: str
) -> dict[str, Any]:
    """One ``[[steps]]`` table with the globals and the command line's overrides in it."""
    name = table.get("use")
    if not isinstance(name, str):
        raise ConfigError(f"{where}: every [[steps]] table needs `use = \"<step name>\"`")
    cls = _step_class(name, where)
    names = {f.name for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]
    merged = dict(table)
    for key in GLOBALS:
        if key in names and key not in merged:
            merged[key] = list(pipe.languages) if key == "languages" else pipe.target
    for key, value in overrides.get(base_name(name), {}).items():
        if value is not None and key in names:
            merged[key] = value
    return merged


def _step_class(name: str, where: str) -> type[Step]:
    try:
        return get_step(name)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def build_step(table: dict[str, Any], *, where: str) -> Step:
    """Instantiate one ``[[steps]]`` table; every error names the key and *where*."""
    table = dict(table)
    name = table.pop("use", None)
    if not isinstance(name, str):
        raise ConfigError(f"{where}: every [[steps]] table needs `use = \"<step name>\"`")
    cls = _step_class(name, where)
    return build(cls, table, where=where, what=f"step {name!r}")


def build(cls: type[T], table: Any, *, where: str, what: str) -> T:
    """The one validator: *table* checked against the init fields of dataclass *cls*.

    An unknown key, a value of the wrong type, and a value ``cls`` rejects (its
    ``__post_init__`` raising ``ValueError`` or ``ConfigError``) are each a
    ``ConfigError`` that names *where* and the key.
    """
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: {what} must be a table")
    hints = typing.get_type_hints(cls)
    fields = {f.name for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in fields:
            known = ", ".join(sorted(fields)) or "none"
            noun = "parameter" if what.startswith("step") else "key"
            raise ConfigError(f"{where}: {what} has no {noun} {key!r} (known: {known})")
        hint = hints.get(key, Any)
        if not type_ok(value, hint):
            label = f"{what} parameter {key!r}" if what.startswith("step") else f"{what} {key}"
            if typing.get_origin(hint) is typing.Literal:  # an enum: name what it allows
                allowed = ", ".join(repr(a) for a in typing.get_args(hint))
                raise ConfigError(f"{where}: {label} = {value!r} is not allowed; "
                                  f"use one of {allowed}")
            raise ConfigError(f"{where}: {label} = {value!r} is not a valid {describe(hint)}")
        values[key] = tuple(value) if typing.get_origin(hint) is tuple else value
    try:
        return cls(**values)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {what}: {exc}") from None
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: {what}: {exc}") from None


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


def type_ok(value: Any, annotation: Any) -> bool:
    """Whether a TOML value fits a field's annotation (``int`` is not ``bool``, …)."""
    if annotation is Any:
        return True
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(type_ok(value, arg) for arg in typing.get_args(annotation))
    if annotation is type(None):
        return value is None
    if origin in (list, tuple, frozenset, set):
        if not isinstance(value, (list, tuple)):
            return False
        args = typing.get_args(annotation)
        return not args or all(type_ok(v, args[0]) for v in value)
    if origin is dict:
        return isinstance(value, dict)
    if origin is typing.Literal:
        return value in typing.get_args(annotation)
    if annotation is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if annotation is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(annotation, type):
        return isinstance(value, annotation)
    return True


def describe(annotation: Any) -> str:
    """A type for an error message; a ``Literal`` lists the values it allows."""
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return "value: use one of " + ", ".join(repr(a) for a in typing.get_args(annotation))
    if origin in (typing.Union, types.UnionType):
        return " or ".join(describe(a) for a in typing.get_args(annotation))
    if annotation is type(None):
        return "none"
    return getattr(annotation, "__name__", None) or str(annotation).replace("typing.", "")


def _check_lang_code(check: Callable[[Any, str], str], code: Any, where: str, key: str) -> None:
    try:
        check(code, key)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None
