"""`Evaluator`: is a candidate correct, and how much faster is it than the baseline? (DESIGN §3.3)

`prepare()` runs the tests on the baseline and measures it against an identical copy of itself (the A/A
noise floor). `evaluate(candidates)` runs each candidate's tests in its own copy of the repo, then per grid
point compares its outputs with the baseline's and times it interleaved with the baseline. A candidate that
fails anywhere is rejected with the reason and the run goes on with the others.
"""

from __future__ import annotations

import difflib
import fnmatch
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from pipelines.config import Config
from pipelines.errors import BaselineError, EvaluationError
from pipelines.evaluate.results import BaselineResult, Candidate, CandidateResult, PointResult, TestsResult, Timing
from pipelines.evaluate.score import complexity, format_params, noise_floor, ratios, score, verdict
from pipelines.evaluate.workspace import MAX_PRINT, EvaluationWorkspace, VersionState, point_dir
from sandbox.base import Sandbox

BASE = "base"
BASE_COPY = "base-aa"


@dataclass
class _Live:
    """A candidate still in the race: its tests passed and nothing has failed so far."""

    candidate: Candidate
    name: str
    directory: str
    tests: TestsResult
    diff: str
    points: list[PointResult]


class Evaluator:
    def __init__(
        self,
        repo: Path,
        config: Config,
        sandbox: Sandbox,
        *,
        progress: Callable[[str], None] | None = None,
        repeat: int | None = None,
    ) -> None:
        self.repo = Path(repo)
        self.config = config
        self.sandbox = sandbox
        self.repeat = repeat or config.benchmark.repeat
        self._progress = progress
        self._workspace = EvaluationWorkspace(sandbox)
        self._grid = config.benchmark.grid()
        self._baseline: BaselineResult | None = None
        self._staged = 0
        self._started = time.monotonic()

    def prepare(self) -> BaselineResult:
        """Test the baseline and measure it against itself. Raises EvaluationError when the baseline fails its
        tests or the benchmark cannot run on it. Idempotent: later calls return the first result."""
        if self._baseline is not None:
            return self._baseline
        self._say(f"copying the baseline into the {self.sandbox.kind} sandbox")
        self._workspace.install_tools()
        base = self._workspace.stage(self.repo, BASE)
        copy = self._workspace.stage(self.repo, BASE_COPY)
        tests = self._tests("baseline", base)
        if not tests.passed:
            raise BaselineError(
                f"the baseline fails its own tests (`{tests.command}` in {self.repo}): {tests.failure}; "
                "there is no behaviour to preserve until they pass",
                tests,
            )
        base_points, aa_points = [], []
        for i, params in enumerate(self._grid):
            self._say(f"baseline: A/A timing at {format_params(params)} ({i + 1}/{len(self._grid)})")
            check = self.config.benchmark.check_outputs
            spec = self._spec(i, [(BASE, base), (BASE_COPY, copy)], make_input=True, outputs=[BASE] if check else [])
            measured = self._drive(spec, 2)
            if measured["input_error"]:
                raise BaselineError(
                    f"{self.config.benchmark.inputs} fails at {format_params(params)}: {measured['input_error']}",
                    tests,
                )
            a, b = measured["versions"][BASE], measured["versions"][BASE_COPY]
            if a.failure or b.failure:
                raise BaselineError(
                    f"the benchmark fails on the baseline at {format_params(params)}: {a.failure or b.failure}",
                    tests,
                )
            timing, again = _timing(a), _timing(b)
            base_points.append(PointResult(params, timing))
            aa_points.append(PointResult(params, again, timing, ratios(timing, again, self._metrics())))
        aa = score(aa_points, self.config.benchmark)
        noise = noise_floor(aa, base_points)
        self._say(f"baseline ready: A/A score {aa:.3f}, noise floor {noise:.1%}")
        self._baseline = BaselineResult(tests, tuple(base_points), aa, noise, complexity(base_points), self.repeat)
        return self._baseline

    def evaluate(self, candidates: Sequence[Candidate]) -> list[CandidateResult]:
        """One result per candidate, in the given order. Runs `prepare()` first if it has not run yet."""
        baseline = self.prepare()
        ids = [c.id for c in candidates]
        if len(set(ids)) != len(ids):
            raise EvaluationError(f"candidate ids must be unique, got {ids}")
        started = time.monotonic()
        results: dict[str, CandidateResult] = {}
        live: list[_Live] = []
        for candidate in candidates:
            outcome = self._stage_and_test(candidate)
            if isinstance(outcome, CandidateResult):
                results[candidate.id] = outcome
            else:
                live.append(outcome)
        for i, params in enumerate(self._grid):
            if not live:
                break
            names = ", ".join(entry.candidate.id for entry in live)
            self._say(f"{names}: outputs and timing at {format_params(params)} ({i + 1}/{len(self._grid)})")
            live = self._measure_point(i, params, live, results)
        for entry in live:
            results[entry.candidate.id] = self._judge(entry, baseline, time.monotonic() - started)
        return [results[c.id] for c in candidates]

    def _stage_and_test(self, candidate: Candidate) -> _Live | CandidateResult:
        diff = self.diff(candidate)
        problem = outside_target(list(candidate.files), self.config.target.files)
        if problem:
            return self._rejected(candidate, problem, None, diff)
        self._staged += 1
        name = f"c{self._staged}"
        directory = self._workspace.stage(self.repo, name, dict(candidate.files))
        tests = self._tests(candidate.id, directory)
        if not tests.passed:
            self._workspace.discard(name)
            return self._rejected(candidate, f"tests fail: {tests.failure}", tests, diff)
        return _Live(candidate, name, directory, tests, diff, [])

    def _measure_point(
        self, index: int, params: dict[str, Any], live: list[_Live], results: dict[str, CandidateResult]
    ) -> list[_Live]:
        check = self.config.benchmark.check_outputs
        versions = [(BASE, f"v/{BASE}")] + [(entry.name, entry.directory) for entry in live]
        names = [entry.name for entry in live] if check else []
        spec = self._spec(index, versions, outputs=names, compare=names)
        measured = self._drive(spec, len(versions))
        base_state: VersionState = measured["versions"][BASE]
        base_timing = _timing(base_state)
        where = format_params(params)
        still: list[_Live] = []
        for entry in live:
            state: VersionState = measured["versions"][entry.name]
            if base_state.failure or not base_state.times:
                # Not the candidate's fault, but nothing to compare with: say so rather than stop the whole run.
                state = VersionState(
                    failure=f"the baseline itself failed during this measurement: {base_state.failure}"
                )
            if state.failure or state.mismatch:
                reason = (
                    f"outputs differ at {where}: {state.mismatch}" if state.mismatch else f"at {where}: {state.failure}"
                )
                self._workspace.discard(entry.name)
                results[entry.candidate.id] = self._rejected(
                    entry.candidate, reason, entry.tests, entry.diff, outputs_match=False if state.mismatch else None
                )
                continue
            timing = _timing(state)
            entry.points.append(PointResult(params, timing, base_timing, ratios(base_timing, timing, self._metrics())))
            still.append(entry)
        return still

    def _judge(self, entry: _Live, baseline: BaselineResult, elapsed: float) -> CandidateResult:
        self._workspace.discard(entry.name)
        accepted, reason, value = verdict(entry.points, self.config, baseline.noise)
        self._say(f"{entry.candidate.id}: {'accepted' if accepted else 'rejected'}: {reason}")
        return CandidateResult(
            id=entry.candidate.id,
            origin=entry.candidate.origin,
            status="accepted" if accepted else "rejected",
            reason=reason,
            tests=entry.tests,
            outputs_match=True if self.config.benchmark.check_outputs else None,
            points=tuple(entry.points),
            score=value,
            complexity=complexity(entry.points),
            files=tuple(sorted(entry.candidate.files)),
            diff=entry.diff,
            duration_s=entry.tests.duration_s + elapsed,
        )

    def _rejected(
        self,
        candidate: Candidate,
        reason: str,
        tests: TestsResult | None,
        diff: str,
        outputs_match: bool | None = None,
    ) -> CandidateResult:
        self._say(f"{candidate.id}: rejected: {reason}")
        return CandidateResult(
            id=candidate.id,
            origin=candidate.origin,
            status="rejected",
            reason=reason,
            tests=tests,
            outputs_match=outputs_match,
            points=(),
            score=None,
            complexity={},
            files=tuple(sorted(candidate.files)),
            diff=diff,
        )

    def diff(self, candidate: Candidate) -> str:
        """The candidate against the baseline as a unified diff with a/ and b/ paths."""
        chunks = []
        for rel in sorted(candidate.files):
            old_path = self.repo / rel
            old = old_path.read_text(encoding="utf-8") if old_path.is_file() else ""
            fromfile = f"a/{rel}" if old_path.is_file() else "/dev/null"
            lines = difflib.unified_diff(
                old.splitlines(keepends=True),
                candidate.files[rel].splitlines(keepends=True),
                fromfile=fromfile,
                tofile=f"b/{rel}",
            )
            chunks.append("".join(_terminated(lines)))
        return "".join(chunks)

    def _tests(self, who: str, directory: str) -> TestsResult:
        self._say(f"{who}: running the tests (`{self.config.tests.command}`)")
        return self._workspace.run_tests(self.config.tests.command, directory, self.config.tests.timeout)

    def _spec(
        self,
        index: int,
        versions: list[tuple[str, str]],
        *,
        make_input: bool = False,
        outputs: list[str] | None = None,
        compare: list[str] | None = None,
    ) -> dict[str, Any]:
        bench = self.config.benchmark
        folder = point_dir(index)
        return {
            "entry": bench.entry,
            "inputs": bench.inputs,
            "params": self._grid[index],
            "versions": [{"name": name, "dir": directory} for name, directory in versions],
            "make_input": make_input and bench.check_outputs,
            "input_pickle": f"{folder}/input.pkl",
            "outputs": outputs or [],
            "compare": compare or [],
            "reference": BASE,
            "dumps": {name: f"{folder}/{name}.pkl" for name, _ in versions},
            "rel_tol": bench.rel_tol,
            "abs_tol": bench.abs_tol,
            "repeat": self.repeat,
            "memory": self._metrics().get("memory", 0) > 0,
            "timeout": bench.timeout,
            "max_print": MAX_PRINT,
        }

    def _drive(self, spec: dict[str, Any], versions: int) -> dict[str, Any]:
        runs_per_version = self.repeat + 3  # timing runs + memory, output and comparison
        return self._workspace.drive(spec, timeout=versions * runs_per_version * spec["timeout"] + 60)

    def _metrics(self) -> dict[str, float]:
        return {str(metric): weight for metric, weight in self.config.benchmark.metrics.items()}

    def _say(self, message: str) -> None:
        if self._progress is not None:
            self._progress(f"[{time.monotonic() - self._started:7.1f}s] {message}")


def outside_target(paths: Sequence[str], globs: Sequence[str]) -> str | None:
    """Why one of `paths` may not be changed (outside the repo, or matching none of target.files), or None."""
    for rel in paths:
        path = PurePosixPath(rel)
        if path.is_absolute() or ".." in path.parts:
            return f"{rel!r} is not a path inside the repository"
        if not any(fnmatch.fnmatch(rel, pattern) for pattern in globs):
            return f"changes {rel}, which is not among target.files {list(globs)}"
    return None


def _timing(state: VersionState) -> Timing:
    return Timing(tuple(state.times), state.peak_bytes)


def _terminated(lines: Any) -> Any:
    # difflib leaves a last line without newline unterminated, which would glue two files' hunks together.
    for line in lines:
        yield line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
