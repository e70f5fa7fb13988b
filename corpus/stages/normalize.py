"""Step ``normalize``: every segment's text through :func:`corpus.textnorm.normalize_text`
(NFC, whitespace, invisible and control characters, soft hyphens).

Scraped text carries zero-width joiners, soft hyphens, BOMs in the middle of lines,
non-breaking and ideographic spaces, and C0/C1 controls. They break de-duplication
(two copies differ invisibly) and tokenisers. Normalisation works on a segment's text;
the segment's ``span`` still points into the original document, so provenance is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from corpus.records import Document
from corpus.registry import Step, register
from corpus.textnorm import normalize_text


@register("normalize", version=1)
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
