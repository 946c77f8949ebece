"""SIGINT and SIGTERM inside `interruptible`: the first stops the run, later ones are said and ignored."""

from __future__ import annotations

import os
import signal

import pytest

from pipelines.interrupt import RunInterrupted, deferred, exit_code, interruptible


def test_the_first_signal_interrupts_and_a_second_is_said_and_ignored_while_the_report_is_written() -> None:
    said: list[str] = []
    with interruptible(said.append) as signals:
        with pytest.raises(RunInterrupted) as raised:
            os.kill(os.getpid(), signal.SIGTERM)
        assert raised.value.signal_name == "SIGTERM" and str(raised.value) == "the run was interrupted by SIGTERM"
        os.kill(os.getpid(), signal.SIGINT)  # raises nothing: the report is being written
    assert signals.received == ["SIGTERM", "SIGINT"]
    assert said[0].startswith("SIGTERM: stopping the agents")
    assert said[1].startswith("SIGINT: finishing the report first")
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handlers are put back
    assert (exit_code("SIGINT"), exit_code("SIGTERM")) == (130, 143)


def test_a_signal_in_a_deferred_block_is_said_and_the_block_finishes() -> None:
    said: list[str] = []
    with interruptible(said.append) as signals, deferred():
        os.kill(os.getpid(), signal.SIGTERM)
        finished = True
    assert finished and signals.received == ["SIGTERM"]
    assert said == ["SIGTERM: finishing the report first (SIGKILL ends perfbot at once)"]
