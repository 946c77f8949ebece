"""Ending a run on SIGINT (Ctrl-C) or SIGTERM (GitLab cancelling or timing out a job) with its report written.

Inside `interruptible()`, either signal raises `RunInterrupted` in the main thread, once: the search stops its agents,
abandons the measurement under way and returns what it measured so far, and the command writes its artifacts with
`error.stage: "interrupted"`. A second signal while that happens is said and ignored, so the report is not cut in
half; SIGKILL (GitLab sends it after the job's grace period) still ends the process at once.

    with interruptible(progress.say) as signals:
        searched = run_search(...)       # a signal here: the search returns early, `searched.interrupted` says why
        signals.defer()                  # a signal from here on is said, and the report is written whole
        write_artifacts(...)
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class RunInterrupted(KeyboardInterrupt):
    """The run was asked to stop by `signal_name` (SIGINT or SIGTERM). A KeyboardInterrupt, so that code which
    already lets Ctrl-C through does the same for SIGTERM."""

    def __init__(self, signal_name: str) -> None:
        super().__init__(signal_name)
        self.signal_name = signal_name

    def __str__(self) -> str:
        return f"the run was interrupted by {self.signal_name}"


def signal_name(error: BaseException) -> str:
    """The signal that interrupted the run: SIGINT for a plain KeyboardInterrupt."""
    return error.signal_name if isinstance(error, RunInterrupted) else "SIGINT"


def exit_code(name: str) -> int:
    """What a process stopped by signal `name` exits with, by shell convention (130 for SIGINT, 143 for SIGTERM)."""
    return 128 + int(signal.Signals[name])


@dataclass
class Signals:
    """What `interruptible` gives: the signals received, and `deferred()` for the part that must finish."""

    say: Callable[[str], None]
    received: list[str] = field(default_factory=list)
    _deferring: bool = False

    def defer(self) -> None:
        """From now on a signal is said and ignored: what is left (writing the artifacts, the branch) finishes."""
        self._deferring = True

    def handle(self, signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if self.received or self._deferring:
            self.received.append(name)
            self.say(f"{name}: finishing the report first (SIGKILL ends perfbot at once)")
            return
        self.received.append(name)
        self.say(f"{name}: stopping the agents and writing the report of what was measured so far")
        raise RunInterrupted(name)


_active: list[Signals] = []
"""The `Signals` of the `interruptible` block the process is in (signal handlers are the process's, one at a time)."""


@contextmanager
def interruptible(say: Callable[[str], None]) -> Iterator[Signals]:
    """Turn the first SIGINT or SIGTERM into `RunInterrupted`; later ones are said and ignored. Outside the main
    thread (where Python cannot install handlers) signals are left as they are."""
    signals = Signals(say)
    if threading.current_thread() is not threading.main_thread():
        yield signals
        return
    previous = {s: signal.signal(s, signals.handle) for s in SIGNALS}
    _active.append(signals)
    try:
        yield signals
    finally:
        _active.remove(signals)
        for s, old in previous.items():
            signal.signal(s, old)


@contextmanager
def deferred() -> Iterator[None]:
    """Inside this block a signal is said and ignored (in the `interruptible` block under way, if any), and the
    block finishes: for code that writes a run's artifacts without being handed that block's `Signals`."""
    if not _active:
        yield
        return
    signals, before = _active[-1], _active[-1]._deferring
    signals._deferring = True
    try:
        yield
    finally:
        signals._deferring = before
