"""Where the audit's rows come from: a build output folder, or documents processed in memory.

Both yield ``(doc_row, segment_rows, sentence_rows)`` groups, with rows in the exact
format of the JSONL files (documents go through ``corpus.writers.jsonl``). The audit never
runs a pipeline itself: for raw inputs the caller (``corpus.api.audit``) runs the
pipeline through the runner's API and hands the documents in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from corpus.audit.stats import group_rows
from corpus.errors import InputError
from corpus.records import Document
from corpus.writers.jsonl import document_row, segment_row, sentence_row

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


def document_groups(docs: Iterable[Document]) -> Iterator[Group]:
    """Groups of documents processed in memory (``corpus audit`` of raw inputs), with
    rows made by the writer's own row functions, so an audit of the inputs and an audit
    of the corpus built from them agree."""
    for doc in docs:
        seg_rows = [segment_row(doc, i, seg) for i, seg in enumerate(doc.segments)]
        sent_rows = [
            sentence_row(doc, i, j, sent, seg.kind)
            for i, (seg, row) in enumerate(zip(doc.segments, seg_rows, strict=True))
            if row["kept"]
            for j, sent in enumerate(seg.sentences)
        ]
        yield document_row(doc), seg_rows, sent_rows
