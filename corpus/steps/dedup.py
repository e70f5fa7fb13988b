"""Step ``dedup``: exact duplicate documents are kept once.

The key is the document's normalised text (all segments, in order), so copies that
differ only in encoding, line endings, invisible characters or Unicode composition are
caught. A copy is recorded as ``dropped:duplicate of <id>`` — never silently lost.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from corpus.records import Document
from corpus.registry import Step, register


def text_key(doc: Document) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for seg in doc.segments:
        h.update(seg.text.encode("utf-8"))
        h.update(b"\n")
    return h.digest()


@register("dedup")
@dataclass
class ExactDedup(Step):
    """Drop documents whose normalised text equals an earlier document's."""

    per_document = False
    requires = frozenset({"segment.normalized"})
    provides = frozenset({"document.unique"})
    duplicates: int = field(default=0, init=False, repr=False)
    _first: dict[bytes, str] = field(default_factory=dict, init=False, repr=False)

    def __call__(self, docs: Iterable[Document]) -> Iterator[Document]:
        for doc in docs:
            if doc.kept:
                key = text_key(doc)
                first = self._first.setdefault(key, doc.id)
                if first != doc.id:
                    doc.drop(f"duplicate of {first}")
                    self.duplicates += 1
            yield doc

    def stats(self) -> dict[str, Any]:
        return {"duplicates": self.duplicates}
