"""`Evaluator`: is a candidate correct, and how much faster is it than the baseline? (DESIGN §3.3)

`prepare()` runs the tests on the baseline (keeping pytest's per-test record), calibrates how many calls make one
timed value per grid point, and measures the baseline against itself (the A/A noise floor). `evaluate(candidates)`
refuses a candidate that changes nothing or files outside `target.files`, runs its tests and compares them with
the baseline's test by test, compares its outputs on inputs the grid never shows, then measures it in paired
rounds against the baseline until the verdict is clear (or the cap says it cannot be). A candidate that fails
anywhere is rejected with the reason, and the run goes on with the others. Everything candidate code does runs
in the judge (inside/), across a trust boundary; see docs/evaluation.md for the threat model.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.config import Config
from pipelines.errors import BaselineError, EvaluationError
from pipelines.evaluate import scan
from pipelines.evaluate.harness import MAX_PRINT, Harness
from pipelines.evaluate.results import BaselineResult, Candidate, CandidateResult, Method, TestsResult
from pipelines.evaluate.score import (
    Rounds,
    Transports,
    check_reason,
    complexity,
    import_warning,
    measure_reason,
    noise_floor,
    outside_target,
    unified_diff,
    verdict,
)
from pipelines.evaluate.stats import MIN_ROUNDS, score_estimate
from pipelines.evaluate.testrun import TestsRun, against, run_tests
from pipelines.layout import import_paths
from sandbox.base import Sandbox

BASE = "base"
BASE_COPY = "base-aa"
ROUND_STEP = 4
"""Rounds added at a time while a verdict is open."""
TARGET_VALUE_S = 0.02
"""How long one timed value should last at least (calls are batched to reach it)."""
VARIANTS = ["empty", "one element", "equal items", "duplicates", "sorted", "reversed"]
PREFIXES = ["prefix of 2", "prefix of 3", "prefix of 10"]


@dataclass
class _Live:
    """A candidate still in the race: its tests passed and nothing has failed so far."""

    candidate: Candidate
    name: str
    tests: TestsResult
    diff: str
    warnings: tuple[str, ...]
    checked: dict[str, Any] | None = None
    loops: list[int] | None = None
    """Its calls per timed value at each grid point, once the judge has calibrated them."""


class Evaluator:
    def __init__(
        self,
        repo: Path,
        config: Config,
        sandbox: Sandbox,
        *,
        progress: Callable[[str], None] | None = None,
        repeat: int | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        """`stop`: set when the run is interrupted; the measurement under way is then abandoned at its next judge
        command (raising EvaluationError)."""
        self.repo = Path(repo)
        self.config = config
        self.sandbox = sandbox
        self.repeat = max(repeat or config.benchmark.repeat, MIN_ROUNDS)
        self._progress = progress
        self._harness = Harness(sandbox, self._say, stop)
        self._grid = config.benchmark.grid()
        self._baseline: BaselineResult | None = None
        self._base_tests: TestsRun | None = None
        self._points: list[dict[str, Any]] = []
        self._transport: Transports = {}
        self._idle_bytes: int | None = None
        self._staged = 0
        self._rounds_done = 0
        self._started = time.monotonic()

    @property
    def waited_s(self) -> float:
        """How long this evaluator's measurements waited for another perfbot run's (the measurement lock)."""
        return self._harness.waited_s

    def prepare(self) -> BaselineResult:
        """Test the baseline and measure it against itself. Raises EvaluationError when the baseline fails its
        tests or the benchmark cannot run on it. Idempotent: later calls return the first result."""
        if self._baseline is not None:
            return self._baseline
        self._say(f"copying the baseline into the {self.sandbox.kind} sandbox")
        self._harness.install()
        self._harness.stage(self.repo, BASE)
        self._say(f"baseline: running the tests (`{self.config.tests.command}`)")
        self._base_tests = tests = run_tests(
            self._harness, BASE, self.config.tests, import_paths(self.repo, self.config)
        )
        if not tests.result.passed:
            raise BaselineError(
                f"the baseline fails its own tests (`{tests.result.command}` in {self.repo}): {tests.result.failure}; "
                "there is no behaviour to preserve until they pass",
                tests.result,
            )
        self._say("baseline: calibrating the calls per timed value")
        calibration = self._judge("calibrate", [BASE], {"target_s": TARGET_VALUE_S, "points": self._grid})
        loops = [point["loops"] for point in calibration["points"]]
        self._points = [{"params": p, "loops": n} for p, n in zip(self._grid, loops, strict=True)]
        self._say(f"baseline: A/A timing, {self.repeat} paired rounds over {len(self._grid)} grid point(s)")
        rounds = self._rounds()
        base_loops = {BASE_COPY: loops}
        rounds.add(self._judge("measure", [BASE, BASE_COPY], self._measure_spec(self.repeat), base_loops))
        self._transport, self._idle_bytes = rounds.transports(), rounds.idle_bytes
        aa_points = [rounds.point(BASE_COPY, i, BASE) for i in range(len(self._points))]
        aa = score_estimate(aa_points, self.config.benchmark)
        noise = noise_floor(aa)
        base_points = rounds.own_points(BASE)
        self._say(f"baseline ready: A/A score {aa.value:.3f} ({aa.low:.3f}–{aa.high:.3f}), noise floor {noise:.1%}")
        self._baseline = BaselineResult(
            tests.result,
            tuple(base_points),
            aa.value,
            noise,
            complexity(base_points),
            self.repeat,
            self._method(rounds, tests),
            (aa.low, aa.high),
        )
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
            outcome = self._admit(candidate)
            if isinstance(outcome, CandidateResult):
                results[candidate.id] = outcome
            else:
                live.append(outcome)
        live = self._check_outputs(live, results)
        self._measure(live, results, baseline, started)
        for entry in live:
            self._harness.discard(entry.name)
        return [results[c.id] for c in candidates]

    def _admit(self, candidate: Candidate) -> _Live | CandidateResult:
        diff = self.diff(candidate)
        problem = outside_target(list(candidate.files), self.config.target)
        if problem:
            return self._rejected(candidate, problem, None, diff)
        original = {rel: self._original(rel) for rel in candidate.files}
        if scan.unchanged(original, dict(candidate.files)):
            reason = "no change: the code is the baseline's (the same syntax tree, ignoring comments and docstrings)"
            return self._rejected(candidate, reason, None, diff)
        warnings = tuple(scan.new_uses(original, dict(candidate.files)))
        self._staged += 1
        name = f"c{self._staged}"
        self._harness.stage(self.repo, name, dict(candidate.files))
        self._say(f"{candidate.id}: running the tests (`{self.config.tests.command}`)")
        tests = run_tests(self._harness, name, self.config.tests, import_paths(self.repo, self.config))
        assert self._base_tests is not None
        why = against(self._base_tests, tests)
        if why:
            self._harness.discard(name)
            return self._rejected(candidate, why, tests.result, diff, warnings=warnings)
        return _Live(candidate, name, tests.result, diff, warnings)

    def _check_outputs(self, live: list[_Live], results: dict[str, CandidateResult]) -> list[_Live]:
        check = self.config.benchmark.check
        if not live or not self.config.benchmark.check_outputs or not (check.variants or check.seeds):
            return live
        self._say(f"{', '.join(e.candidate.id for e in live)}: outputs on inputs off the grid")
        smallest, largest = self._points[0]["params"], self._points[-1]["params"]
        points = []
        if check.variants:
            points = [{"params": smallest, "kinds": VARIANTS + PREFIXES}]
            if largest != smallest:
                points.append({"params": largest, "kinds": ["duplicates"]})
        seeds = {"params": smallest, "count": check.seeds}
        extra = {"candidates": [e.name for e in live], "points": points, "seeds": seeds}
        raw = self._judge("check", [BASE, *(e.name for e in live)], extra)
        still = []
        for entry in live:
            entry.checked = {"inputs": raw["inputs"], "skipped": raw["skipped"]}
            failed = raw["failures"].get(entry.name)
            if failed is None:
                still.append(entry)
                continue
            self._harness.discard(entry.name)
            results[entry.candidate.id] = self._rejected(
                entry.candidate, check_reason(failed), entry.tests, entry.diff, False, entry.warnings, entry.checked
            )
        return still

    def _measure(
        self, live: list[_Live], results: dict[str, CandidateResult], baseline: BaselineResult, started: float
    ) -> None:
        """Paired rounds of the baseline, a copy of it and the candidates still open, until each is decided. The
        copy is calibrated and timed as a candidate is: the A/A beside the candidates, in the same rounds, whose
        noise floor the verdicts allow for when it is above the one measured before (the machine's noise comes
        and goes)."""
        if not live:
            return
        rounds, batch, total = self._rounds(), self.repeat, 0
        cap = max(self.config.benchmark.max_repeat, self.repeat)
        open_, aa_loops = list(live), None
        while open_:
            names = ", ".join(e.candidate.id for e in open_)
            self._say(f"{names}: {batch} paired round(s) against the baseline and its copy ({total} so far)")
            known = {e.name: e.loops for e in open_ if e.loops}
            if aa_loops:
                known[BASE_COPY] = aa_loops
            versions = [BASE, BASE_COPY, *(e.name for e in open_)]
            raw = self._judge("measure", versions, self._measure_spec(batch), known)
            rounds.add(raw)
            self._transport = rounds.transports()
            for entry in open_:
                entry.loops = entry.loops or raw.get("loops", {}).get(entry.name)
            aa_loops = aa_loops or raw.get("loops", {}).get(BASE_COPY)
            total += batch
            copy_failed = raw["failures"].get(BASE_COPY)
            noise = None if copy_failed else self._noise_beside(rounds, baseline)
            still = []
            for entry in open_:
                failed = raw["failures"].get(entry.name)
                if failed or noise is None:
                    reason = measure_reason(failed, self._points) if failed else self._copy_failed(copy_failed)
                    outputs = False if failed and "mismatch" in failed else None
                    results[entry.candidate.id] = self._rejected(
                        entry.candidate, reason, entry.tests, entry.diff, outputs, entry.warnings, entry.checked
                    )
                    continue
                judged = self._judge_entry(entry, rounds, noise, total >= cap, time.monotonic() - started)
                if judged is None:
                    still.append(entry)
                else:
                    results[entry.candidate.id] = judged
            open_, batch = still, min(ROUND_STEP, cap - total)

    def _noise_beside(self, rounds: Rounds, baseline: BaselineResult) -> float:
        """The larger of the noise floor measured before the candidates and the one of the A/A beside them."""
        aa = score_estimate([rounds.point(BASE_COPY, i, BASE) for i in range(len(self._points))], self.config.benchmark)
        beside = noise_floor(aa)
        if beside > baseline.noise:
            self._say(
                f"A/A beside the candidates: score {aa.value:.3f}, noise floor {beside:.1%} "
                f"(before them: {baseline.noise:.1%})"
            )
        return max(baseline.noise, beside)

    def _copy_failed(self, failed: dict[str, Any]) -> str:
        where = measure_reason(failed, self._points)
        return (
            f"the baseline's own copy, measured beside it for the noise floor, failed ({where}): nothing measured in "
            "these rounds can be told apart from noise"
        )

    def _judge_entry(
        self, entry: _Live, rounds: Rounds, noise: float, final: bool, elapsed: float
    ) -> CandidateResult | None:
        points = [rounds.point(entry.name, i, BASE) for i in range(len(self._points))]
        decided = verdict(points, self.config, noise, final=final)
        if decided.accepted is None:
            return None
        slow_import = import_warning(points)
        if slow_import and slow_import not in entry.warnings:
            entry.warnings = (*entry.warnings, slow_import)
        uses = f"it newly uses {'; '.join(entry.warnings)}"
        reason = decided.reason if decided.accepted or not entry.warnings else f"{decided.reason}; {uses}"
        self._say(f"{entry.candidate.id}: {'accepted' if decided.accepted else 'rejected'}: {reason}")
        estimate = decided.estimate
        return CandidateResult(
            id=entry.candidate.id,
            origin=entry.candidate.origin,
            status="accepted" if decided.accepted else "rejected",
            reason=reason,
            tests=entry.tests,
            outputs_match=True if self.config.benchmark.check_outputs else None,
            points=tuple(points),
            score=estimate.value,
            complexity=complexity(points),
            files=tuple(sorted(entry.candidate.files)),
            diff=entry.diff,
            duration_s=entry.tests.duration_s + elapsed,
            interval=(estimate.low, estimate.high),
            rounds=estimate.rounds,
            warnings=entry.warnings,
            checked=entry.checked,
            noise=noise,
        )

    def _rejected(
        self,
        candidate: Candidate,
        reason: str,
        tests: TestsResult | None,
        diff: str,
        outputs_match: bool | None = None,
        warnings: tuple[str, ...] = (),
        checked: dict[str, Any] | None = None,
    ) -> CandidateResult:
        if warnings:
            reason = f"{reason}; it newly uses {'; '.join(warnings)}"
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
            warnings=warnings,
            checked=checked,
        )

    def diff(self, candidate: Candidate) -> str:
        """The candidate against the baseline as a unified diff with a/ and b/ paths."""
        return unified_diff(self.repo, candidate)

    def _original(self, rel: str) -> str:
        path = self.repo / rel
        return path.read_text(encoding="utf-8") if path.is_file() else ""

    def _rounds(self) -> Rounds:
        metrics = {str(m): w for m, w in self.config.benchmark.metrics.items()}
        return Rounds(
            self._points, self.config.benchmark.measure, metrics, transport=self._transport, idle_bytes=self._idle_bytes
        )

    def _measure_spec(self, count: int) -> dict[str, Any]:
        """`count` rounds. The transport is timed for every number of calls per value it has not been timed for
        yet (the baseline's in its A/A, a candidate's in its first rounds), as is, once, an idle interpreter's
        memory."""
        spec = {
            "rounds": count,
            "first_round": self._rounds_done,
            "points": self._points,
            "target_s": TARGET_VALUE_S,
            "transports_known": [[n for i, n in self._transport if i == index] for index in range(len(self._points))],
            "idle": self._idle_bytes is None,
        }
        self._rounds_done += count
        return spec

    def _judge(
        self, command: str, names: list[str], extra: dict[str, Any], loops: dict[str, list[int]] | None = None
    ) -> dict[str, Any]:
        """Run a judge command over the versions `names` (with their calls per timed value where known)."""
        bench = self.config.benchmark
        known = loops or {}
        versions: list[dict[str, Any]] = [
            {"name": n, "dir": self._harness.directory(BASE if n == BASE_COPY else n)} for n in names
        ]
        for version in versions:
            if known.get(version["name"]):
                version["loops"] = known[version["name"]]
        spec = {
            "versions": versions,
            "reference": BASE,
            "entry": bench.entry,
            "inputs": bench.inputs,
            "pythonpath": import_paths(self.repo, self.config),
            "timeout": bench.timeout,
            "max_print": MAX_PRINT,
            "rel_tol": bench.rel_tol,
            "abs_tol": bench.abs_tol,
            "compare": bench.check_outputs,
            "warmup": bench.warmup,
            "measure": bench.measure,
            "scratch": [],
            **extra,
        }
        processes = len(names) + 3
        per_point = processes * max(spec.get("rounds", 1), 1) * (bench.timeout + 5)
        answer = self._harness.run(command, spec, timeout=per_point * max(len(self._grid), 1) + 300)
        if "error" in answer:
            raise BaselineError(answer["error"], self._base_result())
        return answer

    def _base_result(self) -> TestsResult:
        assert self._base_tests is not None
        return self._base_tests.result

    def _method(self, rounds: Rounds, tests: TestsRun) -> Method:
        bench = self.config.benchmark
        return Method(
            measure=bench.measure,
            warmup=bench.warmup,
            loops=tuple(p["loops"] for p in self._points),
            rounds=self.repeat,
            seeded=rounds.seeded,
            tests_checked=tests.result.checked or "exit status",
            isolated=self.sandbox.isolated,
            idle_bytes=rounds.idle_bytes,
        )

    def _say(self, message: str) -> None:
        if self._progress is not None:
            self._progress(f"[{time.monotonic() - self._started:7.1f}s] {message}")
