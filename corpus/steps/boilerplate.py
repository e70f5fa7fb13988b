"""Steps ``boilerplate`` and ``repeated_lines``: tell page furniture from body text.

``boilerplate`` is per document: it hands the page's lines to
``corpus.boilerplate.classify_lines`` and drops what it calls boilerplate, keeping the
reason. ``repeated_lines`` is corpus-wide (CCNet's idea): a line that recurs on many pages
of the same source (folder, or URL host for JSONL/HTML with a URL) is site furniture
however article-like it looks.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from corpus.boilerplate import classify_lines
from corpus.records import Document
from corpus.registry import Step, register


@register("boilerplate")
@dataclass
class Boilerplate(Step):
    """Classify every body line as body or boilerplate; titles are kept as they are."""

    requires = frozenset({"segment.normalized"})
    provides = frozenset({"segment.boilerplate"})
    dropped: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    def prepare(self) -> None:
        from corpus.boilerplate import _stoplists

        _stoplists()  # load the stoplists once, before worker processes fork

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


def source_group(doc: Document) -> str:
    """Pages of one site: the URL's host when known, else the input's folder."""
    url = doc.meta.get("url")
    if isinstance(url, str) and url:
        host = urlsplit(url).hostname
        if host:
            return host
    return os.path.dirname(doc.source.path) + (f"#{doc.source.path}" if doc.source.record else "")


@register("repeated_lines")
@dataclass
class RepeatedLines(Step):
    """Drop kept lines already seen on ``min_pages`` earlier pages of the same source.

    Streaming and order-dependent by design (memory: one 8-byte hash per distinct short
    line per source). Only lines of at most ``max_words`` words count: a long paragraph
    repeated verbatim is a duplicate, for the dedup step to judge, not furniture.
    """

    min_pages: int = 3
    max_words: int = 12
    per_document = False
    requires = frozenset({"segment.normalized"})
    dropped: int = field(default=0, init=False, repr=False)
    _seen: dict[str, dict[bytes, int]] = field(
        default_factory=lambda: defaultdict(dict), init=False, repr=False
    )

    def __post_init__(self) -> None:
        if self.min_pages < 1:
            raise ValueError("min_pages must be >= 1")

    def __call__(self, docs: Iterable[Document]) -> Iterator[Document]:
        for doc in docs:
            if doc.kept:
                self._process(doc)
            yield doc

    def _process(self, doc: Document) -> None:
        seen = self._seen[source_group(doc)]
        page_lines: set[bytes] = set()
        for seg in doc.segments:
            if seg.kind == "title" or len(seg.text.split()) > self.max_words:
                continue
            key = hashlib.blake2b(seg.text.casefold().encode(), digest_size=8).digest()
            if key in page_lines:
                continue
            page_lines.add(key)
            count = seen.get(key, 0)
            if count >= self.min_pages and seg.kept:
                seg.kind = "boilerplate"
                seg.drop("repeated_across_pages")
                self.dropped += 1
            seen[key] = count + 1
        if not any(s.kept for s in doc.segments):
            doc.drop("only_boilerplate")

    def stats(self) -> dict[str, Any]:
        return {"dropped": self.dropped}
