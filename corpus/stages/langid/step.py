"""Step ``langid``: the language of every segment, every sentence and the document.

Run twice in the default pipeline: ``level = "segment"`` before sentence splitting (the
splitter is language-aware), ``level = "sentence"`` after it, where every sentence is
re-detected with its segment's language as the prior and a segment whose sentences
change language is split into one segment per language run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from corpus.languages import check_detectable
from corpus.records import UND, Document, Segment, Sentence
from corpus.registry import Step, register
from corpus.stages.langid import detector as langid
from corpus.textnorm import normalize_text


@register("langid", version=2)
@dataclass
class LangId(Step):
    """Detect languages with ``corpus.stages.langid``; ``languages`` restricts the answers."""

    level: Literal["segment", "sentence"] = "segment"
    languages: list[str] = field(default_factory=list)
    split_mixed: bool = True  # sentence level: split segments where the language changes
    min_split_prob: float = 0.8  # both sides of a split must be at least this sure
    splits: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        if not 0.0 <= self.min_split_prob <= 1.0:
            raise ValueError("min_split_prob must be between 0 and 1")
        for code in self.languages:
            check_detectable(code, "languages")
        self.requires = frozenset(
            {"segment.normalized"} if self.level == "segment" else {"segment.sentences"}
        )
        self.provides = frozenset(
            {"segment.lang", "document.lang"} if self.level == "segment" else {"sentence.lang"}
        )

    def prepare(self) -> None:
        langid.detect("warm up")  # loads the profiles and word lists once, before forking

    @property
    def _allowed(self) -> list[str] | None:
        return list(self.languages) or None

    def process(self, doc: Document) -> None:
        if self.level == "segment":
            self._segments(doc)
        else:
            self._sentences(doc)

    def _segments(self, doc: Document) -> None:
        """The document's language from its longest body segments, then every segment's
        with it as the prior; :func:`~corpus.stages.langid.detector.detect_page` scores each
        text once."""
        segs = [s for s in doc.segments if s.text]
        doc_guess, guesses = langid.detect_page(
            [s.text for s in segs], body=[s.kept for s in segs], allowed=self._allowed
        )
        doc.lang = doc_guess.lang
        for seg, guess in zip(segs, guesses, strict=True):
            seg.lang, seg.lang_prob, seg.script = guess.lang, guess.prob, guess.script

    def _sentences(self, doc: Document) -> None:
        todo = [seg for seg in doc.segments if seg.kept and seg.sentences]
        split = langid.split_many(
            [(seg.text, [s.span for s in seg.sentences], seg.lang) for seg in todo],
            allowed=self._allowed,
        )
        pieces_of = {id(seg): pieces for seg, pieces in zip(todo, split, strict=True)}
        out: list[Segment] = []
        for seg in doc.segments:
            if not seg.kept or not seg.sentences:
                out.append(seg)
                continue
            pieces = pieces_of[id(seg)]
            runs = self._runs(seg, pieces)
            if len(runs) == 1 or not self.split_mixed:
                for sent in seg.sentences:
                    self._label(sent, seg, pieces)
                out.append(seg)
            else:
                out.extend(self._split(doc, seg, runs))
        doc.segments = out

    def _label(self, sent: Sentence, seg: Segment, pieces: list) -> None:
        """A sentence's language: the piece it lies in (mostly), else the segment's."""
        best, overlap = None, 0
        for (a, b), guess in pieces:
            cover = min(b, sent.span[1]) - max(a, sent.span[0])
            if cover > overlap:
                best, overlap = guess, cover
        if best is None or best.lang == UND:
            sent.lang, sent.lang_prob = seg.lang, seg.lang_prob
        else:
            sent.lang, sent.lang_prob = best.lang, best.prob

    def _runs(self, seg: Segment, pieces: list) -> list[tuple[int, int, str, float]]:
        """Language runs ``(start, end, lang, prob)``; unsure pieces join their neighbour."""
        runs: list[list] = []
        for (a, b), guess in pieces:
            sure = guess.lang != UND and guess.prob >= self.min_split_prob
            if runs and (not sure or runs[-1][2] == guess.lang):
                runs[-1][1] = b
            elif not runs and not sure:
                runs.append([a, b, None, 0.0])
            elif runs and runs[-1][2] is None:
                runs[-1][1:] = [b, guess.lang, guess.prob]
            else:
                runs.append([a, b, guess.lang, guess.prob])
        return [(a, b, lang or seg.lang, prob or seg.lang_prob) for a, b, lang, prob in runs]

    def _split(
        self, doc: Document, seg: Segment, runs: list[tuple[int, int, str, float]]
    ) -> list[Segment]:
        """Cut *seg* into one segment per language run, cutting sentences where needed."""
        self.splits += len(runs) - 1
        original = doc.text[seg.span[0] : seg.span[1]]
        pieces: list[Segment] = []
        for a, b, lang, prob in runs:
            while a < b and seg.text[a].isspace():
                a += 1
            while b > a and seg.text[b - 1].isspace():
                b -= 1
            if a >= b:
                continue
            sentences: list[Sentence] = []
            for sent in seg.sentences:
                sa, sb = max(a, sent.span[0]), min(b, sent.span[1])
                while sa < sb and seg.text[sa].isspace():
                    sa += 1
                while sb > sa and seg.text[sb - 1].isspace():
                    sb -= 1
                if sa < sb:
                    sentences.append(
                        Sentence(text=seg.text[sa:sb], span=(sa - a, sb - a), lang=lang,
                                 lang_prob=prob)
                    )
            start = seg.span[0] + _original_offset(original, a, is_start=True)
            end = seg.span[0] + _original_offset(original, b, is_start=False)
            pieces.append(
                Segment(
                    text=seg.text[a:b],
                    span=(start, end),
                    line=seg.line + doc.text.count("\n", seg.span[0], start),
                    kind=seg.kind,
                    lang=lang,
                    lang_prob=prob,
                    script=langid.script_of(seg.text[a:b]),
                    sentences=sentences,
                )
            )
        return pieces

    def stats(self) -> dict[str, Any]:
        return {"mixed_segments_split": self.splits} if self.level == "sentence" else {}


def _original_offset(original: str, normalized_offset: int, *, is_start: bool) -> int:
    """The offset in *original* of position *normalized_offset* of its normalised text.

    Normalisation only deletes, collapses or composes characters, so the length of a
    normalised prefix never decreases as the prefix grows: a binary search finds the
    shortest prefix that reaches the position. A start offset names the character that
    produced normalised character *k* (the prefix reaching ``k + 1``, minus one); an end
    offset is the shortest prefix reaching *k*. Used only when a mixed segment is split.
    """
    target = normalized_offset + 1 if is_start else normalized_offset
    lo, hi = 0, len(original)
    while lo < hi:
        mid = (lo + hi) // 2
        if len(normalize_text(original[:mid])) < target:
            lo = mid + 1
        else:
            hi = mid
    if is_start:
        return max(lo - 1, 0)
    # combining marks that NFC folded into the last character belong to it
    while (
        lo < len(original)
        and not original[lo].isspace()
        and len(normalize_text(original[: lo + 1])) == target
    ):
        lo += 1
    return lo
