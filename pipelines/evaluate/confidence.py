"""How sure a measured score is: a bootstrap over the timing runs of every grid point.

Each resample draws, per point, as many runs as were measured (with replacement) for the baseline and for the
candidate, and recomputes the point's time ratio and the score (memory, measured once, stays as it is). With
few runs on a noisy machine the bounds are wide, which is the point: a speedup is claimed only when even the
pessimistic end of them beats the bar.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median

from pipelines.config import BenchmarkConfig
from pipelines.evaluate.results import PointResult

CONFIDENCE = 0.95
RESAMPLES = 400


@dataclass(frozen=True)
class Bounds:
    score_low: float
    """The score is at least this with CONFIDENCE (one-sided)."""
    ratio_high: tuple[float, ...]
    """Per point, its time ratio is at most this with CONFIDENCE (inf when time is not measured)."""


def bounds(points: Sequence[PointResult], benchmark: BenchmarkConfig, seed: int = 0) -> Bounds:
    rng = random.Random(seed)  # fixed: the same measurements always give the same verdict
    weights = [_weights(p, benchmark) for p in points]
    total = sum(w for per_point in weights for w in per_point.values())
    scores: list[float] = []
    ratios: list[list[float]] = [[] for _ in points]
    for _ in range(RESAMPLES):
        log_sum = 0.0
        for i, point in enumerate(points):
            resampled = dict(point.ratios)
            if "time" in resampled:
                resampled["time"] = _resampled_ratio(point, rng)
                ratios[i].append(resampled["time"])
            log_sum += sum(w * math.log(resampled[m]) for m, w in weights[i].items())
        scores.append(math.exp(log_sum / total) if total > 0 else 1.0)
    return Bounds(
        score_low=_quantile(scores, 1 - CONFIDENCE),
        ratio_high=tuple(_quantile(r, CONFIDENCE) if r else math.inf for r in ratios),
    )


def _weights(point: PointResult, benchmark: BenchmarkConfig) -> dict[str, float]:
    point_weight = benchmark.point_weight(point.params)
    return {m: benchmark.metrics.get(m, 0.0) * point_weight for m in point.ratios}  # type: ignore[call-overload]


def _resampled_ratio(point: PointResult, rng: random.Random) -> float:
    assert point.baseline is not None
    base, mine = point.baseline.times_s, point.timing.times_s
    base_median = median(rng.choices(base, k=len(base)))
    my_median = median(rng.choices(mine, k=len(mine)))
    return max(base_median, 1e-12) / max(my_median, 1e-12)


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.floor(q * len(ordered))))]
