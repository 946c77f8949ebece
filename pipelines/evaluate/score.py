"""Score, noise floor and acceptance: DESIGN §3.3 (selection among the accepted: pipelines/select/selection.py).

Per grid point p and metric m, r = baseline / candidate (> 1 is better), the geometric mean of the paired rounds'
ratios. The score is the weighted geometric mean of all r, with weight = metric weight × point weight, and comes
with a 95% interval over the rounds (stats.py). A candidate is accepted when its tests pass, its outputs match,
at least `MIN_ROUNDS` paired rounds were measured, the low end of its score's interval beats
`min_speedup × (1 + noise)` — `noise` being the floor measured on the baseline against itself — and no point's
time ratio is below `(1 - max_regression) / (1 + noise)` even at the high end of its own interval. While the
interval straddles the bar the verdict is open: the evaluator measures more rounds, up to a cap, and then says
it cannot decide.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pipelines.config import BenchmarkConfig, Config
from pipelines.evaluate.results import PointResult, Timing
from pipelines.evaluate.stats import MIN_BYTES, MIN_ROUNDS, Estimate, log_ratio, point_estimate, score_estimate


@dataclass(frozen=True)
class Verdict:
    accepted: bool | None
    """True or False once the measurements decide; None while more rounds could still decide."""
    reason: str
    estimate: Estimate

    @property
    def score(self) -> float:
        return self.estimate.value


def ratios(baseline: Timing, candidate: Timing, metrics: dict[str, float]) -> dict[str, float]:
    """baseline / candidate per metric with a positive weight: the geometric mean of the paired rounds' ratios
    (memory only when both peaks were measured)."""
    out: dict[str, float] = {}
    if metrics.get("time", 0) > 0:
        pairs = zip(baseline.times_s, candidate.times_s, strict=True)
        logs = [math.log(max(b, 1e-12) / max(c, 1e-12)) for b, c in pairs]
        out["time"] = math.exp(sum(logs) / len(logs)) if logs else 1.0
    if metrics.get("memory", 0) > 0:
        memory = log_ratio(baseline.peak_bytes, candidate.peak_bytes, MIN_BYTES)
        if memory is not None:
            out["memory"] = math.exp(memory)
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


def noise_floor(aa: Estimate) -> float:
    """The larger of the A/A score's distance from 1 and the half-width of its own 95% interval: what the
    machine does to a comparison of the baseline with itself."""
    return max(abs(aa.value - 1.0), aa.half_width if aa.rounds >= 2 else 0.0)


def threshold(config: Config, noise: float) -> float:
    return config.accept.min_speedup * (1.0 + noise)


def verdict(points: Sequence[PointResult], config: Config, noise: float, *, final: bool = True) -> Verdict:
    """Accepted, rejected, or (unless `final`) not decided yet, for a candidate whose tests passed and outputs
    matched, with the reason in one sentence."""
    estimate = score_estimate(points, config.benchmark)
    floor = (1.0 - config.accept.max_regression) / (1.0 + noise)
    regressed = [p for p in points if point_estimate(p).high < floor]
    if regressed:
        worst = min(regressed, key=lambda p: p.ratios.get("time", 1.0))
        return Verdict(False, regression_reason(worst, config, noise), estimate)
    needed = threshold(config, noise)
    measured = f"score {estimate.value:.3f} (95% interval {_interval(estimate)}, {estimate.rounds} paired rounds)"
    bar = f"{needed:.3f} ({needed_text(config, noise)})"
    if estimate.rounds >= MIN_ROUNDS and estimate.low > needed:
        return Verdict(True, f"{measured} beats {bar}", estimate)
    if estimate.rounds >= MIN_ROUNDS and estimate.high <= needed:
        return Verdict(False, f"{measured} does not beat {bar}", estimate)
    if not final:
        return Verdict(None, f"{measured}: not decided yet against {bar}", estimate)
    if estimate.rounds < MIN_ROUNDS:
        return Verdict(False, f"{measured}: fewer than {MIN_ROUNDS} paired rounds decide nothing", estimate)
    return Verdict(
        False,
        f"{measured} straddles {bar} after the most rounds allowed (benchmark.max_repeat): the difference is "
        "within what this machine's noise lets perfbot tell apart",
        estimate,
    )


def regression_reason(point: PointResult, config: Config, noise: float) -> str:
    assert point.baseline is not None
    return (
        f"slower at {format_params(point.params)}: {point.time_s:.4g} s vs {point.baseline.median_s:.4g} s for the "
        f"baseline ({point.ratios.get('time', 0):.2f}×; at most {config.accept.max_regression:.0%} slower is allowed, "
        f"noise {noise:.1%})"
    )


def needed_text(config: Config, noise: float) -> str:
    return f"min_speedup {config.accept.min_speedup:g} × (1 + noise {noise:.1%})"


def _interval(estimate: Estimate) -> str:
    if estimate.rounds < 2:
        return "unknown from one round"
    return f"{estimate.low:.3f}–{estimate.high:.3f}"


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
