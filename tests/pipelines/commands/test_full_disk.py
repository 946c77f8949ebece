"""`perfbot optimize` on a disk that is too full to start, or fills up while it runs (a fault-injecting writer).

Either way: one message saying what is full and what to do, no traceback, no `.partial` file, a trace of whole lines.
"""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

import pipelines.storage
import pipelines.trace
from pipelines.trace import read_trace
from tests.pipelines.conftest import Run
from tests.pipelines.sessions import DEMO, branches

Optimize = Callable[..., Run]
WHOLE_LINES = 2
"""Trace lines the disk takes before it is full."""
REAL_FSYNC = os.fsync


class FillingDisk:
    """The trace's writes succeed `room` times; the next one is cut halfway and fails, like a disk filling up.
    From then on the disk is `full`, and with `artifacts_too` flushing any other file fails as well."""

    def __init__(self, room: int, artifacts_too: bool) -> None:
        self.room = room
        self.artifacts_too = artifacts_too
        self.full = False

    def write(self, fd: int, data: bytes) -> int:
        if self.room == 0 or self.full:
            self.full = True
            os.write(fd, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        self.room -= 1
        return os.write(fd, data)

    def fsync(self, fd: int) -> None:
        if self.full and self.artifacts_too:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        REAL_FSYNC(fd)


def the_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("perfbot optimize:")]


def test_a_disk_too_full_to_start_is_said_before_anything_is_written(
    example_repo: Callable[[str], Path], optimize_small: Optimize, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = example_repo("closest-pair")
    monkeypatch.setenv("PERFBOT_MIN_FREE_MB", str(10**12))
    run = optimize_small(repo, DEMO)
    assert run.exit_code == 1
    [message] = the_messages(run.stderr)
    assert "MiB free on the disk holding" in message and "--out DIR on another disk" in message
    assert not run.out.exists()
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("artifacts_too", [False, True], ids=["trace-only", "report-too"])
def test_a_disk_filling_up_during_the_run_stops_it_with_one_message_whole_trace_lines_and_no_partial_file(
    example_repo: Callable[[str], Path],
    optimize_small: Optimize,
    monkeypatch: pytest.MonkeyPatch,
    artifacts_too: bool,
) -> None:
    repo = example_repo("closest-pair")
    disk = FillingDisk(WHOLE_LINES, artifacts_too)
    monkeypatch.setattr(pipelines.trace, "_write", disk.write)
    monkeypatch.setattr(pipelines.storage.os, "fsync", disk.fsync)
    run = optimize_small(repo, DEMO)

    assert run.exit_code == 1
    [message] = the_messages(run.stderr)
    assert f"cannot write {run.out / 'trace.jsonl'}: No space left on device" in message
    assert "free some space" in message
    assert "Traceback" not in run.stderr
    assert len(list(read_trace(run.out / "trace.jsonl"))) == WHOLE_LINES  # the cut line was taken back
    assert [p.name for p in run.out.iterdir() if p.name.endswith(".partial")] == []
    assert branches(repo) == []
    report = json.loads((run.out / "report.json").read_text())
    if artifacts_too:
        assert report["status"] == "running"  # the placeholder stays: the run is recognisably unfinished
    else:
        assert report["error"]["stage"] == "run"
        assert "No space left on device" in report["error"]["message"]
