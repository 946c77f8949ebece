"""The judge's measurements, round by round, turned into what the score is computed from.

Each round of `measure` gives, per grid point and version, the time of its first call (cold) and of its timed
calls after warm-up (warm, per call), its peak memory and its import time; and the same times for an *echo*
process that receives the same inputs and answers with the baseline's outcomes without calling anything: the
transport (sending the inputs, encoding and reading back the outcomes), which costs the baseline and the
candidate the same. Its median per point is taken out of every time, so it does not dilute the ratio. A time
that would fall below `FLOOR` of what was measured is held there (the call is then near the resolution limit).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from statistics import median
from typing import Any

from pipelines.evaluate.results import PointResult, Timing
from pipelines.evaluate.score import ratios
from pipelines.evaluate.stats import point_estimate

ECHO = "(transport)"
FLOOR = 0.05


@dataclass
class Rounds:
    points: list[dict[str, Any]]
    """Per grid point, {"params", "loops"}."""
    measure: str
    """"warm" or "cold": which time the score uses."""
    metrics: dict[str, float]
    values: list[list[dict[str, dict[str, Any]]]] = field(default_factory=list)
    """Per point, per round, per version name: the judge's figures."""
    transport: list[dict[str, float]] | None = None
    """Per point, per mode, the transport's cost in seconds when it was measured before (the baseline's A/A
    rounds); None to take it from the echo processes of these rounds."""
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

    def transport_s(self, index: int, mode: str) -> float:
        if self.transport is not None:
            return self.transport[index][mode]
        echoes = [r[ECHO][f"{mode}_ns"] for r in self.values[index] if ECHO in r]
        return median(echoes) / 1e9 if echoes else 0.0

    def transports(self) -> list[dict[str, float]]:
        """Per point, per mode, the transport's cost as these rounds measured it (to reuse in later rounds)."""
        return [{mode: self.transport_s(i, mode) for mode in ("warm", "cold")} for i in range(len(self.points))]

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
            loops=self.points[index]["loops"],
            transport_s=self.transport_s(index, self.measure),
        )
        estimate = point_estimate(point)
        return replace(point, interval=(estimate.low, estimate.high))

    def own_points(self, name: str) -> list[PointResult]:
        """`name`'s points on their own (the baseline's table), over every round measured."""
        out = []
        for index, point in enumerate(self.points):
            rounds = [r for r, row in enumerate(self.values[index]) if name in row]
            timing = self.timing(name, index, rounds)
            out.append(PointResult(point["params"], timing, loops=point["loops"]))
        return out

    def _seconds(self, index: int, mode: str, measured: dict[str, Any]) -> float:
        raw = measured[f"{mode}_ns"] / 1e9
        return max(raw - self.transport_s(index, mode), FLOOR * raw)

    def _net_bytes(self, peak: int | None) -> int | None:
        if peak is None:
            return None
        return max(peak - (self.idle_bytes or 0), 0)
