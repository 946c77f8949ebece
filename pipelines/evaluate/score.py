"""Score, noise floor and acceptance: DESIGN §3.3 (selection among the accepted: pipelines/select/selection.py).

Per grid point p and metric m, r = baseline / candidate (> 1 is better). The score is the weighted geometric
mean of all r, with weight = metric weight × point weight. A candidate is accepted when its tests pass, its
outputs match (with check_outputs), its score beats `min_speedup × (1 + noise)` — where `noise` is the floor
measured on the baseline against itself — even at the pessimistic end of its 95% confidence bound (a bootstrap
over the runs, see confidence.py), and no grid point's time ratio is below `(1 - max_regression) / (1 + noise)`
even at the optimistic end of its bound (`max_regression` is about time: "no point may get slower than this").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from statistics import median
from typing import Any

from pipelines.config import BenchmarkConfig, Config
from pipelines.evaluate.confidence import CONFIDENCE, bounds
from pipelines.evaluate.results import PointResult, Timing

_TINY = 1e-12


def ratios(baseline: Timing, candidate: Timing, metrics: dict[str, float]) -> dict[str, float]:
    """baseline / candidate per metric with a positive weight (memory only when both peaks were measured)."""
    out: dict[str, float] = {}
    if metrics.get("time", 0) > 0:
        out["time"] = max(baseline.median_s, _TINY) / max(candidate.median_s, _TINY)
    if metrics.get("memory", 0) > 0 and baseline.peak_bytes is not None and candidate.peak_bytes is not None:
        out["memory"] = max(baseline.peak_bytes, 1) / max(candidate.peak_bytes, 1)
    return out


def score(points: Sequence[PointResult], benchmark: BenchmarkConfig) -> float:
    """The weighted geometric mean of every point's ratios; 1.0 when there is nothing to weigh."""
    total = weighted = 0.0
    for point in points:
        point_weight = benchmark.point_weight(point.params)
        for metric, r in point.ratios.items():
            w = benchmark.metrics.get(metric, 0.0) * point_weight  # type: ignore[call-overload]
            total += w
            weighted += w * math.log(r)
    return math.exp(weighted / total) if total > 0 else 1.0


def noise_floor(aa_score: float, baseline_points: Sequence[PointResult]) -> float:
    """The larger of the A/A score's distance from 1 and half the median relative spread of the baseline runs.

    One A/A score can land near 1.0 by luck; the spread term keeps the floor honest on a noisy machine."""
    spreads = [p.timing.spread for p in baseline_points]
    return max(abs(aa_score - 1.0), (median(spreads) / 2) if spreads else 0.0)


def threshold(config: Config, noise: float) -> float:
    return config.accept.min_speedup * (1.0 + noise)


def verdict(points: Sequence[PointResult], config: Config, noise: float) -> tuple[bool, str, float]:
    """(accepted, reason, score) for a candidate whose tests passed and outputs matched."""
    value = score(points, config.benchmark)
    sure = bounds(points, config.benchmark)
    floor = (1.0 - config.accept.max_regression) / (1.0 + noise)
    regressed = [p for p, high in zip(points, sure.ratio_high, strict=True) if high < floor]
    if regressed:
        worst = min(regressed, key=lambda p: p.ratios["time"])
        return False, regression_reason(worst, config, noise), value
    needed = threshold(config, noise)
    measured = f"score {value:.3f} (at least {sure.score_low:.3f} with {CONFIDENCE:.0%} confidence)"
    if sure.score_low <= needed:
        return False, f"{measured} does not beat {needed:.3f} ({_needed_text(config, noise)})", value
    return True, f"{measured} beats {needed:.3f} ({_needed_text(config, noise)})", value


def regression_reason(point: PointResult, config: Config, noise: float) -> str:
    assert point.baseline is not None
    return (
        f"slower at {format_params(point.params)}: {point.time_s:.4g} s vs {point.baseline.median_s:.4g} s for the "
        f"baseline ({point.ratios['time']:.2f}×; at most {config.accept.max_regression:.0%} slower is allowed, "
        f"noise {noise:.1%})"
    )


def _needed_text(config: Config, noise: float) -> str:
    return f"min_speedup {config.accept.min_speedup:g} × (1 + noise {noise:.1%})"


def complexity(points: Sequence[PointResult]) -> dict[str, float]:
    """Per numeric axis: the least-squares slope of log(time) vs log(value), averaged over the other axes' values.

    Axes with fewer than two distinct positive values get no exponent."""
    if not points:
        return {}
    out: dict[str, float] = {}
    for axis in points[0].params:
        slopes = [s for group in _groups_along(points, axis) if (s := _slope(group, axis)) is not None]
        if slopes:
            out[axis] = sum(slopes) / len(slopes)
    return out


def _groups_along(points: Sequence[PointResult], axis: str) -> list[list[PointResult]]:
    groups: dict[str, list[PointResult]] = {}
    for point in points:
        key = repr(sorted((k, repr(v)) for k, v in point.params.items() if k != axis))
        groups.setdefault(key, []).append(point)
    return list(groups.values())


def _slope(group: list[PointResult], axis: str) -> float | None:
    pairs = [(p.params[axis], p.time_s) for p in group]
    if not all(_positive_number(x) and t > 0 for x, t in pairs) or len({x for x, _ in pairs}) < 2:
        return None
    xs = [math.log(x) for x, _ in pairs]
    ys = [math.log(t) for _, t in pairs]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum((x - mx) ** 2 for x in xs)


def _positive_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def format_params(params: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in params.items()) or "(no parameters)"
