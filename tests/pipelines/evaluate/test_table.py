"""`format_table`: what an agent reads after each evaluation."""

from __future__ import annotations

from pipelines.evaluate import format_table
from tests.pipelines.report.test_artifacts import baseline, candidate, rejected_by_tests


def test_a_measured_candidate_gets_one_row_per_grid_point() -> None:
    table = format_table(candidate("c1", accepted=True), baseline())
    lines = table.splitlines()
    assert lines[0] == "c1: ACCEPTED — score 3.7 beats 1.07"
    assert "n=100 d=2  10.00 ms  2.00 ms    5.00×    4.9 KiB → 5.9 KiB     ±0.0%" in lines
    assert "complexity exponent (time ~ size^k) n: 1.00 → 1.00" in lines


def test_a_candidate_rejected_by_its_tests_gets_two_lines() -> None:
    assert format_table(rejected_by_tests(), baseline()) == (
        "t: REJECTED — tests fail: FAILED tests/test_m.py::test_x - assert 1 | 2\ntests: FAILED (1 failed)\n"
    )
