"""CPU per stage (``timings.cpu``): each stage its own share, upstream excluded."""

from __future__ import annotations

import json
import time

from click.testing import CliRunner
from paths import SEEDS

from corpus.cli import cli
from corpus.run.clock import StageClock


def burn(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def slow(items, seconds: float):
    for item in items:
        burn(seconds)
        yield item


def test_each_stage_gets_its_own_cpu_not_its_upstreams():
    into: dict[str, float] = {}
    clock = StageClock(into)
    source = clock.wrap("read", slow(range(10), 0.002))
    heavy = clock.wrap("heavy", slow(source, 0.01))
    assert list(heavy) == list(range(10))
    assert set(into) == {"read", "heavy"}
    assert 0.015 <= into["read"] <= 0.06  # 10 x 2 ms
    assert 0.08 <= into["heavy"] <= 0.2  # 10 x 10 ms, without read's 20 ms


def test_nothing_is_recorded_for_a_chain_left_half_way():
    into: dict[str, float] = {}
    clock = StageClock(into)
    chain = clock.wrap("heavy", slow(clock.wrap("read", iter(range(10))), 0.001))
    next(chain)
    assert into == {}


def test_a_build_records_every_stage_in_the_manifest(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", str(SEEDS), "-o", str(out), "-q", "-j", "1"])
    assert result.exit_code == 0, result.output
    cpu = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["timings"]["cpu"]
    for stage in ("read", "normalize", "boilerplate", "langid", "sentences", "dedup", "write"):
        assert stage in cpu and cpu[stage] >= 0.0
    assert list(cpu) == sorted(cpu)
    assert sum(cpu.values()) > 0.0
