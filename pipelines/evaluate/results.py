"""What an evaluation takes in (`Candidate`) and gives back (`BaselineResult`, `CandidateResult`).

Every result is a frozen dataclass whose `to_json()` is exactly its part of `report.json`
(`templates/report.schema.json`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from statistics import median, quantiles
from typing import Any, Literal

Status = Literal["accepted", "rejected"]


@dataclass(frozen=True)
class Candidate:
    id: str
    origin: str
    """Where it came from: a file path for `perfbot evaluate`, "agent 2, round 1, step 14" for agents."""
    files: Mapping[str, str]
    """Repo-relative path -> the full new text, for the files that differ from the baseline."""


@dataclass(frozen=True)
class TestsResult:
    __test__ = False  # not a pytest test class, despite its name

    passed: bool
    command: str
    duration_s: float
    failure: str | None = None
    """The first failing test (or why the command failed), short enough for a table."""
    summary: str = ""
    """pytest's last line ("3 passed in 0.5s") or the command's last output line."""
    output: str = ""
    """On failure, the first lines of what the failing test printed (pytest's section for it), else ""."""
    checked: str = ""
    """How passing was established: "per test" (pytest's record, compared with the baseline's) or "exit status"."""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "passed": self.passed,
            "command": self.command,
            "duration_s": round(self.duration_s, 3),
            "failure": self.failure,
            "summary": self.summary,
        }
        if self.output:
            out["output"] = self.output
        if self.checked:
            out["checked"] = self.checked
        return out


@dataclass(frozen=True)
class Timing:
    """One version measured at one grid point: one value per paired round, in round order (the transport's cost
    taken out), in the mode the score uses (steady state after warm-up, or the first call of a process)."""

    times_s: tuple[float, ...]
    peak_bytes: int | None
    """The median over rounds of the process's peak resident memory, net of an idle interpreter's."""
    cold_s: tuple[float, ...] = ()
    """Per round, the first call of the process (the cold figure); () when not measured apart."""
    import_s: float | None = None
    """The median time from starting the process to its entry imported (the work done before any call)."""

    @property
    def median_s(self) -> float:
        return median(self.times_s)

    @property
    def spread(self) -> float:
        """The interquartile range of the runs relative to their median (0.02 means ±1% around the median)."""
        return relative_iqr(self.times_s)


def relative_iqr(values: tuple[float, ...]) -> float:
    if len(values) < 2 or median(values) <= 0:
        return 0.0
    q1, _q2, q3 = quantiles(values, n=4, method="inclusive")
    return (q3 - q1) / median(values)


@dataclass(frozen=True)
class PointResult:
    params: dict[str, Any]
    timing: Timing
    baseline: Timing | None = None
    """The baseline as measured interleaved with this version (None for the baseline's own points)."""
    ratios: dict[str, float] = field(default_factory=dict)
    """Per metric, baseline / this version (> 1 is better): the geometric mean of the paired rounds' ratios."""
    interval: tuple[float, float] | None = None
    """The time ratio's 95% confidence interval over the paired rounds."""
    cold_ratio: float | None = None
    """The time ratio of first calls, when the score uses the steady state (and the other way round)."""
    loops: int = 1
    """Calls (each on its own input) per timed value."""
    transport_s: float | None = None
    """What delivering the inputs and reading back the outcomes cost per call, taken out of every time."""

    @property
    def time_s(self) -> float:
        return self.timing.median_s

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "params": self.params,
            "time_s": self.timing.median_s,
            "spread": round(self.timing.spread, 4),
            "runs_s": list(self.timing.times_s),
            "peak_bytes": self.timing.peak_bytes,
            "loops": self.loops,
        }
        if self.timing.cold_s:
            out["cold_s"] = median(self.timing.cold_s)
        if self.timing.import_s is not None:
            out["import_s"] = round(self.timing.import_s, 4)
        if self.transport_s is not None:
            out["transport_s"] = self.transport_s
        if self.baseline is not None:
            out["baseline_time_s"] = self.baseline.median_s
            out["baseline_peak_bytes"] = self.baseline.peak_bytes
            out["ratios"] = {metric: round(r, 4) for metric, r in self.ratios.items()}
            if self.baseline.cold_s:
                out["baseline_cold_s"] = median(self.baseline.cold_s)
            if self.interval is not None:
                out["ratio_interval"] = [round(self.interval[0], 4), round(self.interval[1], 4)]
            if self.cold_ratio is not None:
                out["cold_ratio"] = round(self.cold_ratio, 4)
        return out


NOISY = 0.10
"""A noise floor above this is said at the top of the report: on such a machine only large speedups can be shown."""


@dataclass(frozen=True)
class Method:
    """How the measurements were taken, exactly as run (report.md states it)."""

    measure: str
    """"warm" (steady state after warm-up) or "cold" (the first call of a fresh process)."""
    warmup: int
    loops: tuple[int, ...]
    """Per grid point, calls per timed value."""
    rounds: int
    """Paired rounds the baseline took against itself (candidates take at least as many)."""
    seeded: bool
    """Whether the inputs function takes a seed (every input then comes from a seed only the judge knows)."""
    tests_checked: str
    """"per test" (pytest's record, compared with the baseline's) or "exit status"."""
    isolated: bool
    idle_bytes: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "warmup": self.warmup,
            "loops": list(self.loops),
            "rounds": self.rounds,
            "values_per_process": 1,
            "statistic": "geometric mean of paired baseline/candidate ratios, 95% t-interval over rounds",
            "seeded": self.seeded,
            "tests_checked": self.tests_checked,
            "isolated": self.isolated,
            "idle_bytes": self.idle_bytes,
        }


@dataclass(frozen=True)
class BaselineResult:
    tests: TestsResult
    points: tuple[PointResult, ...]
    aa_score: float
    """The score of the baseline against an identical copy of itself (ideally 1.0)."""
    noise: float
    """The relative noise floor: a score must beat min_speedup * (1 + noise) to count."""
    complexity: dict[str, float]
    """Per numeric axis, the slope of log(time) against log(axis value)."""
    repeat: int
    method: Method | None = None
    aa_interval: tuple[float, float] | None = None

    @property
    def noisy(self) -> bool:
        return self.noise > NOISY

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "tests": self.tests.to_json(),
            "points": [p.to_json() for p in self.points],
            "aa_score": round(self.aa_score, 4),
            "noise": round(self.noise, 4),
            "noisy": self.noisy,
            "complexity": {axis: round(k, 3) for axis, k in self.complexity.items()},
            "repeat": self.repeat,
        }
        if self.aa_interval is not None:
            out["aa_interval"] = [round(self.aa_interval[0], 4), round(self.aa_interval[1], 4)]
        if self.method is not None:
            out["method"] = self.method.to_json()
        return out


@dataclass(frozen=True)
class CandidateResult:
    id: str
    origin: str
    status: Status
    reason: str
    """Why it was accepted or rejected, in one or two sentences naming the test, point or output at fault."""
    tests: TestsResult | None
    outputs_match: bool | None
    """None when outputs were not compared (check_outputs off, or rejected before the comparison)."""
    points: tuple[PointResult, ...]
    score: float | None
    complexity: dict[str, float]
    files: tuple[str, ...]
    diff: str
    """Unified diff of the candidate against the baseline (a/ b/ paths)."""
    duration_s: float = 0.0
    interval: tuple[float, float] | None = None
    """The score's 95% confidence interval over the paired rounds."""
    rounds: int = 0
    """Paired rounds measured."""
    warnings: tuple[str, ...] = ()
    """What it newly uses from the measurement environment that the baseline did not (for the reviewer)."""
    checked: dict[str, Any] | None = None
    """The output checks beyond the grid: {"inputs": N, "skipped": [why...]}."""
    noise: float | None = None
    """The noise floor its verdict allowed for: the larger of the baseline's A/A before the candidates and the A/A
    measured beside it, in the same rounds (None when it was not measured)."""

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"

    def floor(self, baseline: BaselineResult) -> float:
        """The noise its verdict allowed for (the baseline's A/A floor when none was measured beside it)."""
        return baseline.noise if self.noise is None else self.noise

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "origin": self.origin,
            "status": self.status,
            "reason": self.reason,
            "tests": self.tests.to_json() if self.tests else None,
            "outputs_match": self.outputs_match,
            "points": [p.to_json() for p in self.points],
            "score": None if self.score is None else round(self.score, 4),
            "complexity": {axis: round(k, 3) for axis, k in self.complexity.items()},
            "files": list(self.files),
            "diff": self.diff,
            "duration_s": round(self.duration_s, 3),
            "interval": None if self.interval is None else [round(self.interval[0], 4), round(self.interval[1], 4)],
            "rounds": self.rounds,
            "warnings": list(self.warnings),
            "checked": self.checked,
            "noise": None if self.noise is None else round(self.noise, 4),
        }


def format_params(params: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in params.items()) or "(no parameters)"


# `format_table`: one candidate's result as a short text an LLM agent (or a person in a terminal) reads at once.


def format_table(result: CandidateResult, baseline: BaselineResult) -> str:
    """Status and reason, the tests' outcome, and per grid point time, memory and speedup. Never long:
    one line per grid point plus a few lines, whatever the tests printed."""
    lines = [f"{result.id}: {result.status.upper()} — {result.reason}"]
    if result.tests is None:
        lines.append("tests: not run")
    elif result.tests.passed:
        lines.append(f"tests: passed ({result.tests.summary})")
    elif result.tests.failure and result.tests.failure in result.reason:
        lines.append(f"tests: FAILED ({result.tests.summary})")
    else:
        lines.append(f"tests: FAILED — {result.tests.failure}")
    if result.outputs_match is not None:
        lines.append(f"outputs match the baseline: {'yes' if result.outputs_match else 'NO'}")
    if result.points:
        lines.append("")
        lines.extend(_points_table(result))
        lines.append("")
        lines.append(
            f"score {result.score:.3f} (noise floor {result.floor(baseline):.1%}, baseline A/A {baseline.aa_score:.3f})"
        )
        lines.append(_complexity_line(result, baseline))
    return "\n".join(line for line in lines if line is not None).rstrip() + "\n"


def _points_table(result: CandidateResult) -> list[str]:
    rows = [("point", "baseline", "candidate", "speedup", "memory (base → cand)", "spread")]
    for point in result.points:
        assert point.baseline is not None
        rows.append(
            (
                format_params(point.params),
                format_seconds(point.baseline.median_s),
                format_seconds(point.time_s),
                f"{point.ratios.get('time', 0):.2f}×",
                _memory(point.baseline.peak_bytes, point.timing.peak_bytes),
                f"±{point.timing.spread / 2:.1%}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]


def _memory(before: int | None, after: int | None) -> str:
    if before is None or after is None:
        return "-"
    return f"{format_bytes(before)} → {format_bytes(after)}"


def _complexity_line(result: CandidateResult, baseline: BaselineResult) -> str:
    parts = [
        f"{axis}: {baseline.complexity[axis]:.2f} → {exponent:.2f}"
        for axis, exponent in result.complexity.items()
        if axis in baseline.complexity
    ]
    return "complexity exponent (time ~ size^k) " + ", ".join(parts) if parts else ""


def format_seconds(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def format_bytes(count: int) -> str:
    size = float(count)
    for unit in ("B", "KiB", "MiB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"
