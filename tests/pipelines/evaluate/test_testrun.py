"""Passing the same tests as the baseline, from the judge's record of each test (not from the exit status alone)."""

from __future__ import annotations

from typing import Any

from pipelines import config as settings
from pipelines.evaluate.testrun import TestsRun, against, interpret

CONFIG = settings.TestsConfig(command="python -m pytest -q", timeout=60)
IDS = [f"tests/test_m.py::test_{i}" for i in range(4)]


def run(returncode: int = 0, outcomes: dict[str, str] | None = None, finish: bool = True, left: int = 0,
        record: bool = True, output: str = "4 passed in 0.1s") -> TestsRun:  # fmt: skip
    events: list[dict[str, Any]] = [{"e": "start"}] if record else []
    for test, outcome in (outcomes if outcomes is not None else dict.fromkeys(IDS, "passed")).items():
        events.append({"e": "test", "id": test, "outcome": outcome})
    if record and finish:
        events.append({"e": "finish", "status": returncode, "tests": len(IDS)})
    raw = {"returncode": returncode, "timed_out": False, "output": output, "record": events, "left": left}
    return interpret(raw, CONFIG, 1.0)


def test_the_same_tests_passing_passes() -> None:
    assert against(run(), run()) is None
    assert run().result.checked == "per test"


def test_exiting_zero_before_pytest_finishes_fails() -> None:
    reason = against(run(), run(outcomes={IDS[0]: "passed"}, finish=False))
    assert reason is not None and "never finished its session: 1 of the 4 tests" in reason and "os._exit" in reason


def test_a_test_that_passed_on_the_baseline_and_is_skipped_now_fails() -> None:
    reason = against(run(), run(outcomes={**dict.fromkeys(IDS, "passed"), IDS[2]: "skipped"}))
    assert reason == f"1 test(s) that pass on the baseline did not pass: {IDS[2]} (skipped)"


def test_a_missing_test_fails() -> None:
    reason = against(run(), run(outcomes=dict.fromkeys(IDS[:3], "passed")))
    assert reason == f"1 test(s) that pass on the baseline did not pass: {IDS[3]} (not run)"


def test_a_disabled_record_fails_when_the_baseline_had_one() -> None:
    reason = against(run(), run(record=False))
    assert reason is not None and "never loaded perfbot's test record" in reason


def test_processes_left_running_that_the_baseline_did_not_leave_fail() -> None:
    assert against(run(), run(left=2)) == "its tests left 2 process(es) running after they ended (killed; a daemon?)"
    assert against(run(left=1), run(left=1)) is None


def test_a_command_that_is_not_pytest_is_judged_by_its_exit_status() -> None:
    plain = run(record=False, outcomes={}, output="ok")
    assert plain.result.checked == "exit status"
    assert against(plain, run(record=False, outcomes={}, output="ok")) is None
    failed = run(returncode=1, record=False, outcomes={}, output="boom")
    assert against(plain, failed) == "tests fail: the tests command exited with status 1: boom"


def test_a_failing_test_is_named_from_pytests_summary() -> None:
    output = "____ test_3 ____\nassert 1 == 2\nFAILED tests/test_m.py::test_3 - assert 1 == 2\n1 failed in 0.1s"
    failed = run(returncode=1, output=output, outcomes={**dict.fromkeys(IDS, "passed"), IDS[3]: "failed"})
    assert against(run(), failed) == "tests fail: FAILED tests/test_m.py::test_3 - assert 1 == 2"
    assert failed.result.output.startswith("____ test_3 ____")
