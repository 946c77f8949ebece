"""How sure a measured ratio is: paired rounds and Student's t.

Every round measures the baseline and the candidate back to back on the same fresh inputs, so each round gives
one paired ratio per grid point, and one *round score*: the weighted mean, over points and metrics, of the log
ratios. The score is the geometric mean of the round scores; its 95% interval is the t-interval of their mean
(n − 1 degrees of freedom), which is a real interval from n ≥ 2 rounds and honest about few samples. Acceptance
needs at least `MIN_ROUNDS`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean, stdev

from pipelines.config import BenchmarkConfig
from pipelines.evaluate.results import PointResult

CONFIDENCE = 0.95
MIN_ROUNDS = 5
MIN_BYTES = 1 << 20
"""Peak memory below this (net of an idle interpreter) is within what the allocator's arenas and the kernel's pages
move around from one process to the next: differences under it are not told apart."""
_T975 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
    2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip
"""Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom."""


@dataclass(frozen=True)
class Estimate:
    value: float
    """The geometric mean of the paired ratios (> 1: the candidate is better)."""
    low: float
    high: float
    """The 95% interval; (0, inf) when fewer than two rounds were measured."""
    rounds: int

    @property
    def half_width(self) -> float:
        """Half the interval's width relative to the value (0.02 means ±2%)."""
        if self.rounds < 2:
            return math.inf
        return (self.high - self.low) / 2 / self.value


def t_quantile(df: int) -> float:
    if df < 1:
        return math.inf
    return _T975[df - 1] if df <= len(_T975) else 1.96 + 2.4 / df


def from_logs(logs: Sequence[float]) -> Estimate:
    """The estimate of exp(mean) from per-round log ratios."""
    n = len(logs)
    if n == 0:
        return Estimate(1.0, 0.0, math.inf, 0)
    mean = fmean(logs)
    if n < 2:
        return Estimate(math.exp(mean), 0.0, math.inf, n)
    half = t_quantile(n - 1) * stdev(logs) / math.sqrt(n)
    return Estimate(math.exp(mean), math.exp(mean - half), math.exp(mean + half), n)


def log_ratio(base: float | None, mine: float | None, floor: float) -> float | None:
    if base is None or mine is None:
        return None
    return math.log(max(base, floor) / max(mine, floor))


def time_logs(point: PointResult) -> list[float]:
    assert point.baseline is not None
    base, mine = point.baseline.times_s, point.timing.times_s
    return [math.log(max(b, 1e-12) / max(m, 1e-12)) for b, m in zip(base, mine, strict=True)]


def memory_log(point: PointResult) -> float | None:
    """The log of the ratio of the median peaks: memory varies too little within a version for a per-round
    interval to mean anything, and too much at the scale of pages for one to be needed."""
    assert point.baseline is not None
    return log_ratio(point.baseline.peak_bytes, point.timing.peak_bytes, MIN_BYTES)


def point_estimate(point: PointResult) -> Estimate:
    return from_logs(time_logs(point))


def score_estimate(points: Sequence[PointResult], benchmark: BenchmarkConfig) -> Estimate:
    """The weighted geometric mean over points and metrics, per round (memory enters every round with its fixed
    ratio), then over rounds."""
    if not points:
        return Estimate(1.0, 1.0, 1.0, 0)
    rounds = min(len(p.timing.times_s) for p in points)
    sums, total = [0.0] * rounds, 0.0
    for point in points:
        weight = benchmark.point_weight(point.params)
        time_weight = benchmark.metrics.get("time", 0.0) * weight
        memory_weight = benchmark.metrics.get("memory", 0.0) * weight
        memory = memory_log(point) if memory_weight > 0 else None
        logs = time_logs(point) if time_weight > 0 else []
        for r in range(rounds):
            if logs:
                sums[r] += time_weight * logs[r]
            if memory is not None:
                sums[r] += memory_weight * memory
        total += (time_weight if logs else 0.0) + (memory_weight if memory is not None else 0.0)
    return from_logs([s / total for s in sums] if total > 0 else [])
