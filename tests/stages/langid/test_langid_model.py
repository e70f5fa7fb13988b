"""The model's batch paths give exactly what its per-word paths give.

Scores are sums of per-word rows, and decisions and probabilities follow from them to the
last bit: the batched n-gram extraction, the batched word-list look-up and the compacted
word table must change nothing, only the cost.
"""

from __future__ import annotations

import numpy as np
import pytest

from corpus.stages.langid import detector
from corpus.stages.langid.model import Model, words_of

TEXTS = [
    "Der Bundestag hat am Donnerstag über das neue Gesetz abgestimmt.",
    "L'État français s'est engagé aujourd'hui à réduire ses émissions.",
    "Президент заявил сегодня о новых планах правительства.",
    "Тренування триватимуть ще два тижні, повідомив тренер.",
    "Tiếng Việt có dấu: người, được, những, chuyện.",
    "日本語のテキストとひらがな、カタカナ。中文句子也在这里。",
    "Ово је реченица на српском језику, ћирилицом.",
    "rock'n'roll o'clock x y z a1b2 ǆungla",
]
# odd words: empty, apostrophes only, pieces that normalisation cuts apart, a combining
# mark that langdetect's Vietnamese rule composes, a lone surrogate
ODD_WORDS = ["", "'", "a'b", "ab  cd", "x", "tie\u0302\u0301ng", "a\ud800b", "мiр"]


@pytest.fixture(scope="module")
def model() -> Model:
    detector.detect("warm up")
    return detector._get_model()


def _words() -> list[str]:
    out: list[str] = []
    for text in TEXTS:
        out += [w for w in words_of(text) if w not in out]
    return out + ODD_WORDS


@pytest.mark.parametrize("composing", [True, False], ids=["vi-mark", "joined-at-once"])
def test_batch_gram_ids_are_gram_ids_word_by_word(model: Model, composing: bool) -> None:
    # without a mark for the Vietnamese rule to compose, the words are normalised joined
    words = [w for w in _words() if composing or w != "tie\u0302\u0301ng"]
    ids, counts = model._batch_gram_ids(words)
    one_by_one = [model.gram_ids(w) for w in words]
    assert counts.tolist() == [len(g) for g in one_by_one]
    assert ids.tolist() == [i for g in one_by_one for i in g]
    assert counts[words.index("ab  cd")] == len(model.gram_ids("ab")) + len(model.gram_ids("cd"))
    assert counts[words.index("")] == 0


def test_batch_lexicon_lookup_is_entries_word_by_word(model: Model) -> None:
    words = _words()
    zipf = model._zipf(words)
    assert np.isfinite(zipf).any()  # the common words of these sentences are listed
    for i, w in enumerate(words):
        expected = np.full(zipf.shape[1], -np.inf)
        langs, values = model.lexicon.entries(w)
        expected[langs.astype(np.int64)] = values
        assert np.array_equal(zipf[i], expected), w


def test_compacted_word_table_scores_as_a_fresh_one(model: Model) -> None:
    cands = ["de", "en", "fr", "ru", "uk", "sr", "vi"]
    model.clear_cache()
    model.score_parts(TEXTS, cands)
    model.score_parts(TEXTS[:3], cands)  # the words of these served twice
    before = len(model._words)
    model._compact()
    kept = set(model._words)
    assert 0 < len(kept) < before
    assert set(words_of(TEXTS[0])) <= kept and not kept & set(words_of(TEXTS[3]))
    after = model.score_parts(TEXTS, cands)  # kept rows reused, the others recomputed
    model.clear_cache()
    fresh = model.score_parts(TEXTS, cands)
    for a, b in zip(after, fresh, strict=True):
        assert np.array_equal(a, b)
