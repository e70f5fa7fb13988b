"""One codec for every JSONL file: records → plain dicts → one UTF-8 line each, and back.

Field order is fixed here (not by dataclass introspection) because the files are a
documented, stable schema that readers (audit, export, later runs) depend on.
:func:`document_from_sentence_rows` reads a document's rows of ``sentences.jsonl`` back
into records, which is what ``corpus translate`` runs the translate step over.
"""

from __future__ import annotations

from typing import Any

import orjson

from corpus.records import Document, Segment, Sentence, Source, Translation


def dumps(obj: Any) -> str:
    """Deterministic JSON: key order as built, real UTF-8 (no \\u escapes), one line.

    orjson writes the same bytes as ``json.dumps(obj, ensure_ascii=False,
    separators=(",", ":"))`` for these rows, eight times faster: the writer runs in the
    main process, where every second is serial time for ``--workers N``.
    """
    return orjson.dumps(obj).decode("utf-8")


def source_line(doc: Document, seg: Segment) -> int:
    """The line of the input file where *seg* is: its line for a text file, the line of
    the HTML source its block starts on for a page (``Document.source_lines``, set by
    the HTML reader), the record's line for anything inside a JSONL record."""
    if doc.source.record is not None:
        return doc.source.record
    before = int(doc.meta.get("part_line", 0))  # a part of a large document
    lines = doc.source_lines
    if lines and 0 < seg.line <= len(lines) and lines[seg.line - 1]:
        return int(lines[seg.line - 1]) + before
    return seg.line + before


def segment_row(doc: Document, index: int, seg: Segment) -> dict[str, Any]:
    return {
        "doc_id": doc.id,
        "source": doc.source.path,
        "index": index,
        "line": seg.line,
        "source_line": source_line(doc, seg),
        "span": list(seg.span),
        "text": seg.text,
        "kind": seg.kind,
        "kept": seg.kept and doc.kept,
        "reason": seg.reason if seg.kept is False or doc.kept else doc.status,
        "lang": seg.lang,
        "lang_prob": seg.lang_prob,
        "script": seg.script,
    }


def sentence_row(
    doc: Document, seg_index: int, sent_index: int, sent: Sentence, kind: str
) -> dict[str, Any]:
    """One kept sentence; *kind* is its segment's (``paragraph``, ``heading``, ``list_item``…)."""
    return {
        "id": doc.sentence_id(seg_index, sent_index),
        "doc_id": doc.id,
        "segment": seg_index,
        "kind": kind,
        "span": list(sent.span),
        "text": sent.text,
        "lang": sent.lang,
        "lang_prob": sent.lang_prob,
        "translation": sent.translation.as_dict() if sent.translation else None,
        "pending": sent.pending,
    }


def document_row(doc: Document) -> dict[str, Any]:
    languages: dict[str, int] = {}
    sentences = 0
    for seg in doc.segments:
        if seg.kept and doc.kept:
            for sent in seg.sentences:
                if not sent.kept:
                    continue
                languages[sent.lang] = languages.get(sent.lang, 0) + 1
                sentences += 1
    row: dict[str, Any] = {
        "id": doc.id,
        "source": doc.source.as_dict(),
        "status": doc.status,
        "lang": doc.lang,
    }
    pairs = (("title", "title"), ("url", "url"), ("id", "record_id"), ("lang", "declared_lang"),
             ("part", "part"), ("parts", "parts"), ("part_offset", "part_offset"))
    for key, name in pairs:
        if doc.meta.get(key) not in (None, ""):
            row[name] = doc.meta[key]
    row.update(
        segments=len(doc.segments),
        segments_kept=sum(1 for s in doc.segments if s.kept) if doc.kept else 0,
        sentences=sentences,
        languages=dict(sorted(languages.items())),
    )
    return row


def document_from_sentence_rows(rows: list[dict[str, Any]]) -> Document:
    """One document's ``sentences.jsonl`` rows as a minimal ``Document``: its kept
    sentences, grouped by segment in the order they were written."""
    doc = Document(id=rows[0]["doc_id"], source=Source(path=""))
    segments: dict[int, Segment] = {}
    for row in rows:
        seg = segments.setdefault(
            row["segment"], Segment(text="", span=(0, 0), kind=row.get("kind", "paragraph"))
        )
        translation = row.get("translation")
        seg.sentences.append(
            Sentence(
                text=row["text"],
                span=tuple(row["span"]),  # type: ignore[arg-type]
                lang=row["lang"],
                lang_prob=row["lang_prob"],
                translation=_translation(translation) if translation else None,
                pending=row.get("pending"),
            )
        )
    doc.segments = list(segments.values())
    return doc


def _translation(row: dict[str, Any]) -> Translation:
    """A row's translation (rows written before checks existed have no ``flags``)."""
    return Translation(row["text"], row["target"], row["model"], tuple(row.get("flags") or ()))
