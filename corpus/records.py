"""The records that flow through a pipeline.

A ``Document`` is one input document (a file, or one record of a JSONL file). It holds
the decoded text exactly as read (``text``) and the ``segments`` cut from it: lines or
paragraphs, each with a ``span`` into ``Document.text`` so provenance survives every
later rewrite. A segment's own ``text`` is the *normalised* text; its ``sentences`` carry
spans into that normalised text.

Rejections are values, not exceptions: a dropped segment keeps ``kept=False`` and a
``reason``; a dropped document keeps ``status="dropped:<reason>"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any

UND = "und"


def _fast_pickle(cls: type) -> type:
    """Pickle a slotted record as ``cls(*fields)``.

    Workers send every document back to the main process; the default protocol for
    slotted dataclasses calls a Python ``__getstate__``/``__setstate__`` per object (a
    document is ~40 objects). A positional constructor call costs about half as much
    both ways (measured on bench pages: 119 -> 68 us to pickle a document, 78 -> 46 us
    to unpickle it, the latter in the main process). Every field is an init field, in
    order, so this round-trips exactly.
    """
    names = tuple(f.name for f in fields(cls))
    assert all(f.init for f in fields(cls))
    values = attrgetter(*names)

    def __reduce__(self: Any) -> tuple[type, tuple[Any, ...]]:
        return cls, values(self)

    cls.__reduce__ = __reduce__  # type: ignore[attr-defined]
    return cls


@_fast_pickle
@dataclass(slots=True)
class Source:
    """Where a document came from: enough to find its bytes again."""

    path: str
    sha256: str = ""  # of the input file's bytes (the whole file, also for JSONL records)
    record: int | None = None  # 1-based line number of a JSONL record
    offset: int | None = None  # byte offset of that record in the (decompressed) file
    length: int | None = None  # byte length of that record
    encoding: str = ""  # how the bytes were decoded
    format: str = ""  # text | html | jsonl
    compression: str = ""  # "" | gzip
    notes: list[str] = field(default_factory=list)  # e.g. "replaced 3 undecodable bytes"

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"path": self.path, "sha256": self.sha256}
        for key in ("record", "offset", "length"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        out.update(encoding=self.encoding, format=self.format)
        if self.compression:
            out["compression"] = self.compression
        if self.notes:
            out["notes"] = list(self.notes)
        return out


# Why a translation was judged unfit for parallel/ (corpus.stages.translate.checks):
# flag → what it means, for the summary and the audit.
TRANSLATION_FLAGS = {
    "empty": "empty output",
    "copy": "copy of the source",
    "wrong_lang": "output not in the target language",
    "length_ratio": "length ratio outside the pair's bounds",
    "loop": "repeated phrase (hallucination loop)",
}


@_fast_pickle
@dataclass(slots=True)
class Translation:
    text: str
    target: str
    model: str  # package id and version, e.g. "translate-ru_en-1.9" or "ru>en>uk" when pivoting
    flags: tuple[str, ...] = ()  # failed checks (TRANSLATION_FLAGS); flagged pairs skip parallel/

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "target": self.target, "model": self.model,
                "flags": list(self.flags)}


@_fast_pickle
@dataclass(slots=True)
class Sentence:
    """One sentence of a kept segment. ``span`` indexes the segment's normalised text."""

    text: str
    span: tuple[int, int]
    lang: str = UND
    lang_prob: float = 0.0
    translation: Translation | None = None
    pending: str | None = None  # "<src>-<tgt>" when no model could translate it yet
    kept: bool = True  # a filter step may drop it; its id stays reserved
    reason: str | None = None


@_fast_pickle
@dataclass(slots=True)
class Segment:
    """A line or paragraph of a document, as it appeared.

    ``span`` indexes ``Document.text`` (the decoded original); ``line`` is the 1-based
    line of the segment's first character there. ``kind`` says what the segment is:
    content (``title``, ``heading``, ``paragraph``, ``list_item``, ``table_row``,
    ``caption``, ``quote``, ``code``) or page furniture (``navigation``, ``teaser``,
    ``byline``, ``prompt``, ``comment``, ``credit``, ``copyright``, ``ad``, ``ui``);
    ``kept``/``reason`` say whether it went into the corpus and why not.
    """

    text: str
    span: tuple[int, int]
    line: int = 1
    kind: str = "paragraph"
    kept: bool = True
    reason: str | None = None
    lang: str = UND
    lang_prob: float = 0.0
    script: str = ""
    sentences: list[Sentence] = field(default_factory=list)

    def drop(self, reason: str) -> None:
        self.kept = False
        self.reason = reason


@_fast_pickle
@dataclass(slots=True)
class Document:
    """One input document and everything learnt about it.

    ``hashes`` holds what corpus-wide steps need of the document (dedup key, line keys,
    MinHash signature), computed by the worker that ran the per-document steps so the
    main process only looks them up (see ``corpus.run.local``). Never written out.
    """

    id: str
    source: Source
    text: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    segments: list[Segment] = field(default_factory=list)
    status: str = "kept"  # kept | dropped:<reason> | error:<message>
    lang: str = UND  # the document's main language (of its kept text)
    origin: str = "text"  # text (a page as text) | html (a page) | record (a clean record)
    hashes: dict[str, Any] | None = field(default=None, compare=False, repr=False)
    # an HTML file's page: the source line where each line of ``text`` starts (1-based),
    # so a segment (one block, one line of ``text``) links to its place in the page
    source_lines: list[int] = field(default_factory=list, repr=False)

    @property
    def kept(self) -> bool:
        return self.status == "kept"

    def drop(self, reason: str) -> None:
        self.status = f"dropped:{reason}"

    def sentence_id(self, segment: int, sentence: int) -> str:
        return f"{self.id}:{segment}:{sentence}"
