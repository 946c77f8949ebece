"""The evaluator's side of the sandbox: the layout of its workspace, the tests command, one driver call per point.

_perfbot/runner.py, perfbot_child.py, perfbot_compare.py    the measuring scripts (standard library only)
_perfbot/points/<i>/input.pkl              the input of grid point i, built once from the baseline
_perfbot/points/<i>/<version>.pkl          a version's outcome at point i (for the output check)
v/base, v/base-aa, v/c<k>                  the baseline, its identical copy, candidate k
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from pipelines.errors import EvaluationError
from pipelines.evaluate.results import TestsResult
from sandbox.base import Sandbox

PYTHON = "python3"
"""The interpreter that runs the measuring scripts: the Docker image's Debian python3, or on PATH locally."""
TOOLS_DIR = "_perfbot"
MARKER = "PERFBOT-RESULT "
MAX_PRINT = 1 << 20
"""Bytes a benchmarked call may print before it is stopped and rejected."""
_TESTS_TAIL = 32 * 1024
_FAILED_LINE = re.compile(r"^(FAILED|ERROR) (.+)$", re.MULTILINE)
_SECTION = re.compile(r"^_{3,} .+ _{3,}$", re.MULTILINE)
"""pytest's header of one failure's report (`____ test_name ____`, `____ ERROR collecting x.py ____`)."""
OUTPUT_LINES = 25


@dataclass
class VersionState:
    """One version's measurements at one grid point, as the driver reports them."""

    times: list[float] = field(default_factory=list)
    peak_bytes: int | None = None
    failure: str | None = None
    mismatch: str | None = None


class EvaluationWorkspace:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self._specs = 0

    def install_tools(self) -> None:
        package = files("pipelines.evaluate")
        self.sandbox.put_files(
            {
                f"{TOOLS_DIR}/runner.py": package.joinpath("runner.py").read_bytes(),
                f"{TOOLS_DIR}/perfbot_child.py": package.joinpath("child.py").read_bytes(),
                f"{TOOLS_DIR}/perfbot_compare.py": package.joinpath("compare.py").read_bytes(),
            }
        )

    def stage(self, repo: Path, name: str, changed: dict[str, str] | None = None) -> str:
        """Copy `repo` to v/<name>, overwrite the `changed` files; returns the directory (workspace-relative)."""
        directory = f"v/{name}"
        self.sandbox.put_dir(repo, directory)
        if changed:
            self.sandbox.put_files({f"{directory}/{rel}": text.encode("utf-8") for rel, text in changed.items()})
        return directory

    def discard(self, name: str) -> None:
        """Remove version `name`'s copy and its recorded outputs (an agent run evaluates hundreds of versions)."""
        self.sandbox.execute(f"rm -rf v/{name} {TOOLS_DIR}/points/*/{name}.pkl", timeout=60)

    def run_tests(self, command: str, directory: str, timeout: float) -> TestsResult:
        """Run the tests command in `directory`; keeps the tail of its output (where pytest's summary is)."""
        log = f"../../{TOOLS_DIR}/tests-{directory.replace('/', '-')}.log"
        script = f"( {command} ) > {log} 2>&1; status=$?; tail -c {_TESTS_TAIL} {log}; exit $status"
        result = self.sandbox.execute(script, timeout=timeout, cwd=directory, max_output=_TESTS_TAIL + 1024)
        if result.timed_out:
            return TestsResult(False, command, result.duration_s, f"the tests did not finish within {timeout:g} s")
        summary = _last_line(result.output)
        if result.ok:
            return TestsResult(True, command, result.duration_s, None, summary)
        failed = _FAILED_LINE.search(result.output)
        failure = failed.group(0) if failed else f"the tests command exited with status {result.returncode}: {summary}"
        output = failure_output(result.output)
        return TestsResult(False, command, result.duration_s, _clip(failure, 300), summary, output)

    def drive(self, spec: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Run one grid point's steps; returns {"input_error": str|None, "versions": {name: VersionState}}."""
        self._specs += 1
        path = f"{TOOLS_DIR}/spec-{self._specs}.json"
        self.sandbox.put_files({path: json.dumps(spec).encode("utf-8")})
        command = f"{PYTHON} {TOOLS_DIR}/runner.py drive {shlex.quote(path)}"
        result = self.sandbox.execute(command, timeout=timeout, max_output=8 << 20)
        line = next((ln for ln in result.output.splitlines() if ln.startswith(MARKER)), None)
        if line is None:
            why = "timed out" if result.timed_out else f"exited with status {result.returncode}"
            raise EvaluationError(f"the measuring script {why} without a result: {_clip(result.output, 1500)}")
        raw = json.loads(line[len(MARKER) :])
        versions = {name: VersionState(**state) for name, state in raw["versions"].items()}
        return {"input_error": raw["input_error"], "versions": versions}


def point_dir(index: int) -> str:
    return f"{TOOLS_DIR}/points/{index}"


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
