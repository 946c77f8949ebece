"""Measurements run with the agents' tool commands paused, and never starve."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager

from pipelines.select.measurer import QuietLock

DEADLINE_S = 10.0


def until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not condition():
        assert time.monotonic() < deadline, "condition not reached before the deadline"
        threading.Event().wait(0.001)


def hold(
    enter: Callable[[], AbstractContextManager[None]], entered: threading.Event, release: threading.Event
) -> threading.Thread:
    def body() -> None:
        with enter():
            entered.set()
            release.wait(DEADLINE_S)

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    return thread


def test_a_measurement_waits_for_running_tool_calls_and_later_tool_calls_wait_for_it() -> None:
    lock = QuietLock()
    tool_running, tool_done = threading.Event(), threading.Event()
    measuring, measured = threading.Event(), threading.Event()
    later_tool, later_done = threading.Event(), threading.Event()
    hold(lock.activity, tool_running, tool_done)
    assert tool_running.wait(DEADLINE_S)
    hold(lock.quiet, measuring, measured)
    until(lambda: lock._waiting == 1)
    hold(lock.activity, later_tool, later_done)
    assert not measuring.is_set()
    tool_done.set()
    assert measuring.wait(DEADLINE_S)
    assert not later_tool.is_set()  # a waiting measurement goes first, and the tool waits while it runs
    measured.set()
    assert later_tool.wait(DEADLINE_S)
    later_done.set()


def test_tool_calls_run_side_by_side_when_nothing_is_measured() -> None:
    lock = QuietLock()
    first, second, release = threading.Event(), threading.Event(), threading.Event()
    hold(lock.activity, first, release)
    hold(lock.activity, second, release)
    assert first.wait(DEADLINE_S) and second.wait(DEADLINE_S)
    release.set()
