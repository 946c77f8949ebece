"""Pure parts of the Docker backend: the wrapper's counter report, workspace paths, tar archives."""

from __future__ import annotations

import tarfile

import pytest

from sandbox.archive import files_archive, relative, single_file
from sandbox.base import ExecResult, SandboxError
from sandbox.execution import counters


def report(before: dict[str, int], after: dict[str, int]) -> str:
    """The wrapper's stderr report of counters named `file:key`."""
    return "\n".join(
        f"{phase} {name.replace(':', ' ')} {value}"
        for phase, seen in (("before", before), ("after", after))
        for name, value in seen.items()
    )


def test_cgroup_v1_counters_become_deltas_in_seconds() -> None:
    v1 = {"memory.oom_control:oom_kill": 1, "cpu.stat:nr_throttled": 4, "cpu.stat:throttled_time": 1_000_000_000}
    later = {"memory.oom_control:oom_kill": 2, "cpu.stat:nr_throttled": 6, "cpu.stat:throttled_time": 3_500_000_000}
    measured = counters(report(v1, later))
    assert (measured.oom_kills, measured.throttled_periods, measured.throttled_s) == (1, 2, 2.5)


def test_cgroup_v2_counters_are_told_apart_by_file() -> None:
    v2 = {"memory.events:max": 0, "memory.events:oom_kill": 0, "pids.events:max": 1, "cpu.stat:throttled_usec": 10}
    later = {
        "memory.events:max": 9,
        "memory.events:oom_kill": 1,
        "pids.events:max": 4,
        "cpu.stat:throttled_usec": 500_010,
    }
    measured = counters(report(v2, later))
    assert (measured.oom_kills, measured.pids_limit_hits, measured.throttled_s) == (1, 3, 0.5)


def test_missing_counters_are_unknown_not_zero() -> None:
    measured = counters(report({"memory.events:oom_kill": 0}, {}))
    assert (measured.oom_kills, measured.pids_limit_hits, measured.throttled_s) == (None, None, None)


@pytest.mark.parametrize("path", ["../x", "/etc/passwd", "a/../../x", ".."])
def test_paths_leaving_the_workspace_are_refused(path: str) -> None:
    with pytest.raises(SandboxError, match="outside the workspace"):
        relative(path)


def test_workspace_paths_are_normalised() -> None:
    assert (relative("./a//b/"), relative(""), relative("a/../b")) == ("a/b", "", "b")


def test_an_archive_of_files_carries_their_parents_owned_by_the_sandbox_user() -> None:
    with tarfile.open(fileobj=files_archive({"a/b/c.txt": b"hi"}, uid=1000)) as tar:
        members = [(m.name, m.uid, m.isdir()) for m in tar.getmembers()]
    assert members == [("a", 1000, True), ("a/b", 1000, True), ("a/b/c.txt", 1000, False)]


def test_a_single_file_is_read_back_from_a_tar_stream() -> None:
    data = files_archive({"x.txt": b"content"}, uid=1000).getvalue()
    assert single_file([data[:100], data[100:]], "x.txt") == b"content"


def test_a_directory_is_not_read_as_a_file() -> None:
    data = files_archive({"d/x.txt": b"content"}, uid=1000).getvalue()
    with pytest.raises(IsADirectoryError):
        single_file([data], "d")


def test_a_failure_is_described_in_words() -> None:
    assert ExecResult("", 0).failure is None
    assert ExecResult("", 3).failure == "exited with status 3"
    assert ExecResult("", 124, timed_out=True, duration_s=2.04).failure == "timed out (killed after 2.0 s)"
    assert ExecResult("", 137, oom_killed=True).failure.startswith("killed for exceeding")  # type: ignore[union-attr]
