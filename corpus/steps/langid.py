"""Step ``langid``: the language of every segment, every sentence and the document.

Run twice in the default pipeline: ``level = "segment"`` before sentence splitting (the
splitter is language-aware), ``level = "sentence"`` after it, where every sentence is
re-detected with its segment's language as the prior and a segment whose sentences
change language is split into one segment per language run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from corpus import langid
from corpus.normalize import normalize_text
from corpus.records import UND, Document, Segment, Sentence
from corpus.registry import Step, register


@register("langid")
@dataclass
class LangId(Step):
    """Detect languages with ``corpus.langid``; ``languages`` restricts the answers."""

    level: Literal["segment", "sentence"] = "segment"
    languages: list[str] = field(default_factory=list)
    split_mixed: bool = True  # sentence level: split segments where the language changes
    min_split_prob: float = 0.8  # both sides of a split must be at least this sure
    splits: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_split_prob <= 1.0:
            raise ValueError("min_split_prob must be between 0 and 1")
        self.requires = frozenset(
            {"segment.normalized"} if self.level == "segment" else {"segment.sentences"}
        )
        self.provides = frozenset(
            {"segment.lang", "document.lang"} if self.level == "segment" else {"sentence.lang"}
        )

    @property
    def _allowed(self) -> list[str] | None:
        return list(self.languages) or None

    def process(self, doc: Document) -> None:
        if self.level == "segment":
            self._segments(doc)
        else:
            self._sentences(doc)

    def _segments(self, doc: Document) -> None:
        body = [s.text for s in doc.segments if s.kept and s.text]
        doc.lang = _document_language(body or [s.text for s in doc.segments], self._allowed)
        for seg in doc.segments:
            if not seg.text:
                continue
            guess = langid.detect(seg.text, hint=doc.lang, allowed=self._allowed)
            seg.lang, seg.lang_prob, seg.script = guess.lang, guess.prob, guess.script

    def _sentences(self, doc: Document) -> None:
        out: list[Segment] = []
        for seg in doc.segments:
            if not seg.kept or not seg.sentences:
                out.append(seg)
                continue
            for sent in seg.sentences:
                if len(seg.sentences) == 1:
                    sent.lang, sent.lang_prob = seg.lang, seg.lang_prob
                    continue
                guess = langid.detect(sent.text, hint=seg.lang, allowed=self._allowed)
                sent.lang, sent.lang_prob = guess.lang, guess.prob
            out.extend(self._split(doc, seg) if self.split_mixed else [seg])
        doc.segments = out

    def _split(self, doc: Document, seg: Segment) -> list[Segment]:
        """Cut *seg* into runs of sentences of one (confidently detected) language."""
        runs: list[list[Sentence]] = []
        for sent in seg.sentences:
            sure = sent.lang != UND and sent.lang_prob >= self.min_split_prob
            if runs and (not sure or _run_lang(runs[-1], self.min_split_prob) in (None, sent.lang)):
                runs[-1].append(sent)
            else:
                runs.append([sent])
        if len(runs) == 1:
            return [seg]
        self.splits += len(runs) - 1
        original = doc.text[seg.span[0] : seg.span[1]]
        pieces: list[Segment] = []
        for run in runs:
            start, end = run[0].span[0], run[-1].span[1]
            a = seg.span[0] + _original_offset(original, start, is_start=True)
            b = seg.span[0] + _original_offset(original, end, is_start=False)
            lang = _run_lang(run, self.min_split_prob) or seg.lang
            probs = [s.lang_prob for s in run if s.lang == lang] or [seg.lang_prob]
            piece = Segment(
                text=seg.text[start:end],
                span=(a, b),
                line=seg.line + doc.text.count("\n", seg.span[0], a),
                kind=seg.kind,
                lang=lang,
                lang_prob=round(sum(probs) / len(probs), 4),
                script=seg.script,
                sentences=[
                    Sentence(
                        text=s.text,
                        span=(s.span[0] - start, s.span[1] - start),
                        lang=s.lang,
                        lang_prob=s.lang_prob,
                    )
                    for s in run
                ],
            )
            if len(piece.sentences) == 1:
                piece.sentences[0].lang = lang
            pieces.append(piece)
        return pieces

    def stats(self) -> dict[str, Any]:
        return {"mixed_segments_split": self.splits} if self.level == "sentence" else {}


def _run_lang(run: list[Sentence], min_prob: float) -> str | None:
    for sent in run:
        if sent.lang != UND and sent.lang_prob >= min_prob:
            return sent.lang
    return None


def _document_language(texts: list[str], allowed: list[str] | None) -> str:
    """The main language of a document: detection on its longest text, weighted by size."""
    detect_document = getattr(langid, "detect_document", None)
    if detect_document is not None:
        return detect_document(texts, allowed=allowed).lang
    votes: Counter[str] = Counter()
    for text in sorted(texts, key=len, reverse=True)[:20]:
        guess = langid.detect(text, allowed=allowed)
        if guess.lang != UND:
            votes[guess.lang] += len(text) * guess.prob
    return votes.most_common(1)[0][0] if votes else UND


def _original_offset(original: str, normalized_offset: int, *, is_start: bool) -> int:
    """Smallest offset in *original* whose normalised prefix reaches *normalized_offset*.

    Normalisation only deletes, collapses or composes characters, so the length of a
    normalised prefix never decreases as the prefix grows: a binary search finds it.
    Used only when a mixed segment is split, which is rare.
    """
    lo, hi = 0, len(original)
    while lo < hi:
        mid = (lo + hi) // 2
        if len(normalize_text(original[:mid])) < normalized_offset:
            lo = mid + 1
        else:
            hi = mid
    # a run starts after the whitespace that separated it from the previous run
    while is_start and lo < len(original) and _is_blank(original[lo]):
        lo += 1
    return lo


def _is_blank(ch: str) -> bool:
    return not normalize_text(ch)
