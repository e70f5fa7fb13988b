"""Where the audit's rows come from: a build output folder, or raw inputs run up to detection.

Both yield ``(doc_row, segment_rows, sentence_rows)`` groups, with rows in
the exact format of the JSONL files (raw inputs go through ``corpus.writers.jsonl``), so
an audit of the inputs and an audit of the corpus built from them agree.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus.audit.stats import group_rows
from corpus.errors import ConfigError, InputError

if TYPE_CHECKING:
    from corpus.config import Pipeline
    from corpus.records import Document

OUTPUT_FILES = ("documents.jsonl", "segments.jsonl", "sentences.jsonl")


def is_output_dir(path: Path) -> bool:
    """A ``corpus build`` output: a folder with documents.jsonl and segments.jsonl."""
    return path.is_dir() and all((path / name).is_file() for name in OUTPUT_FILES[:2])


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Stream the rows of *path*; a broken line is an error naming file and line."""
    if not path.exists():
        return
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"{path}:{number}: not a JSON line ({exc.msg})") from None
            if not isinstance(row, dict):
                raise InputError(f"{path}:{number}: expected a JSON object")
            yield row


def read_manifest(path: Path) -> dict[str, Any] | None:
    file = path / "manifest.json"
    if not file.is_file():
        return None
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{file}: cannot read the manifest ({exc})") from None
    return data if isinstance(data, dict) else None


Group = tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]


def output_groups(path: Path) -> Iterator[Group]:
    """(document, its segments, its sentences) of the build output in *path*, streamed."""
    docs, segs, sents = (read_jsonl(path / name) for name in OUTPUT_FILES)
    try:
        yield from group_rows(docs, segs, sents, where=f"{path}/")
    except ValueError as exc:
        raise InputError(str(exc)) from None


def input_groups(inputs: Sequence[str], pipe: Pipeline) -> Iterator[Group]:
    """Run *pipe* on raw *inputs* up to detection (no translation, nothing written).

    Every step but ``translate`` runs, so the audit shows what ``corpus build`` would
    keep and drop; rows are made by the writer's own row functions.
    """
    from corpus.ingest import expand_inputs
    from corpus.pipeline import input_config, read_all
    from corpus.writers.jsonl import document_row, segment_row, sentence_row

    refs = expand_inputs(list(inputs))
    if not refs:
        raise ConfigError(f"no inputs found in {', '.join(inputs)}")
    docs: Iterable[Document] = read_all(refs, input_config(pipe))
    steps = [step for step in pipe.steps if step.name != "translate"]
    for step in steps:
        docs = step(docs)
    for doc in docs:
        seg_rows = [segment_row(doc, i, seg) for i, seg in enumerate(doc.segments)]
        sent_rows = [
            sentence_row(doc, i, j, sent)
            for i, (seg, row) in enumerate(zip(doc.segments, seg_rows, strict=True))
            if row["kept"]
            for j, sent in enumerate(seg.sentences)
        ]
        yield document_row(doc), seg_rows, sent_rows
    for step in steps:
        step.close()
