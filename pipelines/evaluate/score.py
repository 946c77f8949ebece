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

import difflib
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from statistics import median
from typing import Any

from pipelines.config import BenchmarkConfig, Config, TargetConfig
from pipelines.evaluate.results import Candidate, PointResult, Timing, format_params
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


# The words of a verdict: why a candidate was rejected, what the reviewer should know, and its diff.

SLOW_IMPORT_S = 0.05
"""How much longer than the baseline's a candidate may take to import before the reviewer is told."""


def unified_diff(repo: Path, candidate: Candidate) -> str:
    """The candidate against the repo's files as a unified diff with a/ and b/ paths."""
    chunks = []
    for rel in sorted(candidate.files):
        path = repo / rel
        lines = difflib.unified_diff(
            path.read_text(encoding="utf-8").splitlines(keepends=True) if path.is_file() else [],
            candidate.files[rel].splitlines(keepends=True),
            fromfile=f"a/{rel}" if path.is_file() else "/dev/null",
            tofile=f"b/{rel}",
        )
        chunks.append("".join(_terminated(lines)))
    return "".join(chunks)


def outside_target(paths: Sequence[str], target: TargetConfig) -> str | None:
    """Why one of `paths` may not be changed (outside the repo, or matching none of target.files), or None."""
    for rel in paths:
        if rel.startswith("/") or ".." in rel.split("/"):
            return f"{rel!r} is not a path inside the repository"
        if not target.matches(rel):
            return f"changes {rel}, which is not among target.files {list(target.files)}"
    return None


def import_warning(points: Sequence[PointResult]) -> str | None:
    """A note when the candidate's module takes much longer to import than the baseline's: work done at import is
    not timed (with inputs that have no seed, answers could be precomputed there)."""
    mine = [p.timing.import_s for p in points if p.timing.import_s is not None]
    base = [p.baseline.import_s for p in points if p.baseline is not None and p.baseline.import_s is not None]
    if not mine or not base:
        return None
    mine_s, base_s = median(mine), median(base)
    if mine_s - base_s <= max(SLOW_IMPORT_S, base_s / 2):
        return None
    return f"work at import: it takes {mine_s:.3f} s to start where the baseline takes {base_s:.3f} s (not timed)"


def check_reason(failed: dict[str, Any]) -> str:
    """The rejection of a candidate whose outputs differ (or that fails) on an input off the grid."""
    shown = _shown_input(failed.get("input"))
    if "failure" in failed:
        return f"fails at {failed['label']}{shown}: {failed['failure']}"
    return (
        f"outputs differ at {failed['label']}{shown}: {failed['mismatch']} (the baseline "
        f"{failed.get('baseline')}, this version {failed.get('candidate')})"
    )


def measure_reason(failed: dict[str, Any], points: list[dict[str, Any]]) -> str:
    where = format_params(points[failed["point"]]["params"])
    if "mismatch" in failed:
        shown = _shown_input(failed.get("input"))
        both = (
            f" (the baseline {failed['baseline']}, this version {failed['candidate']})" if "baseline" in failed else ""
        )
        return f"outputs differ at {where}{shown}: {failed['mismatch']}{both}"
    return f"at {where}: {failed['failure']}"


def _shown_input(shown: dict[str, Any] | None) -> str:
    if not shown:
        return ""
    parts = [*shown.get("args", []), *(f"{k}={v}" for k, v in shown.get("kwargs", {}).items())]
    text = ", ".join(parts)
    return f" (input: {text[:160]}{'...' if len(text) > 160 else ''})"


def _terminated(lines: Any) -> Any:
    # difflib leaves a last line without newline unterminated, which would glue two files' hunks together.
    for line in lines:
        yield line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"


# The judge's measurements, round by round, turned into what the score is computed from.
#
# Each round of `measure` gives, per grid point and version, the time of its first call (cold) and of its timed
# calls after warm-up (warm, per call; each version has its own number of calls, "loops"), its peak memory and its
# import time; and the same times for *echo* processes that receive the same inputs and answer with the baseline's
# outcome without calling anything: the transport (sending the inputs, encoding and reading back the outcomes),
# which costs every version the same for the same number of calls. Its median per point and number of calls is
# taken out of every time, so it does not dilute the ratio. A time that would fall below `FLOOR` of what was
# measured is held there (the call is then near the resolution limit).

ECHO = "(transport)"
FLOOR = 0.05
Transports = dict[tuple[int, int], dict[str, float]]
"""Per (grid point index, calls per timed value), per mode ("warm", "cold"), the transport's cost in seconds."""


def echo_name(loops: int) -> str:
    """The judge's name for the echo process of `loops` timed calls (judge.echo_name)."""
    return f"{ECHO} x{loops}"


@dataclass
class Rounds:
    points: list[dict[str, Any]]
    """Per grid point, {"params", "loops"} (the baseline's loops)."""
    measure: str
    """"warm" or "cold": which time the score uses."""
    metrics: dict[str, float]
    values: list[list[dict[str, dict[str, Any]]]] = field(default_factory=list)
    """Per point, per round, per version name: the judge's figures."""
    transport: Transports | None = None
    """The transport's cost where it was measured before (earlier rounds); the rest comes from the echo
    processes of these rounds."""
    idle_bytes: int | None = None
    seeded: bool = False

    def __post_init__(self) -> None:
        self.values = [[] for _ in self.points]

    @property
    def count(self) -> int:
        return len(self.values[0]) if self.values else 0

    def add(self, raw: dict[str, Any]) -> None:
        self.idle_bytes = raw.get("idle_bytes") or self.idle_bytes
        self.seeded = bool(raw.get("seeded"))
        for index, point in enumerate(raw["points"]):
            self.values[index].extend(point["rounds"])

    def transport_s(self, index: int, mode: str, loops: int) -> float:
        if self.transport is not None and (index, loops) in self.transport:
            return self.transport[(index, loops)][mode]
        name = echo_name(loops)
        echoes = [r[name][f"{mode}_ns"] for r in self.values[index] if name in r]
        return median(echoes) / 1e9 if echoes else 0.0

    def transports(self) -> Transports:
        """The transport's cost for every (point, loops) these rounds or earlier ones measured (to reuse later)."""
        found = dict(self.transport or {})
        for index, rounds in enumerate(self.values):
            for loops in {v["loops"] for row in rounds for n, v in row.items() if n.startswith(ECHO)}:
                found[(index, loops)] = {mode: self.transport_s(index, mode, loops) for mode in ("warm", "cold")}
        return found

    def loops(self, name: str, index: int) -> int:
        """How many timed calls make one of `name`'s values at point `index` (the baseline's when not measured)."""
        counts = [row[name]["loops"] for row in self.values[index] if name in row and "loops" in row[name]]
        return counts[-1] if counts else int(self.points[index]["loops"])

    def timing(self, name: str, index: int, rounds: list[int]) -> Timing:
        measured = [self.values[index][r][name] for r in rounds]
        main = [self._seconds(index, self.measure, m) for m in measured]
        other = "cold" if self.measure == "warm" else "warm"
        peaks = tuple(self._net_bytes(m.get("peak_bytes")) for m in measured)
        known = [p for p in peaks if p is not None]
        imports = [m["import_ns"] / 1e9 for m in measured if m.get("import_ns")]
        return Timing(
            tuple(main),
            int(median(known)) if known else None,
            cold_s=tuple(self._seconds(index, other, m) for m in measured) if self.measure == "warm" else (),
            import_s=median(imports) if imports else None,
        )

    def point(self, name: str, index: int, reference: str) -> PointResult:
        """`name` at point `index`, paired with `reference` over the rounds where both were measured."""
        rounds = [r for r, row in enumerate(self.values[index]) if name in row and reference in row]
        mine, base = self.timing(name, index, rounds), self.timing(reference, index, rounds)
        cold_ratio = None
        if mine.cold_s and base.cold_s:
            cold = ratios(Timing(base.cold_s, None), Timing(mine.cold_s, None), {"time": 1.0})
            cold_ratio = cold["time"]
        point = PointResult(
            self.points[index]["params"],
            mine,
            base,
            ratios(base, mine, self.metrics),
            cold_ratio=cold_ratio,
            loops=self.loops(name, index),
            transport_s=self.transport_s(index, self.measure, self.loops(name, index)),
        )
        estimate = point_estimate(point)
        return replace(point, interval=(estimate.low, estimate.high))

    def own_points(self, name: str) -> list[PointResult]:
        """`name`'s points on their own (the baseline's table), over every round measured."""
        out = []
        for index, point in enumerate(self.points):
            rounds = [r for r, row in enumerate(self.values[index]) if name in row]
            timing = self.timing(name, index, rounds)
            out.append(PointResult(point["params"], timing, loops=self.loops(name, index)))
        return out

    def _seconds(self, index: int, mode: str, measured: dict[str, Any]) -> float:
        raw = measured[f"{mode}_ns"] / 1e9
        loops = int(measured.get("loops") or self.points[index]["loops"])
        return max(raw - self.transport_s(index, mode, loops), FLOOR * raw)

    def _net_bytes(self, peak: int | None) -> int | None:
        if peak is None:
            return None
        return max(peak - (self.idle_bytes or 0), 0)
