"""The evaluator against real processes: each test states one thing it must get right."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pipelines.errors import EvaluationError
from pipelines.evaluate import Candidate, CandidateResult, Evaluator, format_table
from pipelines.select.selection import select
from sandbox.base import Sandbox
from tests.pipelines.evaluate import candidates as versions
from tests.pipelines.evaluate.conftest import small_config

Make = Callable[[str, str], Candidate]


@pytest.fixture(scope="module")
def misbehaving(evaluator: Evaluator) -> dict[str, CandidateResult]:
    """Every misbehaving candidate, evaluated in one call (the run must go on past each failure)."""
    bad = {
        "off-by-one": versions.OFF_BY_ONE,
        "rounded": versions.ROUNDED,
        "raises": versions.RAISES,
        "mutates": versions.MUTATES,
        "hangs": versions.HANGS,
        "exits": versions.EXITS,
        "segfaults": versions.SEGFAULTS,
        "floods": versions.FLOODS,
        "slower": versions.SLOWER,
        "fast": versions.FAST,
    }
    results = evaluator.evaluate([Candidate(name, f"{name}.py", {"geometry.py": text}) for name, text in bad.items()])
    return {r.id: r for r in results}


def test_the_baseline_is_measured_against_itself(evaluator: Evaluator) -> None:
    baseline = evaluator.prepare()
    assert baseline.tests.passed
    assert [p.params for p in baseline.points] == [{"n": 60, "d": 2}, {"n": 300, "d": 2}]
    assert all(len(p.timing.times_s) == 5 and p.timing.peak_bytes is not None for p in baseline.points)
    assert 0.5 < baseline.aa_score < 2.0
    assert baseline.noise >= abs(baseline.aa_score - 1.0)
    assert baseline.complexity["n"] > 1.5  # the naive algorithm is quadratic


def test_prepare_is_idempotent(evaluator: Evaluator) -> None:
    assert evaluator.prepare() is evaluator.prepare()


def test_a_correct_faster_candidate_is_accepted(evaluator: Evaluator, candidate: Make) -> None:
    [result] = evaluator.evaluate([candidate("fast", versions.FAST)])
    assert result.status == "accepted", result.reason
    assert result.outputs_match is True
    assert result.score is not None and result.score > 1.5
    assert result.points[-1].ratios["time"] > 3
    assert result.complexity["n"] < evaluator.prepare().complexity["n"]
    assert "+++ b/geometry.py" in result.diff and "--- a/geometry.py" in result.diff
    assert select([result]) is result


def test_a_subtly_wrong_candidate_is_rejected_by_the_tests(misbehaving: dict[str, CandidateResult]) -> None:
    result = misbehaving["off-by-one"]
    assert result.status == "rejected"
    assert result.tests is not None and not result.tests.passed
    assert result.reason.startswith("tests fail: FAILED tests/test_geometry.py::test_")
    assert result.points == ()


def test_different_outputs_on_a_benchmark_input_are_rejected(misbehaving: dict[str, CandidateResult]) -> None:
    result = misbehaving["rounded"]
    assert result.tests is not None and result.tests.passed
    assert result.outputs_match is False
    assert result.reason.startswith("outputs differ at n=300 d=2"), result.reason
    assert "the return value" in result.reason


def test_raising_where_the_baseline_returned_is_a_mismatch(misbehaving: dict[str, CandidateResult]) -> None:
    result = misbehaving["raises"]
    assert result.outputs_match is False
    assert "raised RuntimeError: too many points where the baseline returned" in result.reason


def test_mutating_the_input_counts_as_a_different_output(misbehaving: dict[str, CandidateResult]) -> None:
    result = misbehaving["mutates"]
    assert result.outputs_match is False
    assert "changed its input" in result.reason and "n=300" in result.reason


def test_a_hanging_candidate_is_killed_and_rejected(misbehaving: dict[str, CandidateResult]) -> None:
    assert misbehaving["hangs"].status == "rejected"
    reason = misbehaving["hangs"].reason
    assert "n=300 d=2" in reason and "did not finish within the 5 s timeout" in reason


def test_a_candidate_that_kills_the_interpreter_is_rejected(misbehaving: dict[str, CandidateResult]) -> None:
    assert "n=300 d=2" in misbehaving["exits"].reason
    assert "the interpreter exited with status 3" in misbehaving["exits"].reason
    assert "the interpreter crashed with SIGSEGV" in misbehaving["segfaults"].reason


def test_a_candidate_that_prints_megabytes_is_stopped(misbehaving: dict[str, CandidateResult]) -> None:
    assert "printed more than 1048576 bytes" in misbehaving["floods"].reason


def test_a_slower_candidate_is_rejected_naming_the_point(misbehaving: dict[str, CandidateResult]) -> None:
    result = misbehaving["slower"]
    assert result.outputs_match is True, result.reason
    assert result.reason.startswith("slower at n=300 d=2:"), result.reason
    assert result.points[-1].ratios["time"] < 0.5


def test_the_run_goes_on_past_failures(misbehaving: dict[str, CandidateResult]) -> None:
    assert misbehaving["fast"].status == "accepted", misbehaving["fast"].reason
    assert select(list(misbehaving.values())) is misbehaving["fast"]


def test_a_change_of_comments_only_is_never_measured(evaluator: Evaluator, closest_pair: Path, candidate: Make) -> None:
    same = versions.no_op((closest_pair / "geometry.py").read_text())
    results = evaluator.evaluate([candidate("no-op-1", same), candidate("no-op-2", same)])
    assert [r.status for r in results] == ["rejected", "rejected"], [r.reason for r in results]
    assert all(r.reason.startswith("no change: ") and r.points == () for r in results)
    assert select(results) is None


def test_the_same_work_written_differently_is_not_accepted(
    evaluator: Evaluator, closest_pair: Path, candidate: Make
) -> None:
    renamed = (closest_pair / "geometry.py").read_text().replace("best", "smallest")
    [result] = evaluator.evaluate([candidate("renamed", renamed)])
    assert result.status == "rejected", result.reason
    assert result.rounds >= 5 and result.outputs_match is True


def test_a_change_outside_the_target_files_is_rejected(evaluator: Evaluator) -> None:
    [result] = evaluator.evaluate(
        [Candidate("sneaky", "x", {"bench_inputs.py": "def make(n, d):\n    return ([],)\n"})]
    )
    assert result.status == "rejected"
    assert result.reason == "changes bench_inputs.py, which is not among target.files ['geometry.py']"


def test_the_table_for_an_agent_is_short_and_names_each_point(evaluator: Evaluator, candidate: Make) -> None:
    [result] = evaluator.evaluate([candidate("fast", versions.FAST)])
    table = format_table(result, evaluator.prepare())
    assert table.startswith("fast: ACCEPTED")
    assert "n=60 d=2" in table and "n=300 d=2" in table
    assert len(table.splitlines()) < 15


def test_a_baseline_that_fails_its_tests_stops_the_evaluation(closest_pair: Path, sandbox: Sandbox, tmp_path: Path):
    import shutil

    broken = tmp_path / "broken"
    shutil.copytree(closest_pair, broken)
    (broken / "geometry.py").write_text(versions.OFF_BY_ONE)
    with pytest.raises(EvaluationError, match=r"the baseline fails its own tests .*FAILED tests/test_geometry.py::"):
        Evaluator(broken, small_config(broken), sandbox).prepare()


def test_without_check_outputs_a_faster_candidate_with_other_outputs_is_accepted(
    closest_pair: Path, sandbox: Sandbox, candidate: Make
) -> None:
    config = small_config(closest_pair, check_outputs=False, metrics={"time": 1.0})
    evaluator = Evaluator(closest_pair, config, sandbox)
    rounded = versions.FAST.replace("    return best\n", "    return round(best, 3) if len(points) > 100 else best\n")
    [result] = evaluator.evaluate([candidate("rounded-fast", rounded)])
    assert result.status == "accepted", result.reason
    assert result.outputs_match is None
    assert all("memory" not in p.ratios for p in result.points)  # memory has no weight: measured, not scored


def test_evaluated_candidates_leave_nothing_behind_in_the_sandbox(
    evaluator: Evaluator, sandbox: Sandbox, candidate: Make
) -> None:
    evaluator.evaluate([candidate("fast", versions.FAST), candidate("off-by-one", versions.OFF_BY_ONE)])
    listing = sandbox.execute("ls -A v scratch", timeout=30, trusted=True)
    assert listing.ok, listing.output
    names = {word for word in listing.output.split() if not word.endswith(":")}  # `ls` heads each folder "dir:"
    assert names == {"base", ".perfbot"}
