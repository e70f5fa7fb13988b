"""Step ``boilerplate``: what each segment of a page is, and which of them are content.

A document comes in three shapes (``Document.origin``), and each gets the rules that fit:

* ``text`` – a page dumped as plain text: the whole line classifier
  (:func:`~corpus.stages.boilerplate.classify.classify_page`: cues, line scores, the
  article's body region), which also gives every line its kind and finds the headline;
* ``html`` – a page whose main content trafilatura chose and whose kinds the markup gave
  (``corpus.ingest.html``): only strong evidence drops a block trafilatura kept — a
  furniture cue (a login or newsletter prompt, a byline, a credit, a copyright line);
  the line scores and the body region are not used, so the step never undoes
  trafilatura's selection on shape alone;
* ``record`` – a JSONL record, usually already clean: only furniture cues (a record that
  is nothing but "Subscribe to our newsletter").

Then ``keep_kinds`` decides which kinds of content go into the corpus (by default all
but captions); a segment of another kind is dropped with ``<kind>_not_kept``. Every
dropped segment keeps its kind and reason in ``segments.jsonl``. Furniture that only
shows as repetition across a site's pages is ``repeated_lines``' job
(``corpus.stages.dedup.lines``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from corpus.records import Document, Segment
from corpus.registry import Step, register
from corpus.stages.boilerplate.classify import (
    REASON_KINDS,
    classify_page,
    line_cue,
    load_stoplists,
)

CONTENT_KINDS = ("title", "heading", "paragraph", "list_item", "table_row", "caption",
                 "quote", "code")
FURNITURE_KINDS = ("navigation", "teaser", "byline", "prompt", "comment", "credit",
                   "copyright", "ad", "ui")
DEFAULT_KEEP_KINDS = ("title", "heading", "paragraph", "list_item", "table_row", "quote",
                      "code")


@register("boilerplate", version=2)
@dataclass
class Boilerplate(Step):
    """Give every segment its kind; drop page furniture and the kinds not kept."""

    keep_kinds: list[str] = field(default_factory=lambda: list(DEFAULT_KEEP_KINDS))

    requires = frozenset({"segment.normalized"})
    provides = frozenset({"segment.boilerplate", "segment.kind"})
    dropped: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.keep_kinds) - set(CONTENT_KINDS))
        if unknown:
            raise ValueError(f"keep_kinds: {', '.join(unknown)} not content kinds "
                             f"(known: {', '.join(CONTENT_KINDS)})")
        self._keep = frozenset(self.keep_kinds)

    def prepare(self) -> None:
        load_stoplists()  # once, before worker processes fork

    def process(self, doc: Document) -> None:
        lang = doc.meta.get("lang")
        lang = lang if isinstance(lang, str) else None
        if doc.origin == "text":
            self._page(doc, lang)
        else:
            self._cues(doc)
        for seg in doc.segments:
            if seg.kept and seg.kind not in self._keep:
                self._drop(seg, f"{seg.kind}_not_kept")
        if not any(s.kept for s in doc.segments):
            doc.drop("only_boilerplate")

    def _page(self, doc: Document, lang: str | None) -> None:
        candidates = [s for s in doc.segments if s.kept]
        verdicts = classify_page([s.text for s in candidates], lang=lang)
        for seg, verdict in zip(candidates, verdicts, strict=True):
            seg.kind = verdict.kind
            if verdict.reason is not None:
                self._drop(seg, verdict.reason)

    def _cues(self, doc: Document) -> None:
        for seg in doc.segments:
            if seg.kept and seg.kind != "title" and (cue := line_cue(seg.text)) is not None:
                seg.kind = REASON_KINDS.get(cue, seg.kind)
                self._drop(seg, cue)

    def _drop(self, seg: Segment, reason: str) -> None:
        seg.drop(reason)
        self.dropped[reason] = self.dropped.get(reason, 0) + 1

    def stats(self) -> dict[str, Any]:
        return {"dropped": dict(sorted(self.dropped.items()))}
