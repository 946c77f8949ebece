"""Score, noise floor, acceptance and complexity on hand-made measurements (DESIGN §3.3)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from pipelines.config import Config, parse_config
from pipelines.evaluate.results import CandidateResult, PointResult, Timing
from pipelines.evaluate.score import complexity, noise_floor, ratios, score, verdict
from pipelines.select.selection import select


def config(**accept: float) -> Config:
    return parse_config(
        {
            "target": {"files": ["m.py"]},
            "benchmark": {
                "entry": "m:f",
                "inputs": "m:make",
                "params": {"n": [10, 100]},
                "metrics": {"time": 0.8, "memory": 0.2},
                "weights": {"n": {100: 3}},
            },
            "accept": accept,
        },
        "test.yml",
    )


def point(n: int, base_s: float, cand_s: float, base_bytes: int = 1000, cand_bytes: int = 1000) -> PointResult:
    base = Timing((base_s,) * 3, base_bytes)
    cand = Timing((cand_s,) * 3, cand_bytes)
    return PointResult({"n": n}, cand, base, ratios(base, cand, {"time": 0.8, "memory": 0.2}))


def test_the_score_is_the_weighted_geometric_mean_of_all_ratios() -> None:
    points = [point(10, 1.0, 0.5), point(100, 1.0, 0.25, cand_bytes=2000)]
    # weights: time 0.8 x point 1 and 3, memory 0.2 x point 1 and 3
    logs = 0.8 * math.log(2) + 0.8 * 3 * math.log(4) + 0.2 * math.log(1) + 0.2 * 3 * math.log(0.5)
    assert score(points, config().benchmark) == pytest.approx(math.exp(logs / 4.0))


def test_the_noise_floor_is_at_least_the_a_a_deviation() -> None:
    steady = [PointResult({"n": 10}, Timing((1.0, 1.0, 1.0), None))]
    assert noise_floor(0.97, steady) == pytest.approx(0.03)
    jittery = [PointResult({"n": 10}, Timing((0.9, 1.0, 1.1, 1.2, 0.8), None))]
    assert noise_floor(1.0, jittery) == pytest.approx(0.1)


def test_a_speedup_within_the_noise_is_not_accepted() -> None:
    points = [point(10, 1.0, 0.9), point(100, 1.0, 0.9)]  # 1.11x
    accepted, reason, _ = verdict(points, config(min_speedup=1.05), noise=0.08)
    assert not accepted
    assert reason.startswith("score 1.0") and "does not beat 1.134 (min_speedup 1.05 × (1 + noise 8.0%))" in reason


def test_a_speedup_within_the_spread_of_the_measurement_itself_is_not_accepted() -> None:
    def jittery(n: int) -> PointResult:
        base, cand = Timing((1.0, 1.3, 1.6), 1000), Timing((1.0, 1.1, 1.2), 1000)
        return PointResult({"n": n}, cand, base, ratios(base, cand, {"time": 0.8, "memory": 0.2}))

    accepted, reason, value = verdict([jittery(10), jittery(100)], config(min_speedup=1.05), noise=0.01)
    assert value > 1.1 and not accepted
    assert reason.startswith("score 1.143 (at least 0.927 with 95% confidence) does not beat 1.060")


def test_a_speedup_beyond_the_noise_is_accepted() -> None:
    accepted, reason, value = verdict([point(10, 1.0, 0.5), point(100, 1.0, 0.5)], config(), noise=0.02)
    assert accepted and value > 1.5 and "beats" in reason


def test_one_regressed_point_rejects_a_faster_candidate() -> None:
    points = [point(10, 1.0, 1.5), point(100, 1.0, 0.1)]
    accepted, reason, value = verdict(points, config(max_regression=0.1), noise=0.0)
    assert value > 1.05 and not accepted
    assert reason.startswith("slower at n=10: 1.5 s vs 1 s for the baseline (0.67×")


def test_the_complexity_exponent_is_the_log_log_slope_per_axis() -> None:
    def measured(n: int, d: int) -> PointResult:
        return PointResult({"n": n, "d": d, "kind": "x"}, Timing((1e-6 * n**2 * d,), None))

    exponents = complexity([measured(n, d) for n in (10, 100, 1000) for d in (2, 8)])
    assert exponents == {"n": pytest.approx(2.0), "d": pytest.approx(1.0)}


def result(id: str, status: Any, value: float | None) -> CandidateResult:
    return CandidateResult(id, "o", status, "", None, None, (), value, {}, (), "")


def test_select_takes_the_best_accepted_candidate() -> None:
    results = [result("a", "accepted", 1.2), result("b", "rejected", 9.0), result("c", "accepted", 1.5)]
    assert select(results) is results[2]
    assert select([results[1]]) is None
