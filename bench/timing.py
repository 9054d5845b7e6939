"""Side-by-side timing: both sides run in the same rounds, alternating which goes first, and
the ratio is taken per round. Absolute times on a shared machine are noise; ratios are not."""

from __future__ import annotations

import statistics
import subprocess
import time
from dataclasses import dataclass
from typing import Callable


@dataclass
class Pair:
    ours: float  # median seconds
    theirs: float
    ratio: float  # median of per-round ratios ours / theirs
    rounds: int


def side_by_side(ours: Callable[[], object], theirs: Callable[[], object], rounds: int, warmup: int = 1) -> Pair:
    for _ in range(warmup):
        ours(), theirs()
    a, b, ratios = [], [], []
    for i in range(rounds):
        order = [(ours, a), (theirs, b)] if i % 2 == 0 else [(theirs, b), (ours, a)]
        for function, times in order:
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
        ratios.append(a[-1] / b[-1])
    return Pair(statistics.median(a), statistics.median(b), statistics.median(ratios), rounds)


def run(command: list[str], **kwargs) -> Callable[[], None]:
    """A function that runs a command to completion and fails loudly if it fails."""

    def call() -> None:
        result = subprocess.run(command, capture_output=True, **kwargs)
        if result.returncode != 0:
            raise RuntimeError(f"{command[:3]}... exited {result.returncode}: {result.stderr.decode()[-2000:]}")

    return call
