"""Step ``boilerplate``: tell page furniture from body text, one page at a time.

It hands the page's body lines to :func:`corpus.stages.boilerplate.classify.classify_lines`
and drops what it calls boilerplate, keeping the reason. Furniture that only shows as
repetition across the pages of a site is ``repeated_lines``' job (``corpus.stages.dedup``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from corpus.records import Document
from corpus.registry import Step, register
from corpus.stages.boilerplate.classify import classify_lines, load_stoplists


@register("boilerplate", version=1)
@dataclass
class Boilerplate(Step):
    """Classify every body line as body or boilerplate; titles are kept as they are."""

    requires = frozenset({"segment.normalized"})
    provides = frozenset({"segment.boilerplate"})
    dropped: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    def prepare(self) -> None:
        load_stoplists()  # once, before worker processes fork

    def process(self, doc: Document) -> None:
        candidates = [s for s in doc.segments if s.kept and s.kind == "body"]
        if not candidates:
            return
        reasons = classify_lines([s.text for s in candidates], lang=doc.meta.get("html_lang"))
        for seg, reason in zip(candidates, reasons, strict=True):
            if reason is not None:
                seg.kind = "boilerplate"
                seg.drop(reason)
                self.dropped[reason] = self.dropped.get(reason, 0) + 1
        if not any(s.kept for s in doc.segments):
            doc.drop("only_boilerplate")

    def stats(self) -> dict[str, Any]:
        return {"dropped": dict(sorted(self.dropped.items()))}
