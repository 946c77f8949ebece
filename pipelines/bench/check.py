"""`perfbot bench check SUITE`: is every task of a suite fit to benchmark with?

Per task, with perfbot's own judge (one benchmark sandbox per task, the baseline prepared once):

loads       task.yml, repo/.perfbot.yml and the reference/ and wrong/ overlays parse
baseline    the tests pass on repo/ and the benchmark inputs import and build at every grid point
reference   its tests pass, its outputs match and it is faster beyond noise (accepted by the judge)
wrong       it is rejected for changing behaviour (a test fails, an output differs or the benchmark crashes)

A missing reference/ or wrong/ is reported as a gap, not a failure: a suite of tasks without them can still
be benchmarked, only without a ceiling or a check on the judge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipelines.bench.suite import Task, load_task
from pipelines.errors import ConfigError, PerfbotError
from pipelines.evaluate import Candidate, CandidateResult
from pipelines.select.selection import measure_and_select
from sandbox.base import SandboxError
from sandbox.factory import SandboxKind


@dataclass(frozen=True)
class Finding:
    task: str
    check: str
    ok: bool | None
    """True passed, False failed, None not applicable (a gap)."""
    detail: str

    def line(self) -> str:
        mark = {True: "ok  ", False: "FAIL", None: "--  "}[self.ok]
        return f"{mark} {self.task}: {self.check}: {self.detail}"


def check_suite(path: Path, sandbox: SandboxKind | None, say: Callable[[str], None] = lambda _: None) -> list[Finding]:
    if not path.is_dir():
        raise ConfigError(f"{path}: no such task suite (expected a folder of tasks)")
    folders = [p for p in sorted(path.iterdir()) if p.is_dir() and not p.name.startswith((".", "_"))]
    if not folders:
        raise ConfigError(f"{path}: the suite has no tasks (each task is a folder with task.yml and repo/)")
    findings: list[Finding] = []
    for folder in folders:
        say(f"checking {folder.name}")
        try:
            task = load_task(folder)
        except ConfigError as e:
            findings.append(Finding(folder.name, "loads", False, str(e)))
            continue
        findings.append(Finding(task.name, "loads", True, "task.yml, repo/.perfbot.yml and the overlays parse"))
        findings += check_task(task, sandbox)
    return findings


def check_task(task: Task, sandbox: SandboxKind | None) -> list[Finding]:
    versions = [
        Candidate(id=kind, origin=f"the task's {kind}/", files=task.overlays[kind])
        for kind in ("reference", "wrong")
        if kind in task.overlays
    ]
    try:
        measured = measure_and_select(task.repo, task.config, versions, sandbox_kind=sandbox, label="bench-check")
    except (PerfbotError, SandboxError) as e:
        return [Finding(task.name, "baseline", False, f"tests or inputs fail on repo/: {e}")]
    findings = [Finding(task.name, "baseline", True, "tests pass on repo/ and the inputs build at every grid point")]
    results = {r.id: r for r in measured.results}
    reference = results.get("reference")
    if reference is None:
        findings.append(Finding(task.name, "reference", None, "no reference/ (the leaderboard gets no ceiling)"))
    elif reference.accepted:
        findings.append(Finding(task.name, "reference", True, f"accepted, {reference.score:.2f}x faster"))
    else:
        findings.append(Finding(task.name, "reference", False, f"not accepted: {reference.reason}"))
    wrong = results.get("wrong")
    if wrong is None:
        findings.append(Finding(task.name, "wrong", None, "no wrong/ (nothing checks that the tests catch errors)"))
    elif _changed_behaviour(wrong):
        findings.append(Finding(task.name, "wrong", True, f"rejected: {wrong.reason}"))
    else:
        why = "accepted" if wrong.accepted else f"rejected only as {wrong.reason}"
        findings.append(Finding(task.name, "wrong", False, f"{why}: the tests do not catch the wrong version"))
    return findings


def _changed_behaviour(result: CandidateResult) -> bool:
    """Rejected because a test failed, an output differed or the benchmark crashed on it (not for being the
    baseline again, too slow or out of bounds)."""
    tests_failed = result.tests is not None and not result.tests.passed
    return not result.accepted and (tests_failed or result.outputs_match is False or _crashed(result))


def _crashed(result: CandidateResult) -> bool:
    return result.score is None and result.tests is not None and result.tests.passed and result.outputs_match is None
