"""Property tests (issue 7, point 4): decoding, normalisation, segmentation, detection.

tests/test_bad_inputs.py already feeds arbitrary bytes to ``decode`` and ``read_input``,
arbitrary text to ``segment_text`` and arbitrary markup to the HTML extractor; this file
checks what those cannot: exact round trips, the declared-charset and forced-codec paths,
``normalize_text``'s promises, ``sentence_spans`` and ``split_by_language`` on any text,
and the per-document steps end to end (spans, NFC, valid UTF-8 on the way out).

Example counts are kept small and deadlines off so the whole file runs in well under a
minute on a busy two-core machine; ``CORPUS_HYPOTHESIS_EXAMPLES`` scales them up.
"""

from __future__ import annotations

import codecs
import os
import unicodedata

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from corpus.config import pipeline_from_dict
from corpus.ingest import InputConfig
from corpus.ingest.decode import binary_reason, codec_name, decode
from corpus.ingest.documents import content_document
from corpus.records import UND, Document, Source
from corpus.run.worker import apply_steps
from corpus.stages.langid.detector import detect, split_by_language, supported_languages
from corpus.stages.sentences import LANGS_WITH_DATA, sentence_spans
from corpus.textnorm import normalize_text

SCALE = float(os.environ.get("CORPUS_HYPOTHESIS_EXAMPLES", "1"))


def examples(n: int) -> settings:
    return settings(
        max_examples=max(1, int(n * SCALE)),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


# Text as it appears in scraped pages: several scripts, punctuation that ends or does not
# end sentences, abbreviations, quotes, every kind of space and invisible character, and
# combining marks that NFC composes.
_PIECES = [
    "The council approved the budget. ", "Prices rose sharply! ", "Is it open? ",
    "Dr. Smith arrived at 5 p.m. on Jan. 3. ", "Правительство утвердило программу. ",
    "Уряд затвердив нову програму розвитку. ", "т. е. ", "Die Preise sind gestiegen. ",
    "Η κυβέρνηση ενέκρινε το πρόγραμμα. ", "政府批准了新计划。", "这是第二句！",
    "«Цитата» — сказал он. ", "\"Quoted,\" she said. ", "e\u0301te\u0301 ", "A\u030a ",
    "\u00a0", "\u200b", "\u00ad", "\ufeff", "\u3000", "\t", "\n", "\r\n", "  ", "...", "…",
    "1. ", "3.14 ", "U.S.A. ", "www.example.com/a.b ", "\u202e", "\x07", "\x85", "ﬁ",
]
SCRAPED = st.lists(st.sampled_from(_PIECES), max_size=30).map("".join)
# Without decomposed accents: see test_split_span_keeps_a_trailing_combining_mark.
SCRAPED_COMPOSED = st.lists(
    st.sampled_from([p for p in _PIECES if unicodedata.is_normalized("NFC", p)]), max_size=30
).map("".join)
ANY_TEXT = st.one_of(st.text(max_size=400), SCRAPED)
LANG_CODES = sorted({*LANGS_WITH_DATA, "und", "xx", "", "pt-BR", "zh_Hant", "ru", "en"})
SUPPORTED = set(supported_languages())

# No C0/C1 controls (those make bytes look binary, on purpose) and no surrogates.
CLEAN_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cc", "Cs")), st.sampled_from("\n\t\r")
    ),
    min_size=1,
    max_size=400,
)
LABELS = [
    None, "utf-8", "UTF-8", "windows-1251", "koi8-r", "iso-8859-1", "shift_jis", "gb2312",
    "utf-16", "utf-7", "unicode_escape", "base64", "rot13", "x-user-defined", "bogus", "",
]


def assert_utf8(text: str) -> None:
    text.encode("utf-8")  # raises on lone surrogates: the writers could not write them


# --- decoding -------------------------------------------------------------------------


@examples(200)
@given(CLEAN_TEXT, st.sampled_from(LABELS))
def test_valid_utf8_comes_back_exactly_whatever_the_page_declares(text: str, label) -> None:
    data = text.encode("utf-8")
    assume(not text.startswith("\ufeff") and binary_reason(data) is None)
    decoded = decode(data, declared=label)
    assert decoded.status is None and decoded.encoding == "utf-8"
    assert decoded.text == text


@examples(150)
@given(CLEAN_TEXT, st.sampled_from(["utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"]))
def test_text_behind_a_byte_order_mark_comes_back_exactly(text: str, encoding: str) -> None:
    bom = {
        "utf-8": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE,
        "utf-16-be": codecs.BOM_UTF16_BE, "utf-32-le": codecs.BOM_UTF32_LE,
        "utf-32-be": codecs.BOM_UTF32_BE,
    }[encoding]
    decoded = decode(bom + text.encode(encoding))
    assert decoded.status is None and decoded.encoding == encoding
    assert decoded.text == text


@examples(200)
@given(st.binary(max_size=1500), st.sampled_from(LABELS))
def test_any_bytes_under_any_declared_charset(data: bytes, label) -> None:
    decoded = decode(data, declared=label)
    if decoded.status is None:
        assert decoded.encoding
        assert_utf8(decoded.text)
    else:
        assert decoded.status.startswith("dropped:") and decoded.text == ""


@examples(150)
@given(st.binary(max_size=1500), st.sampled_from(["cp1251", "latin-1", "utf-8", "utf-16",
                                                  "shift_jis", "koi8-r", "utf-32"]))
def test_any_bytes_under_a_forced_text_codec(data: bytes, forced: str) -> None:
    decoded = decode(data, forced=forced)
    if decoded.status is None:
        assert_utf8(decoded.text)


# --- normalisation --------------------------------------------------------------------


@examples(400)
@given(ANY_TEXT)
def test_normalize_promises(text: str) -> None:
    out = normalize_text(text)
    assert_utf8(out)
    assert unicodedata.is_normalized("NFC", out)
    assert out == out.strip()
    assert "  " not in out and not any(ch in out for ch in "\t\n\r\u00a0\u200b\u00ad\ufeff")
    assert not any(unicodedata.category(ch) == "Cc" for ch in out)
    assert normalize_text(out) == out  # idempotent: a second run changes nothing


# --- segmentation ---------------------------------------------------------------------


@examples(300)
@given(ANY_TEXT, st.sampled_from(LANG_CODES))
def test_sentence_spans_index_the_text(text: str, lang: str) -> None:
    last = 0
    for a, b in sentence_spans(text, lang):
        assert last <= a < b <= len(text)
        assert text[a:b] == text[a:b].strip()
        assert not text[last:a].strip(), "non-space text left out between sentences"
        last = b
    assert not text[last:].strip(), "non-space text left out at the end"


# --- detection ------------------------------------------------------------------------


@examples(200)
@given(ANY_TEXT, st.sampled_from([None, "en", "ru", "uk", "zh", "xx"]),
       st.sampled_from([None, ["en", "ru"], ["uk"], ["zz"]]))
def test_detect_answers_a_known_code_deterministically(text: str, hint, allowed) -> None:
    guess = detect(text, hint=hint, allowed=allowed)
    assert guess.lang == UND or guess.lang in SUPPORTED
    if allowed is not None:
        assert guess.lang == UND or guess.lang in allowed
    assert 0.0 <= guess.prob <= 1.0
    assert detect(text, hint=hint, allowed=allowed) == guess


@examples(150)
@given(SCRAPED, st.sampled_from([None, "en", "ru"]))
def test_split_by_language_pieces_cover_every_sentence(text: str, hint) -> None:
    spans = sentence_spans(text, hint or "und")
    pieces = split_by_language(text, spans, hint=hint)
    last = 0
    covered: set[int] = set()
    for (a, b), guess in pieces:
        assert last <= a <= b <= len(text), pieces  # (0, 0) for a text with no sentence
        assert guess.lang == UND or guess.lang in SUPPORTED
        covered.update(range(a, b))
        last = b
    for a, b in spans:
        assert set(range(a, b)) <= covered, (text, spans, pieces)


# --- the per-document steps end to end ------------------------------------------------

STEPS = pipeline_from_dict(
    {
        "steps": [
            {"use": "normalize"},
            {"use": "boilerplate"},
            {"use": "langid", "level": "segment"},
            {"use": "segment"},
            {"use": "langid", "level": "sentence"},
        ]
    },
    where="test_properties",
).steps


def run_steps(text: str, fmt: str = "text") -> Document:
    doc = content_document(Source(path="x"), text, fmt, InputConfig())
    (doc,) = list(apply_steps(STEPS, [doc]))
    return doc


@examples(120)
@given(SCRAPED_COMPOSED, st.sampled_from(["text", "html"]))
def test_steps_keep_spans_nfc_and_utf8(text: str, fmt: str) -> None:
    if fmt == "html":
        text = "<html><body>" + "".join(f"<p>{line}</p>" for line in text.split("\n"))
    doc = run_steps(text, fmt)
    for seg in doc.segments:
        a, b = seg.span
        assert 0 <= a <= b <= len(doc.text)
        assert_utf8(seg.text)
        if seg.kept:
            assert unicodedata.is_normalized("NFC", seg.text)
            # the span still points at the original text the segment came from
            assert normalize_text(doc.text[a:b]) == seg.text, (doc.text, seg)
        for sent in seg.sentences:
            sa, sb = sent.span
            assert seg.text[sa:sb] == sent.text and sent.text == sent.text.strip()
            assert unicodedata.is_normalized("NFC", sent.text)
            assert sent.lang == UND or sent.lang in SUPPORTED


def test_split_span_keeps_a_trailing_combining_mark() -> None:
    # Found by test_steps_keep_spans_nfc_and_utf8 with decomposed accents (NFD input).
    text = "The council approved the budget. e\u0301te\u0301 Правительство утвердило программу. "
    doc = run_steps(text)
    assert [s.lang for s in doc.segments] == ["en", "ru"]  # a mixed line, split in two
    for seg in doc.segments:
        a, b = seg.span
        assert normalize_text(doc.text[a:b]) == seg.text


def test_a_declared_python_only_codec_is_not_a_charset() -> None:
    page = (b'<html><head><meta charset="unicode_escape"></head><body>'
            b"<p>C:\\new\\table caf\xe9 na\xefve \\ud800 more words</p></body></html>")
    decoded = decode(page, declared="unicode_escape")
    assert_utf8(decoded.text)
    assert "C:\\new\\table" in decoded.text and "more words" in decoded.text
    for label in ("unicode_escape", "raw_unicode_escape", "punycode", "idna", "undefined"):
        assert codec_name(label) is None, label
