"""Quality steps for training data: ``sentence_filter``, ``pair_filter``, ``document_filter``.

Each check lives in :mod:`corpus.stages.filters.checks` and returns a reason or ``None``; these
steps own the loop, count every drop by reason for the manifest (``stats()``) and keep
the first ``max_rejects`` dropped items (``{id: "reason: text"}``, a dict so that the
executor's ``merge_stats`` can merge workers' lists), so a threshold can be judged by
looking at what it removed.

Records have no per-sentence ``kept`` flag yet, so a dropped sentence is *removed* from
``segment.sentences`` (and a segment left without sentences is dropped with reason
``sentences_filtered``). Its id in the rejects list is the one it had before removal.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from corpus.languages import check_detectable
from corpus.limits import check_at_most
from corpus.records import UND, Document, Sentence
from corpus.registry import Step, register
from corpus.stages.filters import checks as F
from corpus.stages.filters.base import Counting, filter_sentences
from corpus.words import words

MAX_REJECTS = 100_000  # rejected examples a filter keeps for the manifest


@functools.lru_cache(maxsize=8)
def _sentencepiece(path: str) -> Any:
    """A SentencePiece model, loaded once per process (steps are copied for every chunk a
    worker runs; the model is not, and it does not pickle)."""
    import sentencepiece

    return sentencepiece.SentencePieceProcessor(model_file=path)


@register("sentence_filter", version=1)
@dataclass
class SentenceFilter(Step, Counting):
    """Drop sentences outside length bounds or with implausible characters or language.

    Every bound set to 0 is off. ``spm_model`` (a SentencePiece ``.model``) enables the
    token bounds. ``keep_languages`` keeps only sentences detected in one of them.
    """

    min_chars: int = 0
    max_chars: int = 0
    min_words: int = 0
    max_words: int = 0
    spm_model: str = ""
    min_tokens: int = 0
    max_tokens: int = 0
    min_letter_ratio: float = 0.0  # letters / non-space characters
    max_digit_ratio: float = 0.0
    max_punct_ratio: float = 0.0
    min_script_purity: float = 0.0  # share of letters in the dominant script
    max_repeated_token_ratio: float = 0.0  # 1 - distinct/total words
    repeated_min_words: int = 4  # shorter sentences are not judged on repeats
    min_lang_prob: float = 0.0
    # not `languages`: the pipeline's global `languages` (allowed detections) must not
    # silently turn into a filter here
    keep_languages: list[str] = field(default_factory=list)
    max_rejects: int = 100

    def __post_init__(self) -> None:
        if (self.min_tokens or self.max_tokens) and not self.spm_model:
            raise ValueError("min_tokens/max_tokens need spm_model (a SentencePiece .model)")
        if self.spm_model and not Path(self.spm_model).is_file():
            raise ValueError(f"spm_model: no such SentencePiece .model file: {self.spm_model}")
        for name in ("min_letter_ratio", "max_digit_ratio", "max_punct_ratio",
                     "min_script_purity", "max_repeated_token_ratio", "min_lang_prob"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        for code in self.keep_languages:
            check_detectable(code, "keep_languages", und=True)
        check_at_most(self.max_rejects, MAX_REJECTS, "max_rejects", "examples kept in memory")
        needs_lang = self.min_lang_prob > 0 or bool(self.keep_languages)
        self.requires = frozenset({"sentence.lang" if needs_lang else "segment.sentences"})
        self._reset()

    def _tokens(self, text: str) -> int:
        return len(_sentencepiece(self.spm_model).encode(text))

    def check(self, sent: Sentence) -> str | None:
        text = sent.text
        if self.keep_languages and sent.lang not in self.keep_languages:
            return "unwanted_lang"
        if self.min_lang_prob and (sent.lang == UND or sent.lang_prob < self.min_lang_prob):
            return "low_lang_prob"
        reason = F.bounds_reason(len(text), self.min_chars, self.max_chars, "chars")
        if reason:
            return reason
        tokens = words(text)
        reason = F.bounds_reason(len(tokens), self.min_words, self.max_words, "words")
        if reason:
            return reason
        if self.min_tokens or self.max_tokens:
            n = self._tokens(text)
            reason = F.bounds_reason(n, self.min_tokens, self.max_tokens, "tokens")
            if reason:
                return reason
        if self.min_letter_ratio or self.max_digit_ratio or self.max_punct_ratio:
            cc = F.char_classes(text)
            if cc.letters < self.min_letter_ratio:
                return "low_letter_ratio"
            if self.max_digit_ratio and cc.digits > self.max_digit_ratio:
                return "high_digit_ratio"
            if self.max_punct_ratio and cc.punctuation > self.max_punct_ratio:
                return "high_punct_ratio"
        if self.min_script_purity and F.script_purity(text) < self.min_script_purity:
            return "mixed_script"
        if (
            self.max_repeated_token_ratio
            and len(tokens) >= self.repeated_min_words
            and F.repeated_token_ratio(tokens) > self.max_repeated_token_ratio
        ):
            return "repeated_tokens"
        return None

    def process(self, doc: Document) -> None:
        self._in += filter_sentences(doc, self.check, self._reject)

    def stats(self) -> dict[str, Any]:
        return self._counts()


@register("pair_filter", version=1)
@dataclass
class PairFilter(Step, Counting):
    """Judge each translated pair; a bad pair loses its translation (or its sentence).

    Checks, in order: ``identical`` source and translation; ``untranslated`` (the
    translation reuses more than ``max_copy_ratio`` of its words from the source, or is
    detected in the source language); ``translation_wrong_lang`` (detected, with at least
    ``min_target_prob``, in a language other than the target); ``length_ratio`` (longer
    side over shorter, in characters, above ``max_length_ratio``, once both sides have
    ``ratio_min_chars``). ``drop = "translation"`` keeps the sentence as monolingual text.
    """

    max_length_ratio: float = 3.0
    ratio_min_chars: int = 10
    check_target_lang: bool = True
    min_target_prob: float = 0.5
    max_copy_ratio: float = 0.8
    copy_min_words: int = 4
    drop: Literal["translation", "sentence"] = "translation"
    max_rejects: int = 100

    requires = frozenset({"sentence.translation"})

    def __post_init__(self) -> None:
        if self.max_length_ratio and self.max_length_ratio < 1.0:
            raise ValueError("max_length_ratio is longer/shorter, so it must be >= 1 (0 = off)")
        check_at_most(self.max_rejects, MAX_REJECTS, "max_rejects", "examples kept in memory")
        self._reset()

    def check(self, sent: Sentence) -> str | None:
        tr = sent.translation
        if tr is None:
            return None
        src, tgt = sent.text, tr.text
        if F.comparable(src) == F.comparable(tgt) or src.strip() == tgt.strip():
            return "identical"
        if (
            self.max_copy_ratio
            and len(words(tgt)) >= self.copy_min_words
            and F.copy_ratio(src, tgt) > self.max_copy_ratio
        ):
            return "untranslated"
        if self.check_target_lang:
            from corpus.stages.langid.detector import detect

            guess = detect(tgt)
            if guess.lang not in (UND, tr.target) and guess.prob >= self.min_target_prob:
                return "untranslated" if guess.lang == sent.lang else "translation_wrong_lang"
        if (
            self.max_length_ratio
            and min(len(src), len(tgt)) >= self.ratio_min_chars
            and F.length_ratio(src, tgt) > self.max_length_ratio
        ):
            return "length_ratio"
        return None

    def process(self, doc: Document) -> None:
        if self.drop == "sentence":
            self._in += sum(
                1 for s in doc.segments if s.kept for t in s.sentences if t.translation
            )
            filter_sentences(doc, self.check, self._reject)
            return
        for seg_index, seg in enumerate(doc.segments):
            if not seg.kept:
                continue
            for sent_index, sent in enumerate(seg.sentences):
                if sent.translation is None:
                    continue
                self._in += 1
                reason = self.check(sent)
                if reason is not None:
                    ident = doc.sentence_id(seg_index, sent_index)
                    self._reject(reason, ident, f"{sent.text} ||| {sent.translation.text}")
                    sent.translation = None

    def stats(self) -> dict[str, Any]:
        return self._counts()


@register("document_filter", version=1)
@dataclass
class DocumentFilter(Step, Counting):
    """Drop documents that are mostly repetition or too short to train on.

    ``max_repeated_line_ratio``: share of kept segments repeating an earlier segment of
    the same document (spam, broken scrapes). ``min_words``: words over kept segments.
    """

    max_repeated_line_ratio: float = 0.0
    min_words: int = 0
    max_rejects: int = 100

    requires = frozenset({"segment.normalized"})

    def __post_init__(self) -> None:
        if not 0.0 <= self.max_repeated_line_ratio <= 1.0:
            raise ValueError("max_repeated_line_ratio must be between 0 and 1")
        check_at_most(self.max_rejects, MAX_REJECTS, "max_rejects", "examples kept in memory")
        self._reset()

    def process(self, doc: Document) -> None:
        self._in += 1
        lines = [s.text for s in doc.segments if s.kept]
        reason = None
        ratio = F.repeated_line_ratio(lines)
        if self.max_repeated_line_ratio and ratio > self.max_repeated_line_ratio:
            reason = "repetitive"
        elif self.min_words and sum(len(words(t)) for t in lines) < self.min_words:
            reason = "too_few_words"
        if reason:
            doc.drop(reason)
            self._reject(reason, doc.id, "\n".join(lines)[:300])

    def stats(self) -> dict[str, Any]:
        return self._counts()
