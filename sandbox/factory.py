"""Choosing a backend: Docker by default, local only when asked for. Never a silent fallback."""

from __future__ import annotations

from typing import Literal

from sandbox.base import Sandbox, SandboxError
from sandbox.local import LocalSandbox

SandboxKind = Literal["docker", "local"]
KINDS: tuple[str, ...] = ("docker", "local")


def open_sandbox(
    kind: SandboxKind | None = None, *, label: str = "perfbot", benchmark: bool = False, image: str | None = None
) -> Sandbox:
    """A started sandbox of `kind` (None means docker). Raises `SandboxUnavailable` with the reason and the
    ways out (`perfbot sandbox build`, `--sandbox local`) when Docker cannot be used; it never degrades to
    `local` by itself. `benchmark=True` asks for a sandbox fit for timing (pinned CPUs, no CPU quota). `image` is
    the Docker image to start from (a repository's dependency image); None: the sandbox image."""
    sandbox: Sandbox
    if kind == "local":
        sandbox = LocalSandbox(label=label)
    elif kind in (None, "docker"):
        from sandbox.docker import DockerSandbox

        sandbox = DockerSandbox(label=label, benchmark=benchmark, image=image or None)
    else:
        raise SandboxError(f"unknown sandbox {kind!r}: expected one of {', '.join(KINDS)}")
    sandbox.start()
    return sandbox
