"""``corpus translate OUT``: fill in translations a build left pending.

A build without a model for some pair still completes; its sentences carry
``pending: "<src>-<tgt>"``. After ``corpus models install …`` this module re-reads
``sentences.jsonl`` one document at a time, runs the ``translate`` step over the pending
sentences (everything already translated is left untouched, and the cache means nothing
is translated twice), and rewrites ``sentences.jsonl``, ``parallel/``, the manifest's
translation counts and the audit — atomically, through the same staging folder as a build.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.errors import ConfigError, FatalError
from corpus.records import Document, Segment, Sentence, Source, Translation
from corpus.steps.translate import Translate
from corpus.writers.corpus_writer import Counts, _safe, _sha256
from corpus.writers.jsonl import dumps, sentence_row
from corpus.writers.staging import Staging

LINKED = ("documents.jsonl", "segments.jsonl")  # unchanged, but the audit reads them


@dataclass
class FillResult:
    manifest: dict[str, Any]
    missing: list[str]


def _documents(path: Path) -> Iterator[tuple[Document, list[dict[str, Any]]]]:
    """Group ``sentences.jsonl`` rows by document, rebuilt as minimal records."""
    rows: list[dict[str, Any]] = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if rows and row["doc_id"] != rows[0]["doc_id"]:
                yield _document(rows), rows
                rows = []
            rows.append(row)
    if rows:
        yield _document(rows), rows


def _document(rows: list[dict[str, Any]]) -> Document:
    doc = Document(id=rows[0]["doc_id"], source=Source(path=""))
    segments: dict[int, Segment] = {}
    for row in rows:
        seg = segments.setdefault(row["segment"], Segment(text="", span=(0, 0)))
        translation = row.get("translation")
        seg.sentences.append(
            Sentence(
                text=row["text"],
                span=tuple(row["span"]),  # type: ignore[arg-type]
                lang=row["lang"],
                lang_prob=row["lang_prob"],
                translation=Translation(**translation) if translation else None,
                pending=row.get("pending"),
            )
        )
    doc.segments = list(segments.values())
    return doc


def fill_pending(out: Path, step: Translate) -> FillResult:
    """Translate what *out* has pending with *step*; rewrite the affected files."""
    sentences = out / "sentences.jsonl"
    manifest_path = out / "manifest.json"
    if not sentences.exists() or not manifest_path.exists():
        raise ConfigError(f"{out} is not a corpus build output (no sentences.jsonl/manifest.json)")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    staging = Staging(out, prepare=False)
    (staging.dir / "parallel").mkdir()
    counts = Counts()
    files: dict[str, Any] = {}
    try:
        with open(staging.path("sentences.jsonl"), "w", encoding="utf-8", newline="\n") as dst:

            def line(rel: str, text: str) -> None:
                handle = files.get(rel)
                if handle is None:
                    handle = files[rel] = open(  # noqa: SIM115 - closed below
                        staging.path(rel), "w", encoding="utf-8", newline="\n"
                    )
                handle.write(text + "\n")

            for doc, rows in _documents(sentences):
                [processed] = list(step([doc]))
                flat = [(seg, sent) for seg in processed.segments for sent in seg.sentences]
                for row, (_, sent) in zip(rows, flat, strict=True):
                    new = sentence_row(processed, row["segment"], 0, sent)
                    new["id"] = row["id"]
                    new["segment"] = row["segment"]
                    dst.write(dumps(new) + "\n")
                    if sent.translation is not None:
                        pair = f"{sent.lang}-{sent.translation.target}"
                        counts.translations[pair]["translated"] += 1
                        base = f"parallel/{_safe(pair)}"
                        line(f"{base}.{_safe(sent.lang)}", sent.text)
                        line(f"{base}.{_safe(sent.translation.target)}", sent.translation.text)
                        line(f"{base}.ids", row["id"])
                    elif sent.pending:
                        counts.translations[sent.pending]["pending"] += 1
        for handle in files.values():
            handle.close()
        for name in LINKED:
            if (out / name).exists():
                os.link(out / name, staging.path(name))
        stats = step.stats()
        translation = counts.as_dict()["translation"]
        for pair, numbers in stats.get("pairs", {}).items():
            entry = translation.setdefault(pair, {})
            entry["new"] = numbers.get("translated", 0)
            entry["cached"] = numbers.get("cached", 0)
            if numbers.get("model"):
                entry["model"] = numbers["model"]
        for pair, entry in translation.items():
            for key in ("translated", "pending", "new", "cached"):
                entry.setdefault(key, 0)
            translation[pair] = dict(sorted(entry.items()))
        manifest["counts"]["translation"] = translation
        outputs = {
            rel: digest
            for rel, digest in manifest.get("outputs", {}).items()
            if rel != "sentences.jsonl" and not rel.startswith("parallel/")
        }
        for path in sorted(staging.dir.rglob("*")):
            rel = str(path.relative_to(staging.dir))
            if path.is_file() and (rel == "sentences.jsonl" or rel.startswith("parallel/")):
                outputs[rel] = _sha256(path)
        manifest["outputs"] = dict(sorted(outputs.items()))
        manifest.setdefault("steps", {})["translate (corpus translate)"] = stats
        _write_reports(staging, manifest)
        with open(staging.path("manifest.json"), "w", encoding="utf-8", newline="\n") as fh:
            fh.write(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
        staging.commit(replace_dirs=("parallel",))
    except OSError as exc:
        for handle in files.values():
            handle.close()
        staging.abort()
        raise FatalError(f"rewriting {out} failed: {exc}; OUT is unchanged") from None
    finally:
        step.close()
    return FillResult(manifest, sorted(stats.get("missing", {})))


def _write_reports(staging: Staging, manifest: dict[str, Any]) -> None:
    from corpus.audit import write_reports

    if manifest.get("pipeline", {}).get("output", {}).get("audit", True):
        write_reports(staging.dir, manifest)
