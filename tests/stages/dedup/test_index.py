"""Bounded-memory indexes (corpus.stages.dedup.index) and the corpus-wide steps built on them.

The property that matters: answers, and the decisions taken on them, are the same
whatever the memory budget, i.e. whether the runs stay in memory or spill to disk, and
across a checkpoint (pickle) and restore.
"""

from __future__ import annotations

import pickle
import random
from pathlib import Path

import numpy as np
import pytest

from corpus.records import Document, Segment, Source
from corpus.registry import RunContext
from corpus.stages.dedup import index as hashindex
from corpus.stages.dedup.exact import ExactDedup
from corpus.stages.dedup.index import RowStore, RunStore, SpillDir
from corpus.stages.dedup.lines import RepeatedLines
from corpus.stages.dedup.minhash import NearDupIndex, _batch_candidates, _BatchBands
from corpus.stages.dedup.near import NearDedup

TINY = 2048  # bytes: a few hundred entries, so nearly every run is on disk


def _spill(tmp_path: Path, slot: str = "t") -> SpillDir:
    spill = SpillDir(slot)
    spill.attach(tmp_path, slot)
    return spill


def _batches(rng: random.Random, n_batches: int, universe: int) -> list[np.ndarray]:
    return [
        np.array([rng.randrange(universe) * 0x9E3779B97F4A7C15 % 2**64
                  for _ in range(rng.randint(1, 120))], dtype=np.uint64)
        for _ in range(n_batches)
    ]


def test_map_answers_like_a_dict_in_memory_and_spilled(tmp_path, monkeypatch):
    monkeypatch.setattr(hashindex, "MERGE_CHUNK", 64)  # many chunk boundaries in merges
    rng = random.Random(1)
    stores = [RunStore(unique=True, value_dtype=np.int64),
              RunStore(unique=True, value_dtype=np.int64, memory_bytes=TINY,
                       spill=_spill(tmp_path))]
    truth: dict[int, int] = {}
    for number, keys in enumerate(_batches(rng, 150, 3000)):
        for store in stores:
            found, vals = store.get(keys)
            expect = [truth.get(int(k)) for k in keys]
            assert found.tolist() == [e is not None for e in expect]
            assert [int(v) for v, f in zip(vals, found, strict=True) if f] == [
                e for e in expect if e is not None
            ]
        # a batch may repeat a key: the last value wins, as in a dict
        vals = np.array([number * 1000 + i for i in range(len(keys))], dtype=np.int64)
        for key, val in zip(keys.tolist(), vals.tolist(), strict=True):
            truth[key] = val
        for store in stores:
            store.add(keys, vals)
    assert stores[1].disk_runs > 0 and stores[0].disk_runs == 0
    assert stores[1].nbytes < 2 * TINY < 10 * TINY < stores[0].nbytes


def test_multimap_candidates_do_not_depend_on_the_budget(tmp_path, monkeypatch):
    monkeypatch.setattr(hashindex, "MERGE_CHUNK", 50)
    rng = random.Random(2)
    small = RunStore(unique=False, value_dtype=np.int32, memory_bytes=TINY,
                     spill=_spill(tmp_path))
    big = RunStore(unique=False, value_dtype=np.int32)
    item = 0
    for keys in _batches(rng, 120, 200):  # few distinct keys: long runs of equal keys
        for store in (small, big):
            a = store.candidates(keys, 7)
            pairs = sorted(zip(*(x.tolist() for x in a), strict=True))
            if store is small:
                small_pairs = pairs
            else:
                assert pairs == small_pairs
        values = np.arange(item, item + len(keys), dtype=np.int32)
        item += len(keys)
        small.add(keys, values)
        big.add(keys, values)
    assert small.disk_runs > 0
    # every value of a key comes back, oldest first, when the limit allows
    keys = np.array([7 * 0x9E3779B97F4A7C15 % 2**64], dtype=np.uint64)
    _, found = small.candidates(keys, 512)
    _, found2 = big.candidates(keys, 512)
    assert sorted(found.tolist()) == sorted(found2.tolist())


def test_runs_survive_a_checkpoint_and_files_are_cleaned_up(tmp_path):
    rng = random.Random(3)
    spill = _spill(tmp_path)
    store = RunStore(unique=True, value_dtype=np.int64, memory_bytes=TINY, spill=spill)
    batches = _batches(rng, 60, 10_000)
    for keys in batches[:30]:
        store.add(keys, keys.astype(np.int64) % 1000)
    store.mark_saved()
    saved = pickle.dumps(store)
    named = {p.name for p in spill.path().iterdir()}
    for keys in batches[30:]:
        store.add(keys, keys.astype(np.int64) % 1000)
    # files the saved state names are still there, though later merges replaced them
    assert named <= {p.name for p in spill.path().iterdir()}
    # a "resumed" store continues from the checkpoint and answers like the original
    resumed = pickle.loads(saved)
    resumed.spill.attach(tmp_path)
    for keys in batches[30:]:
        resumed.add(keys, keys.astype(np.int64) % 1000)
    probe = np.concatenate(batches)
    assert [x.tolist() for x in resumed.get(probe)] == [x.tolist() for x in store.get(probe)]
    store.mark_saved()
    store.close()
    live = {f"{r.name}.{part}" for r in store._runs if isinstance(r, hashindex._DiskRun)
            for part in ("keys", "vals")}
    assert {p.name for p in spill.path().iterdir()} == live


def test_spill_dirs_of_earlier_runs_are_removed(tmp_path):
    old = _spill(tmp_path, "05-dedup")
    old.path("x").write_text("old run")
    new = _spill(tmp_path, "05-dedup")
    new.path("y").write_text("this run")
    other = _spill(tmp_path, "06-dedup")
    other.path("z").write_text("another step")
    new.remove_others()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([new.dirname, other.dirname])


def test_row_store_spills_and_a_restore_cuts_the_file_back(tmp_path):
    rng = np.random.default_rng(4)
    rows = rng.integers(0, 2**16, size=(500, 12), dtype=np.uint16)
    store = RowStore(12, memory_bytes=24 * 16, spill=_spill(tmp_path))
    for start in range(0, 300, 37):
        store.append(rows[start : min(start + 37, 300)])
    assert store.n_disk > 0
    saved = pickle.dumps(store)
    store.append(rows[300:400])  # a part of the run that a crash will lose
    resumed = pickle.loads(saved)
    resumed.spill.attach(tmp_path)
    resumed.append(rows[400:500])  # overwrites what the lost part wrote
    got = resumed.take(np.arange(400))
    assert np.array_equal(got, np.concatenate([rows[:300], rows[400:500]]))
    order = np.array([399, 0, 150, 299, 300])
    assert np.array_equal(resumed.take(order), np.concatenate([rows[:300], rows[400:]])[order])


def test_batch_bands_find_the_pairs_batch_candidates_define():
    rng = np.random.default_rng(5)
    for _ in range(20):
        n, bands = int(rng.integers(2, 120)), int(rng.integers(1, 6))
        bkeys = rng.integers(0, int(rng.integers(2, 40)), size=(n, bands)).astype(np.uint64)
        truth = _batch_candidates(bkeys)
        lazy = _BatchBands()
        for r, row in enumerate(bkeys.tolist()):
            found, slots = lazy.candidates(row)
            assert sorted(found) == truth.get(r, [])
            lazy.keep(r, slots)  # every row kept: all candidates count


# -- the steps ------------------------------------------------------------------------
SENTENCES = [
    "The council approved the new budget after a long debate on Tuesday evening.",
    "Prices for fresh vegetables rose sharply across the region this spring season.",
    "The museum will reopen next month with an exhibition of early photographs.",
    "Officials expect the bridge to carry more than twenty thousand cars a day soon.",
    "Local farmers have struggled with the dry weather for the third year in a row.",
]
FURNITURE = ["Home", "Subscribe now", "Site menu line", "Share this", "Contact us"]


def make_docs(seed: int, n: int) -> list[Document]:
    """Pages from a few sites: furniture lines, copies, near-copies, odd ids too."""
    rng = random.Random(seed)
    docs: list[Document] = []
    pages: list[list[str]] = []
    for i in range(n):
        roll = rng.random()
        if pages and roll < 0.15:
            lines = list(rng.choice(pages))  # an exact copy of the text
        else:
            if pages and roll < 0.35:
                body = list(rng.choice(pages)[3:])
                body[rng.randrange(len(body))] = rng.choice(SENTENCES)  # a near copy
            else:
                body = [" ".join(rng.choice(SENTENCES) for _ in range(rng.randint(2, 4)))
                        + f" Story {i}." for _ in range(rng.randint(2, 5))]
            lines = [*rng.sample(FURNITURE, 3), *body]
        pages.append(lines)
        doc_id = f"{rng.getrandbits(64):016x}" if i % 7 else f"odd-{i}"
        doc = Document(id=doc_id, source=Source(path=f"site{i % 3}/p{i}.txt"))
        offset = 0
        for line in lines:
            doc.segments.append(Segment(text=line, span=(offset, offset + len(line))))
            offset += len(line) + 1
        docs.append(doc)
    return docs


def run_steps(steps, docs, *, prehash: bool) -> list[tuple[str, list[bool]]]:
    from corpus.run.worker import with_prehashes

    stream = iter(docs)
    if prehash:
        stream = with_prehashes([s for s in steps if hasattr(s, "prehash")], stream)
    for step in steps:
        stream = step(stream)
    return [(d.status, [s.kept for s in d.segments]) for d in stream]


def corpus_steps(memory_mb: float) -> list:
    return [ExactDedup(memory_mb=memory_mb),
            RepeatedLines(min_pages=2, max_words=60, memory_mb=memory_mb),
            NearDedup(threshold=0.6, batch_size=16, memory_mb=memory_mb)]


def test_steps_decide_the_same_with_any_budget_and_with_or_without_prehash(tmp_path):
    reference = run_steps(corpus_steps(64), make_docs(6, 700), prehash=False)
    statuses = {s.split(" ")[0] for s, _ in reference}
    assert {"kept", "dropped:duplicate", "dropped:near-duplicate"} <= statuses
    assert any(not all(kept) for s, kept in reference if s == "kept")  # repeated lines
    assert run_steps(corpus_steps(64), make_docs(6, 700), prehash=True) == reference
    tiny = corpus_steps(0.002)
    for number, step in enumerate(tiny):
        step.attach(RunContext(state_dir=tmp_path, slot=f"{number:02d}-{step.name}"))
    assert run_steps(tiny, make_docs(6, 700), prehash=True) == reference
    assert tiny[0]._index.disk_runs and tiny[1]._counts.disk_runs
    assert tiny[2].index._items.n_disk and tiny[2].index._bands.disk_runs


def test_a_stale_signature_is_recomputed():
    """repeated_lines may drop a line after a worker hashed the page for near_dedup."""
    docs = make_docs(7, 120)
    from corpus.run.worker import with_prehashes

    step = NearDedup(threshold=0.6)
    hashed = list(with_prehashes([step], iter(docs)))
    fresh = make_docs(7, 120)
    for a, b in zip(hashed, fresh, strict=True):
        for seg_a, seg_b in zip(a.segments[3:4], b.segments[3:4], strict=True):
            seg_a.drop("repeated_across_pages")
            seg_b.drop("repeated_across_pages")
    got = [d.status for d in NearDedup(threshold=0.6)(hashed)]
    assert got == [d.status for d in NearDedup(threshold=0.6)(fresh)]


def test_bad_memory_budget_is_rejected():
    for cls in (ExactDedup, RepeatedLines, NearDedup):
        with pytest.raises(ValueError, match="memory_mb"):
            cls(memory_mb=0)


def test_index_memory_is_bounded_by_its_budget(tmp_path):
    rng = np.random.default_rng(8)
    spill = _spill(tmp_path)
    index = NearDupIndex(0.6, memory_mb=0.05, spill=spill)
    free = NearDupIndex(0.6)
    for start in range(0, 3000, 200):
        sigs = list(rng.integers(0, 2**32, size=(200, 128), dtype=np.uint64).astype(np.uint32))
        keys = [f"{start + j:016x}" for j in range(200)]
        assert index.add_signatures(keys, sigs) == free.add_signatures(keys, sigs)
    assert len(index) == len(free) == 3000
    assert index.nbytes < 0.05 * 2**20 + 64 * 1024 < free.nbytes
