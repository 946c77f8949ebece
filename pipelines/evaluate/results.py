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
        return out


@dataclass(frozen=True)
class Timing:
    """One version measured at one grid point."""

    times_s: tuple[float, ...]
    peak_bytes: int | None

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
    """Per metric, baseline / this version (> 1 is better)."""

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
        }
        if self.baseline is not None:
            out["baseline_time_s"] = self.baseline.median_s
            out["baseline_peak_bytes"] = self.baseline.peak_bytes
            out["ratios"] = {metric: round(r, 4) for metric, r in self.ratios.items()}
        return out


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

    def to_json(self) -> dict[str, Any]:
        return {
            "tests": self.tests.to_json(),
            "points": [p.to_json() for p in self.points],
            "aa_score": round(self.aa_score, 4),
            "noise": round(self.noise, 4),
            "complexity": {axis: round(k, 3) for axis, k in self.complexity.items()},
            "repeat": self.repeat,
        }


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

    @property
    def accepted(self) -> bool:
        return self.status == "accepted"

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
        }
