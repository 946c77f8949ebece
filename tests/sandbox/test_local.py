"""The local backend: no isolation, but timeouts kill the whole process group, output is capped, env scrubbed."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.base import SandboxError
from sandbox.factory import open_sandbox
from sandbox.local import LocalSandbox
from tests.conftest import wait_until


@pytest.fixture
def local() -> Iterator[LocalSandbox]:
    with LocalSandbox(label="test-local") as sandbox:
        yield sandbox


def test_a_timeout_kills_the_command_and_everything_it_started(local: LocalSandbox) -> None:
    result = local.execute("sleep 300 & echo $! > child.pid; wait", timeout=0.5)
    assert result.timed_out
    assert result.failure is not None and result.failure.startswith("timed out")
    child = int(local.get_file("child.pid"))
    wait_until(lambda: not _alive(child), 10, f"process {child} to be gone")


def test_output_beyond_the_cap_is_dropped_but_the_command_runs_to_its_end(local: LocalSandbox) -> None:
    result = local.execute("head -c 5000000 /dev/zero | tr '\\0' y; exit 3", timeout=60, max_output=1000)
    assert (result.returncode, result.truncated, result.output) == (3, True, "y" * 1000)


def test_perfbots_environment_does_not_reach_the_command(local: LocalSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-fake-secret-1234")
    result = local.execute("env", timeout=30, env={"GIVEN": "explicitly"})
    assert "fake-secret" not in result.output
    assert "GIVEN=explicitly" in result.output


def test_files_round_trip_and_escapes_are_refused(local: LocalSandbox) -> None:
    local.put_files({"a/b.txt": b"data"})
    assert local.get_file("a/b.txt") == b"data"
    with pytest.raises(SandboxError, match="outside the workspace"):
        local.put_files({"../escape.txt": b"x"})


def test_the_local_sandbox_says_it_is_not_isolated_and_cleans_up() -> None:
    sandbox = open_sandbox("local", label="test-local")
    workspace = Path(sandbox.workspace)
    assert (sandbox.kind, sandbox.isolated, workspace.is_dir()) == ("local", False, True)
    sandbox.close()
    sandbox.close()
    assert not workspace.exists()


def test_an_unknown_sandbox_kind_is_refused_by_name() -> None:
    with pytest.raises(SandboxError, match="unknown sandbox 'vm'"):
        open_sandbox("vm")  # type: ignore[arg-type]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rpartition(")")[2].split()[0] != "Z"
