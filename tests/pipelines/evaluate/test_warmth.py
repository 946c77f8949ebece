"""First calls and the steady state (issue 15): a task whose baseline grows a bytes buffer with `+=` costs far more
on the first call of a fresh process than once the process is warm. Both figures are measured and shown, and the
score follows `benchmark.measure`."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from pipelines.config import load_config
from pipelines.evaluate import Candidate, CandidateResult, Evaluator
from sandbox.factory import open_sandbox
from tests.conftest import committed_copy, needs_docker

pytestmark = needs_docker()

HERE = Path(__file__).parent / "warmth"
FAST = HERE / "fast_records.py"
DEFER = HERE / "defer_records.py"
FORGE = HERE / "forge_records.py"


@pytest.fixture(scope="module")
def task(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return committed_copy(HERE / "task", tmp_path_factory.mktemp("warmth") / "task", "the warmth task")


@pytest.fixture(scope="module")
def warm_report(task: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One `perfbot evaluate` of the fast version and of the two attacks on the steady-state protocol (evaluated
    together, as an agent's candidates are: each is judged on its own)."""
    out = tmp_path_factory.mktemp("warmth-out")
    candidates = [argument for path in (FAST, DEFER, FORGE) for argument in ("--candidate", f"records.py={path}")]
    assert main(["evaluate", str(task), "--sandbox", "docker", "--out", str(out), *candidates]) == 0
    report: dict[str, Any] = json.loads((out / "report.json").read_text())
    report["markdown"] = (out / "report.md").read_text()
    return report


def candidate_from(report: dict[str, Any], path: Path) -> dict[str, Any]:
    [found] = [c for c in report["candidates"] if Path(c["origin"]).name == path.name]
    return found


def geometric_mean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


def test_both_figures_are_measured_and_they_differ_at_the_largest_size(warm_report: dict[str, Any]) -> None:
    candidate = candidate_from(warm_report, FAST)
    assert candidate["status"] == "accepted", candidate["reason"]
    largest = max(candidate["points"], key=lambda p: p["params"]["n"])
    assert largest["cold_ratio"] > 1 and largest["ratios"]["time"] > 1, largest
    assert largest["cold_ratio"] != pytest.approx(largest["ratios"]["time"], rel=0.05), largest
    baseline_largest = max(warm_report["baseline"]["points"], key=lambda p: p["params"]["n"])
    assert baseline_largest["cold_s"] > 2 * baseline_largest["time_s"], "the first call pays for growing the heap"


def test_the_score_follows_the_steady_state_by_default(warm_report: dict[str, Any]) -> None:
    candidate = candidate_from(warm_report, FAST)
    assert warm_report["baseline"]["method"]["measure"] == "warm"
    assert candidate["score"] == pytest.approx(
        geometric_mean([p["ratios"]["time"] for p in candidate["points"]]), rel=1e-3
    )


def test_the_merge_request_shows_both_with_one_line_saying_why(warm_report: dict[str, Any]) -> None:
    text = warm_report["markdown"]
    assert "| first call |" in text
    assert "pays on its first call to grow its heap" in text
    assert "2 warm-up value(s) on other inputs (as many calls each as a timed value" in text
    assert "one timed value per process" in text


def cold_result(task: Path) -> CandidateResult:
    raw = yaml.safe_load((task / ".perfbot.yml").read_text())
    raw["benchmark"].update(measure="cold", warmup=1)
    (task / ".perfbot.yml").write_text(yaml.safe_dump(raw))
    with open_sandbox("docker", label="test-warmth", benchmark=True) as sandbox:
        evaluator = Evaluator(task, load_config(task), sandbox)
        [result] = evaluator.evaluate([Candidate("fast", str(FAST), {"records.py": FAST.read_text()})])
    return result


def test_measure_cold_scores_first_calls(warm_report: dict[str, Any], task: Path) -> None:
    result = cold_result(task)
    assert result.status == "accepted", result.reason
    warm = candidate_from(warm_report, FAST)
    assert result.score == pytest.approx(geometric_mean([p.ratios["time"] for p in result.points]))
    # the times it scored are first calls: the baseline's largest point costs far more than in the steady state
    cold_base = max(result.points, key=lambda p: p.params["n"]).baseline
    warm_base = max(warm["points"], key=lambda p: p["params"]["n"])["baseline_time_s"]
    assert cold_base is not None and cold_base.median_s > 2 * warm_base


def test_work_put_off_past_the_first_answer_still_counts_as_the_first_call(warm_report: dict[str, Any]) -> None:
    """The attack answers the first call of each process and only then spends 0.4 s (standing for that call's
    work): the next warm-up call waits for it, and whatever the first `warmup` calls (2 in this task) take beyond
    steady calls is the first call's, so every point's first-call figure shows it and the steady state does not."""
    result = candidate_from(warm_report, DEFER)
    assert result["points"], result["reason"]
    for point in result["points"]:
        assert point["cold_s"] > 0.35, point
        assert point["time_s"] < 0.1, point


def test_outputs_forged_ahead_of_the_calls_reject_the_candidate(warm_report: dict[str, Any]) -> None:
    """Every call is answered at once with a forged output carrying the call's number, then for real: the second
    answer to the same call is caught (and the forged outputs would not match the baseline's)."""
    result = candidate_from(warm_report, FORGE)
    assert result["status"] == "rejected"
    assert "(a forged answer?)" in result["reason"], result


def test_the_attacks_do_not_change_the_honest_versions_verdict(warm_report: dict[str, Any]) -> None:
    assert warm_report["selected"] in {c["id"] for c in warm_report["candidates"] if c["status"] == "accepted"}
    assert candidate_from(warm_report, FAST)["status"] == "accepted"
