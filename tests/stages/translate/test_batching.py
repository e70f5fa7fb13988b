"""The batch plan and the thread plan: what the engine sends to CTranslate2, per device."""

from __future__ import annotations

import random

import pytest

from corpus.stages.translate import batching
from corpus.stages.translate.batching import plan_batches, thread_plan
from corpus.stages.translate.engine import EngineOptions


def lengths(n: int, seed: int = 0) -> dict[str, int]:
    rng = random.Random(seed)
    return {f"line {i}": rng.randint(1, 60) for i in range(n)}


def padded(batch: list[str], sizes: dict[str, int]) -> int:
    return len(batch) * max(sizes[x] for x in batch)


def test_batches_mix_lengths_within_the_token_bound():
    sizes = lengths(2000)
    batches = plan_batches(sizes, 512)
    assert sorted(x for b in batches for x in b) == sorted(sizes)  # each line once
    assert all(padded(b, sizes) <= 512 or len(b) == 1 for b in batches)
    assert any(len({sizes[x] for x in b}) > 1 for b in batches)
    longest = [max(sizes[x] for x in b) for b in batches]
    assert longest == sorted(longest, reverse=True)  # the longest start first


def test_one_length_batches_for_exact_argos():
    sizes = lengths(2000)
    batches = plan_batches(sizes, 512, one_length=True)
    assert all(len({sizes[x] for x in b}) == 1 for b in batches)
    # why it is not the default: with few sentences per length, batches stay small
    few = lengths(200)
    assert len(plan_batches(few, 512, one_length=True)) > 2 * len(plan_batches(few, 512))


def test_the_plan_depends_on_the_lines_not_their_order():
    sizes = lengths(500)
    shuffled = list(sizes.items())
    random.Random(1).shuffle(shuffled)
    assert plan_batches(dict(shuffled), 256) == plan_batches(sizes, 256)


def test_a_small_job_is_cut_so_every_replica_has_batches():
    sizes = lengths(40)
    total = sum(sizes.values())
    assert total < 4 * 512
    few = plan_batches(sizes, 4096, replicas=1)
    many = plan_batches(sizes, 4096, replicas=8)
    assert len(many) >= len(few)
    assert len(many) >= min(len(sizes), 8)  # at least a batch per replica
    assert all(padded(b, sizes) <= max(batching.MIN_BATCH_TOKENS, total // 32) or len(b) == 1
               for b in many)


def test_a_line_longer_than_the_bound_goes_alone():
    sizes = {"long": 900, "a": 3, "b": 4}
    batches = plan_batches(sizes, 512)
    assert ["long"] in batches and sorted(x for b in batches for x in b) == ["a", "b", "long"]


@pytest.mark.parametrize(("cores", "plan"), [(1, (1, 1)), (2, (2, 1)), (4, (4, 1)),
                                             (8, (2, 4)), (16, (4, 4))])
def test_thread_plan_from_the_cores(cores, plan):
    assert thread_plan("cpu", 0, 0, cores=cores) == plan
    assert thread_plan("cpu", 3, 0, cores=cores)[0] == 3  # what is set stays set


def test_gpu_options_are_planned_without_a_gpu():
    cpu, gpu = EngineOptions(), EngineOptions(device="cuda")
    assert gpu.threads() == (1, 1)
    assert gpu.batch_tokens() == batching.GPU_BATCH_TOKENS > cpu.batch_tokens()
    assert EngineOptions(device="cuda", max_batch_tokens=1000).batch_tokens() == 1000
    assert "dev=cuda" in gpu.decoding_signature()  # a GPU's output is cached apart
    assert EngineOptions(exact_argos=True).decoding_signature() != cpu.decoding_signature()
