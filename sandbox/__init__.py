"""Where candidate code runs: the `Sandbox` protocol and its backends (`docker`, the default, and `local`)."""

from sandbox.base import DEFAULT_MAX_OUTPUT, ExecResult, Sandbox, SandboxError, SandboxUnavailable

__all__ = ["DEFAULT_MAX_OUTPUT", "ExecResult", "Sandbox", "SandboxError", "SandboxUnavailable"]
