"""The one contract for "where candidate code runs".

    SandboxError                  base of the sandbox's exceptions
    └── SandboxUnavailable        the requested backend cannot run here (no engine, no image)

A `Sandbox` owns a workspace directory (`workspace`, a POSIX path as seen by commands inside it).
Files go in and out relative to that workspace; commands run with a timeout and a capped output and
never see perfbot's own environment (no secrets): only `SAFE_ENV` plus what the caller passes.

Two users share an isolated sandbox. Candidate code (tests, benchmark runs, the agent's commands) runs as the
*candidate user*, and nothing of it outlives its command. perfbot's own measuring scripts run as the *trusted
user* (`trusted=True`), and files put there with `trusted=True` belong to it: candidate code can read them but
never change them. A sandbox that is not `isolated` (local) has one user for both and says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

DEFAULT_MAX_OUTPUT = 64 * 1024
"""Bytes of a command's output kept by default; the rest is counted and dropped."""

SAFE_ENV = {
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONUNBUFFERED": "1",
    "PYTHONHASHSEED": "0",
}
"""The environment every sandboxed command starts from (plus PATH and HOME set by the backend)."""


class SandboxError(Exception):
    pass


class SandboxUnavailable(SandboxError):
    pass


@dataclass(frozen=True)
class ExecResult:
    output: str
    """stdout and stderr interleaved, decoded as UTF-8 (invalid bytes replaced), at most `max_output` bytes."""
    returncode: int
    """The command's exit status; meaningless when `timed_out`. A command killed by signal N reads -N when it
    was started directly, 128+N when a shell reported it (string commands, and every docker command)."""
    timed_out: bool = False
    truncated: bool = False
    """True when the command printed more than `max_output` bytes (the excess was dropped)."""
    duration_s: float = 0.0
    oom_killed: bool = False
    """True when the kernel killed a process of the command for exceeding the sandbox's memory limit."""
    throttled_s: float | None = None
    """Time the sandbox's cgroup spent throttled by a CPU quota while the command ran (cgroup cpu.stat); None
    when unknown (always for `local`). A benchmark sandbox has no quota, so anything above 0 makes timings suspect."""

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out and not self.oom_killed

    @property
    def failure(self) -> str | None:
        """Why the command failed, in words for a report or a model; None when it succeeded."""
        if self.timed_out:
            return f"timed out (killed after {self.duration_s:.1f} s)"
        if self.oom_killed:
            return "killed for exceeding the sandbox's memory limit (out of memory)"
        if self.returncode < 0:
            return f"killed by signal {-self.returncode}"
        return None if self.returncode == 0 else f"exited with status {self.returncode}"


@runtime_checkable
class Sandbox(Protocol):
    kind: str
    """'docker' or 'local'."""
    isolated: bool
    """False when nothing but a separate process stands between candidate code and this machine."""
    workspace: str
    """Absolute POSIX path of the workspace as commands inside the sandbox see it."""

    def start(self) -> None: ...

    def execute(
        self,
        command: str | Sequence[str],
        timeout: float,
        *,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
        max_output: int = DEFAULT_MAX_OUTPUT,
        trusted: bool = False,
    ) -> ExecResult:
        """Run `command` (a string goes through `sh -c`) in `cwd` (relative to the workspace, default the
        workspace itself), as the candidate user, or as the trusted user with `trusted` (perfbot's own scripts
        only). Never raises for what the command does: timeouts and crashes are results. When it ends, every
        process of the candidate user is gone."""
        ...

    def put_files(self, files: Mapping[str, bytes], *, trusted: bool = False) -> None:
        """Write files at paths relative to the workspace, creating directories as needed; owned by the trusted
        user and read-only to candidate code with `trusted`."""
        ...

    def put_dir(self, source: Path, dest: str, *, trusted: bool = False) -> None:
        """Copy the host directory `source` (without `.git`) to `dest`, relative to the workspace (owned as in
        `put_files`)."""
        ...

    def get_file(self, path: str) -> bytes:
        """Read a file relative to the workspace; raises FileNotFoundError when there is none."""
        ...

    def close(self) -> None:
        """Release everything (processes, containers, volumes, temp dirs). Safe to call twice."""
        ...

    def __enter__(self) -> Sandbox: ...

    def __exit__(self, *exc: object) -> None: ...
