"""The tests, run by the judge, and whether a candidate passes the same tests as the baseline.

Exit status 0 is not enough. When the tests command is pytest, the judge's record plugin reports every test's
outcome and the end of the session on a pipe the judge reads (inside/testrecord.py), and a candidate passes only
if every test that passed on the baseline passed again and pytest finished its session. A command that leaves
processes running that the baseline's did not is rejected too. Commands that are not pytest are judged by their
exit status, and the report says so.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

from pipelines.config import TestsConfig
from pipelines.evaluate.harness import Harness
from pipelines.evaluate.results import TestsResult

_FAILED_LINE = re.compile(r"^(FAILED|ERROR) (.+)$", re.MULTILINE)
_SECTION = re.compile(r"^_{3,} .+ _{3,}$", re.MULTILINE)
"""pytest's header of one failure's report (`____ test_name ____`, `____ ERROR collecting x.py ____`)."""
OUTPUT_LINES = 25
_SHOWN_IDS = 3


@dataclass(frozen=True)
class TestsRun:
    __test__ = False  # not a pytest test class, despite its name

    result: TestsResult
    outcomes: dict[str, str] = field(default_factory=dict)
    """Per test id, its outcome as pytest's record reported it."""
    started: bool = False
    """pytest loaded the record plugin (the command is pytest and the record works)."""
    finished: bool = False
    """pytest reported the end of its session."""
    left: int = 0
    """Processes still running when the command ended (killed by the judge)."""

    @property
    def passed_ids(self) -> set[str]:
        return {test for test, outcome in self.outcomes.items() if outcome == "passed"}


def run_tests(harness: Harness, name: str, config: TestsConfig, pythonpath: list[str] | None = None) -> TestsRun:
    """The tests command on a fresh copy of version `name`, with `pythonpath` (repository-relative directories, as
    `benchmark.pythonpath`) on the tests' PYTHONPATH, so a src layout imports without being installed."""
    spec = {
        "dir": harness.directory(name),
        "work": harness.scratch(f"tests-{name}"),
        "command": config.command,
        "pythonpath": pythonpath or [],
    }
    started = time.monotonic()
    raw = harness.run("tests", {**spec, "timeout": config.timeout}, timeout=config.timeout + 120)
    return interpret(raw, config, time.monotonic() - started)


def interpret(raw: dict[str, Any], config: TestsConfig, duration: float) -> TestsRun:
    output = str(raw.get("output", ""))
    events = [e for e in raw.get("record", []) if isinstance(e, dict)]
    outcomes = {str(e.get("id")): str(e.get("outcome")) for e in events if e.get("e") == "test"}
    started = any(e.get("e") == "start" for e in events)
    finished = any(e.get("e") == "finish" for e in events)
    left = int(raw.get("left", 0))
    summary = _last_line(output)
    checked = "per test" if started else "exit status"
    if raw.get("timed_out"):
        failure = f"the tests did not finish within {config.timeout:g} s"
        result = TestsResult(False, config.command, duration, failure, summary, checked=checked)
    elif raw.get("returncode") == 0:
        result = TestsResult(True, config.command, duration, None, summary, checked=checked)
    else:
        failed = _FAILED_LINE.search(output)
        code = raw.get("returncode")
        failure = failed.group(0) if failed else f"the tests command exited with status {code}: {summary}"
        output_lines = failure_output(output)
        result = TestsResult(False, config.command, duration, _clip(failure, 300), summary, output_lines, checked)
    return TestsRun(result, outcomes, started, finished, left)


def against(baseline: TestsRun, candidate: TestsRun) -> str | None:
    """Why the candidate does not pass the tests the baseline passes, or None when it does."""
    if not candidate.result.passed:
        return f"tests fail: {candidate.result.failure}"
    if candidate.left > baseline.left:
        return f"its tests left {candidate.left} process(es) running after they ended (killed; a daemon?)"
    if not baseline.started:
        return None
    if not candidate.started:
        return "pytest never loaded perfbot's test record: the tests' outcomes cannot be checked (plugin disabled?)"
    missing = sorted(baseline.passed_ids - candidate.passed_ids)
    if not candidate.finished:
        reported = len(baseline.passed_ids & candidate.passed_ids)
        return (
            f"the tests command exited 0 but pytest never finished its session: {reported} of the "
            f"{len(baseline.passed_ids)} tests that pass on the baseline reported passing (did the code end the "
            "process, e.g. with os._exit?)"
        )
    if missing:
        shown = ", ".join(f"{test} ({candidate.outcomes.get(test, 'not run')})" for test in missing[:_SHOWN_IDS])
        more = f" and {len(missing) - _SHOWN_IDS} more" if len(missing) > _SHOWN_IDS else ""
        return f"{len(missing)} test(s) that pass on the baseline did not pass: {shown}{more}"
    return None


def failure_output(output: str, lines: int = OUTPUT_LINES) -> str:
    """The first `lines` lines of the first failure pytest reports, else of the whole output (any other runner)."""
    section = _SECTION.search(output)
    start = output[section.start() :] if section else output.lstrip("\n")
    return "\n".join(line.rstrip()[:200] for line in start.splitlines()[:lines]).rstrip()


def _last_line(output: str) -> str:
    lines = [ln.strip() for ln in output.strip().splitlines() if ln.strip()]
    return _clip(lines[-1], 200) if lines else ""


def _clip(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."
