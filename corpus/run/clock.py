"""CPU seconds per stage, where the stages run: the manifest's ``timings.cpu``.

The main process's wall timings (``timings``) say where a run waited; with workers,
every per-document step is one number there ("read+normalize+…"), spent mostly waiting
for the pool. What a profile needs is each stage's CPU, added up over every process
that ran it. A chain of generators is timed by how long each stage's ``next()`` takes
(``time.process_time``, this process only), which includes everything upstream; a
stage's own share is its total minus its upstream neighbour's. Recorded only when a
chain is exhausted, so an interrupted chunk adds nothing half-counted.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator

Seconds = dict[str, float]


class StageClock:
    """Times one linear chain of stages; adds each stage's own CPU to *into* at its end."""

    def __init__(self, into: Seconds) -> None:
        self.into = into
        self.stages: list[list] = []  # [name, cumulative seconds], upstream first

    def wrap(self, name: str, items: Iterable) -> Iterator:
        """*items* timed as stage *name*, downstream of every stage wrapped before it."""
        slot: list = [name, 0.0]
        self.stages.append(slot)
        return self._timed(slot, iter(items))

    def _timed(self, slot: list, items: Iterator) -> Iterator:
        clock = time.process_time
        while True:
            start = clock()
            try:
                item = next(items)
            except StopIteration:
                slot[1] += clock() - start
                if slot is self.stages[-1]:
                    self._settle()
                return
            slot[1] += clock() - start
            yield item

    def _settle(self) -> None:
        upstream = 0.0
        for name, total in self.stages:
            own = max(total - upstream, 0.0)
            self.into[name] = self.into.get(name, 0.0) + own
            upstream = total
        self.stages = []


def add_seconds(total: Seconds, more: Seconds) -> Seconds:
    for name, seconds in more.items():
        total[name] = total.get(name, 0.0) + seconds
    return total
