"""The loop every filter step shares: drop with a reason, count by reason, keep examples.

STYLE 4: the base owns the loop, the step owns one decision (``check`` returns a reason
or ``None``). Dropped sentences keep their place (``kept=False`` + reason), so sentence
ids never depend on filter settings; the writer sends them to ``rejects.jsonl``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from corpus.records import Document, Sentence


class Counting:
    """Counters and a bounded rejects list shared by the filter steps."""

    max_rejects: int

    def _reset(self) -> None:
        self._in = 0
        self._dropped: Counter[str] = Counter()
        self._rejects: dict[str, str] = {}  # id -> "reason: text" (merges across workers)

    def _reject(self, reason: str, ident: str, text: str) -> None:
        self._dropped[reason] += 1
        if len(self._rejects) < self.max_rejects:
            self._rejects[ident] = f"{reason}: {text[:300]}"

    def _counts(self) -> dict[str, Any]:
        dropped = sum(self._dropped.values())
        return {
            "in": self._in,
            "kept": self._in - dropped,
            "dropped": dict(sorted(self._dropped.items())),
            "rejects": dict(self._rejects),
        }


def filter_sentences(
    doc: Document, check: Callable[[Sentence], str | None], on_drop: Callable[[str, str, str], None]
) -> int:
    """Drop (``kept=False`` + reason) the sentences for which *check* gives a reason.

    Dropped sentences keep their place, so every sentence id stays the same whatever
    the filter settings; the writer sends them to ``rejects.jsonl``. Returns how many
    sentences were looked at; ``on_drop(reason, id, text)`` sees each drop.
    """
    seen = 0
    for seg_index, seg in enumerate(doc.segments):
        if not seg.kept or not seg.sentences:
            continue
        for sent_index, sent in enumerate(seg.sentences):
            if not sent.kept:
                continue
            seen += 1
            reason = check(sent)
            if reason is not None:
                sent.kept, sent.reason = False, reason
                on_drop(reason, doc.sentence_id(seg_index, sent_index), sent.text)
        if not any(s.kept for s in seg.sentences):
            seg.drop("sentences_filtered")
    return seen
