"""Step ``sentences`` (was ``segment``): kept segments into sentences, in the segment's language."""

from __future__ import annotations

from dataclasses import dataclass

from corpus.records import UND, Document, Sentence
from corpus.registry import Step, register
from corpus.stages.sentences import sentence_spans


@register("sentences", version=1, aliases=("segment",))
@dataclass
class SplitSentences(Step):
    """Split every kept segment into sentences with spans into its normalised text."""

    requires = frozenset({"segment.normalized"})
    provides = frozenset({"segment.sentences"})

    def process(self, doc: Document) -> None:
        for seg in doc.segments:
            if not seg.kept:
                continue
            lang = seg.lang if seg.lang != UND else doc.lang
            seg.sentences = [
                Sentence(text=seg.text[a:b], span=(a, b), lang=seg.lang, lang_prob=seg.lang_prob)
                for a, b in sentence_spans(seg.text, lang)
            ]
            if not seg.sentences:
                seg.drop("no_sentences")
