"""Near-duplicate documents: MinHash + LSH engine and the ``near_dedup`` step."""

from __future__ import annotations

import random
import subprocess
import sys

import numpy as np
import pytest

from corpus.records import Document, Segment, Source
from corpus.stages.dedup.minhash import NearDupIndex, lsh_params, shingle_hashes
from corpus.stages.dedup.near import NearDedup

WORDS = [f"w{i}" for i in range(3000)]


def article(rng: random.Random, paragraphs: int = 5) -> list[str]:
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 70)))
            for _ in range(paragraphs)]


def edited(paras: list[str], rng: random.Random, edits: int) -> list[str]:
    words = "\n".join(paras).split(" ")
    for _ in range(edits):
        words[rng.randrange(len(words))] = "zzz" + str(rng.random())
    return " ".join(words).split("\n")


def corpus_with_copies(seed: int = 1) -> tuple[list[tuple[str, str]], dict[str, str]]:
    """Originals, planted copies (edit / reorder / one paragraph shared), and the truth."""
    rng = random.Random(seed)
    items, truth = [], {}
    originals = {f"o{i}": article(rng) for i in range(60)}
    items += [(k, "\n".join(v)) for k, v in originals.items()]
    for i in range(0, 60, 3):
        paras = originals[f"o{i}"]
        items.append((f"e{i}", "\n".join(edited(paras, rng, 4))))
        truth[f"e{i}"] = f"o{i}"
        shuffled = paras[::-1]
        items.append((f"r{i}", "\n".join(shuffled)))
        truth[f"r{i}"] = f"o{i}"
        quote = [paras[0], *article(rng, 4)]  # shares one paragraph only: not a copy
        items.append((f"q{i}", "\n".join(quote)))
    return items, truth


def decide(index: NearDupIndex, items: list[tuple[str, str]], batch: int) -> dict[str, str]:
    found = {}
    for start in range(0, len(items), batch):
        chunk = items[start : start + batch]
        for (key, _), verdict in zip(chunk, index.add_batch(chunk), strict=True):
            if verdict.duplicate_of is not None:
                found[key] = verdict.duplicate_of
    return found


def test_planted_copies_found_and_quotes_not():
    items, truth = corpus_with_copies()
    found = decide(NearDupIndex(0.6), items, batch=16)
    assert found == truth


@pytest.mark.parametrize("batch", [1, 7, 1000])
def test_batching_gives_the_sequential_answer(batch):
    items, _ = corpus_with_copies(seed=2)
    rng = random.Random(5)
    items += [(f"x{i}", text) for i, (_, text) in enumerate(rng.sample(items, 30))]  # exact
    assert decide(NearDupIndex(0.6), items, batch) == decide(NearDupIndex(0.6), items, 1)


def test_copies_within_one_batch_point_to_the_earliest_kept():
    text = "one two three four five six seven eight nine ten eleven twelve"
    found = decide(NearDupIndex(0.8), [("a", text), ("b", text), ("c", text + " end")], 10)
    assert found == {"b": "a", "c": "a"}


def test_signatures_do_not_depend_on_the_process():
    code = (
        "from corpus.stages.dedup.minhash import NearDupIndex;"
        "print(NearDupIndex(0.7).signature('Hello brave new world of near duplicates')[:8])"
    )
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout for _ in range(2)}
    here = NearDupIndex(0.7).signature("Hello brave new world of near duplicates")
    assert len(outs) == 1 and str(here[:8]) == outs.pop().strip()


def test_shingles_ignore_case_and_punctuation_and_handle_short_texts():
    assert np.array_equal(shingle_hashes("Hello, World! How are you today?"),
                          shingle_hashes("hello world how are you today"))
    assert len(shingle_hashes("two words")) == 1  # shorter than n: one shingle, the whole
    assert len(shingle_hashes("... !!!")) == 0
    cjk = "今天天气很好我们去公园散步吧"  # 14 characters, each a word (corpus.words)
    assert len(shingle_hashes(cjk, "word")) == 14 - 5 + 1
    assert len(shingle_hashes(cjk, "char")) > 3


def test_char_shingles_find_copies_in_unspaced_scripts():
    rng = random.Random(3)
    chars = "的一是不了人我在有他这中大来上个国到说们为子和你地出道也时年"
    text = "".join(rng.choice(chars) for _ in range(400))
    copy = text[:200] + "变" + text[201:]
    other = "".join(rng.choice(chars) for _ in range(400))
    index = NearDupIndex(0.7, shingle="char")
    found = decide(index, [("a", text), ("b", copy), ("c", other)], 8)
    assert found == {"b": "a"}


def test_lsh_params_fit_the_budget_and_move_with_the_threshold():
    low, high = lsh_params(0.5, 128), lsh_params(0.9, 128)
    assert low[0] * low[1] <= 128 and high[0] * high[1] <= 128
    assert low[1] < high[1]  # a higher threshold wants more rows per band


def test_index_memory_is_small_per_document():
    rng = random.Random(4)
    index = NearDupIndex(0.6)
    decide(index, [(f"d{i}", "\n".join(article(rng, 2))) for i in range(3000)], 256)
    assert len(index) == 3000
    assert index.nbytes / len(index) < 700  # signatures (256 B) + band keys (12 B/band)


def make_doc(doc_id: str, text: str, status: str = "kept") -> Document:
    doc = Document(id=doc_id, source=Source(path=f"{doc_id}.txt"), status=status)
    offset = 0
    for line in text.split("\n"):
        doc.segments.append(Segment(text=line, span=(offset, offset + len(line))))
        offset += len(line) + 1
    return doc


def test_step_drops_near_copies_with_the_original_id():
    items, truth = corpus_with_copies(seed=6)
    docs = [make_doc(k, t) for k, t in items]
    docs.append(make_doc("late", items[0][1], status="dropped:duplicate of o0"))
    docs.append(make_doc("empty", ""))
    step = NearDedup(batch_size=10)
    out = list(step(docs))
    assert [d.id for d in out] == [d.id for d in docs]  # order kept, nothing lost
    dropped = {d.id: d.status for d in out if d.status.startswith("dropped:near")}
    assert dropped == {k: f"dropped:near-duplicate of {v}" for k, v in truth.items()}
    assert out[-2].status == "dropped:duplicate of o0" and out[-1].kept
    assert step.stats()["near_duplicates"] == len(truth)


def test_step_ignores_segments_dropped_as_boilerplate():
    rng = random.Random(8)
    body = article(rng, 4)
    a = make_doc("a", "\n".join(["Menu Home News Sport Weather Contact", *body]))
    b = make_doc("b", "\n".join(["Other site navigation entirely different words here", *body]))
    for doc in (a, b):
        doc.segments[0].drop("navigation")
    out = list(NearDedup(threshold=0.95)([a, b]))
    assert out[1].status == "dropped:near-duplicate of a"


def test_step_rejects_bad_parameters():
    for bad in ({"threshold": 0.0}, {"threshold": 1.5}, {"num_perm": 4}, {"batch_size": 0}):
        with pytest.raises(ValueError):
            NearDedup(**bad)
