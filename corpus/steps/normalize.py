"""Step ``normalize``: NFC, whitespace, invisible characters (see corpus.normalize)."""

from __future__ import annotations

from dataclasses import dataclass

from corpus.normalize import normalize_text
from corpus.records import Document
from corpus.registry import Step, register


@register("normalize")
@dataclass
class Normalize(Step):
    """Normalise every segment's text; drop segments that are empty afterwards."""

    provides = frozenset({"segment.normalized"})

    def process(self, doc: Document) -> None:
        for seg in doc.segments:
            seg.text = normalize_text(seg.text)
            if not seg.text and seg.kept:
                seg.drop("empty")
        if not any(s.kept for s in doc.segments):
            doc.drop("no_text")
