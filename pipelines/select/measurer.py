"""Measuring the candidates of a search: one at a time, each distinct content once, with the agents quiet.

Agents keep working while a candidate is measured, but their tool commands (bash, tests, file edits in their
sandboxes) wait for the measurement to end, and a measurement waits for running tool commands to end: timings are
taken on a machine no busier than when the baseline's noise floor was measured. Model calls go on meanwhile (they
run elsewhere).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pipelines.agent.loop import Measurement
from pipelines.evaluate import Candidate, CandidateResult, Evaluator, format_table
from pipelines.select.selection import select
from pipelines.trace import Trace

Progress = Callable[..., None]


class QuietLock:
    """Many agent tool calls at once (`activity`), or one measurement alone (`quiet`); a waiting measurement goes
    before tool calls that have not started yet, so agents cannot starve it."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._active = 0
        self._measuring = False
        self._waiting = 0

    @contextmanager
    def activity(self) -> Iterator[None]:
        with self._cond:
            self._cond.wait_for(lambda: not self._measuring and not self._waiting)
            self._active += 1
        try:
            yield
        finally:
            with self._cond:
                self._active -= 1
                self._cond.notify_all()

    @contextmanager
    def quiet(self) -> Iterator[None]:
        with self._cond:
            self._waiting += 1
            self._cond.wait_for(lambda: not self._measuring and not self._active)
            self._waiting -= 1
            self._measuring = True
        try:
            yield
        finally:
            with self._cond:
                self._measuring = False
                self._cond.notify_all()


class Measurer:
    """Measures candidates one at a time (measurements must not overlap) and each distinct content once."""

    def __init__(self, evaluator: Evaluator, trace: Trace, progress: Progress) -> None:
        self.evaluator = evaluator
        self.baseline = evaluator.prepare()
        self.trace = trace
        self.progress = progress
        self.results: list[CandidateResult] = []
        self._by_content: dict[str, Measurement] = {}
        self._lock = threading.Lock()
        self.quiet = QuietLock()

    def __call__(self, candidate: Candidate) -> Measurement:
        key = content_key(candidate.files)
        with self._lock:
            if key not in self._by_content:
                with self.quiet.quiet():
                    result = self.evaluator.evaluate([candidate])[0]
                table = format_table(result, self.baseline)
                self._by_content[key] = Measurement(candidate, result, table, result.accepted, result.score)
                self.results.append(result)
                self.trace.write(
                    "evaluation",
                    agent=candidate.id.split("-")[0],
                    candidate=candidate.id,
                    origin=candidate.origin,
                    status=result.status,
                    score=result.score,
                    reason=result.reason,
                    table=table,
                )
                self.progress(
                    "evaluated",
                    candidate=candidate.id,
                    status=result.status,
                    score=result.score,
                    best=self.best_score(),
                )
            return self._by_content[key]

    def best(self) -> Measurement | None:
        """The measurement of the selected candidate so far (None while nothing is accepted)."""
        chosen = select(self.results, self.baseline.noise)
        return next((m for m in self._by_content.values() if m.result is chosen), None) if chosen else None

    def measured(self) -> list[Measurement]:
        return list(self._by_content.values())

    def best_score(self) -> float | None:
        best = select(self.results, self.baseline.noise)
        return best.score if best else None


def content_key(files: Any) -> str:
    return hashlib.sha256(json.dumps(sorted(dict(files).items())).encode()).hexdigest()
