"""Two perfbot runs on one machine do not time each other: the measurement lock, and the wait said in the report."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pipelines.evaluate.harness import Harness, measurement_lock
from tests.conftest import wait_until
from tests.pipelines.conftest import Run
from tests.pipelines.sessions import DEMO

Optimize = Callable[..., Run]
HOLD_S = 1.5
"""How long the other run measures: longer than the second after which a wait is said."""


def hold(key: str, held: threading.Event, release: threading.Event) -> None:
    with measurement_lock(key, lambda _: None):
        held.set()
        release.wait(60)


def test_the_second_holder_waits_for_the_first_and_says_how_long() -> None:
    key = f"test-{time.monotonic_ns()}"
    held, release = threading.Event(), threading.Event()
    first = threading.Thread(target=hold, args=(key, held, release))
    first.start()
    wait_until(held.is_set, 10, "the first holder")
    said: list[str] = []
    waited: list[float] = []
    acquired = threading.Event()

    def second() -> None:
        with measurement_lock(key, said.append) as how_long:
            acquired.set()
            waited.append(how_long())

    started = time.monotonic()
    second_thread = threading.Thread(target=second)
    second_thread.start()
    wait_until(lambda: time.monotonic() - started > HOLD_S, 10, "the other run's measurement")
    assert not acquired.is_set()  # the first still holds it
    release.set()
    second_thread.join(10)
    first.join(10)
    assert acquired.is_set()
    [line] = said
    assert line.startswith("waited ") and "for another perfbot run's measurements on the same CPUs" in line
    assert waited[0] >= HOLD_S


def test_a_run_that_waited_for_another_runs_measurements_says_so_in_its_report_and_trace(
    example_repo: Callable[[str], Path], optimize_small: Optimize, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = example_repo("closest-pair")
    held, release = threading.Event(), threading.Event()
    other = threading.Thread(target=hold, args=("local", held, release))  # the local sandbox's lock key
    other.start()
    wait_until(held.is_set, 10, "the other run's measurement")
    real_run = Harness.run
    timers: list[threading.Timer] = []

    def first_judge_command_starts_the_clock(self: Harness, *args: Any, **kwargs: Any) -> Any:
        if not timers:  # the other run goes on measuring for HOLD_S from the moment this one asks
            timers.append(threading.Timer(HOLD_S, release.set))
            timers[0].start()
        return real_run(self, *args, **kwargs)

    monkeypatch.setattr(Harness, "run", first_judge_command_starts_the_clock)
    try:
        run = optimize_small(repo, DEMO)
    finally:
        release.set()
        other.join(10)
    assert run.exit_code == 0
    assert re.search(r"waited \d+ s for another perfbot run's measurements on the same CPUs \(local\)", run.stderr)
    [note] = [n for n in run.report["extra"]["notes"] if "waited" in n]
    assert re.fullmatch(r"measurements waited \d+ s for another perfbot run's on the same CPUs", note)
    assert note in (run.out / "report.md").read_text()
    [event] = [e for e in run.trace() if e["type"] == "measurement_wait"]
    assert event["waited_s"] >= HOLD_S * 0.9
