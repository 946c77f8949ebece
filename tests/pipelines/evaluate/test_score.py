"""Score, noise floor, acceptance, selection and complexity on hand-made paired measurements (DESIGN §3.3)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from pipelines.config import Config, parse_config
from pipelines.evaluate.results import CandidateResult, PointResult, Timing
from pipelines.evaluate.score import complexity, noise_floor, ratios, score, verdict
from pipelines.evaluate.stats import Estimate, from_logs, score_estimate
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


def point(
    n: int, base: list[float], mine: list[float], base_bytes: int = 1 << 24, my_bytes: int = 1 << 24
) -> PointResult:
    b, c = Timing(tuple(base), base_bytes), Timing(tuple(mine), my_bytes)
    return PointResult({"n": n}, c, b, ratios(b, c, {"time": 0.8, "memory": 0.2}))


def steady(n: int, base_s: float, my_s: float, rounds: int = 6, **memory: int) -> PointResult:
    return point(n, [base_s] * rounds, [my_s] * rounds, **memory)


def test_the_score_is_the_weighted_geometric_mean_of_all_ratios() -> None:
    points = [steady(10, 1.0, 0.5), steady(100, 1.0, 0.25, my_bytes=1 << 25)]
    logs = 0.8 * math.log(2) + 0.8 * 3 * math.log(4) + 0.2 * math.log(1) + 0.2 * 3 * math.log(0.5)
    assert score(points, config().benchmark) == pytest.approx(math.exp(logs / 4.0))
    assert score_estimate(points, config().benchmark).value == pytest.approx(math.exp(logs / 4.0))


def test_memory_differences_smaller_than_a_mebibyte_are_not_told_apart() -> None:
    assert steady(10, 1.0, 1.0, base_bytes=300_000, my_bytes=900_000).ratios["memory"] == 1.0


def test_the_interval_is_a_t_interval_that_widens_with_fewer_rounds() -> None:
    logs = [0.10, 0.12, 0.08, 0.11, 0.09]
    estimate = from_logs(logs)
    mean, sd = 0.1, math.sqrt(sum((x - 0.1) ** 2 for x in logs) / 4)
    assert estimate.low == pytest.approx(math.exp(mean - 2.776 * sd / math.sqrt(5)))
    assert estimate.high == pytest.approx(math.exp(mean + 2.776 * sd / math.sqrt(5)))
    assert from_logs(logs[:2]).high - from_logs(logs[:2]).low > estimate.high - estimate.low
    one = from_logs([0.5])
    assert (one.low, one.high) == (0.0, math.inf), "one sample says nothing about its spread"


def test_the_noise_floor_is_at_least_the_a_a_deviation_and_its_uncertainty() -> None:
    assert noise_floor(Estimate(0.97, 0.969, 0.971, 5)) == pytest.approx(0.03)
    assert noise_floor(Estimate(1.0, 0.9, 1.1, 5)) == pytest.approx(0.1)


def test_a_speedup_within_the_noise_is_not_accepted() -> None:
    points = [steady(10, 1.0, 0.9), steady(100, 1.0, 0.9)]  # 1.11x, no spread
    decided = verdict(points, config(min_speedup=1.05), noise=0.08)
    assert decided.accepted is False
    assert "does not beat 1.134 (min_speedup 1.05 × (1 + noise 8.0%))" in decided.reason


def test_a_speedup_within_the_spread_of_the_measurement_itself_stays_open_then_is_refused() -> None:
    def jittery(n: int) -> PointResult:
        return point(n, [1.0, 1.3, 1.6, 1.0, 1.3], [1.0, 1.1, 1.2, 1.2, 1.0])

    points = [jittery(10), jittery(100)]
    assert verdict(points, config(), noise=0.01, final=False).accepted is None
    decided = verdict(points, config(), noise=0.01)
    assert decided.accepted is False and decided.score > 1.06
    assert "straddles 1.060" in decided.reason and "max_repeat" in decided.reason


def test_fewer_than_five_rounds_never_accept() -> None:
    points = [steady(10, 1.0, 0.1, rounds=3), steady(100, 1.0, 0.1, rounds=3)]
    decided = verdict(points, config(), noise=0.0)
    assert decided.accepted is False and "fewer than 5 paired rounds" in decided.reason


def test_a_speedup_beyond_the_noise_is_accepted() -> None:
    decided = verdict([steady(10, 1.0, 0.5), steady(100, 1.0, 0.5)], config(), noise=0.02)
    assert decided.accepted is True and decided.score > 1.5 and "beats" in decided.reason


def test_one_regressed_point_rejects_a_faster_candidate() -> None:
    points = [steady(10, 1.0, 1.5), steady(100, 1.0, 0.1)]
    decided = verdict(points, config(max_regression=0.1), noise=0.0)
    assert decided.score > 1.05 and decided.accepted is False
    assert decided.reason.startswith("slower at n=10: 1.5 s vs 1 s for the baseline (0.67×")


def test_the_complexity_exponent_is_the_log_log_slope_per_axis() -> None:
    def measured(n: int, d: int) -> PointResult:
        return PointResult({"n": n, "d": d, "kind": "x"}, Timing((1e-6 * n**2 * d,), None))

    exponents = complexity([measured(n, d) for n in (10, 100, 1000) for d in (2, 8)])
    assert exponents == {"n": pytest.approx(2.0), "d": pytest.approx(1.0)}


def result(id: str, status: Any, value: float | None, changed: int = 1) -> CandidateResult:
    diff = "--- a/m.py\n+++ b/m.py\n" + "+x\n" * changed
    return CandidateResult(id, "o", status, "", None, None, (), value, {}, (), diff)


def test_select_takes_the_best_accepted_candidate_beyond_the_noise() -> None:
    results = [result("a", "accepted", 1.2), result("b", "rejected", 9.0), result("c", "accepted", 1.5)]
    assert select(results) is results[2]
    assert select([results[1]]) is None


def test_within_the_noise_the_smaller_change_wins() -> None:
    small, large = result("part", "accepted", 2.00, changed=3), result("combined", "accepted", 2.06, changed=9)
    assert select([small, large], noise=0.05) is small, "a combination must beat its part by more than the noise"
    assert select([small, large], noise=0.01) is large
