"""`EditSession`: the agent's entry point to the edit tools.

One session per agent. It builds the enabled tools over a shared `EditContext`, hands out their Anthropic
tool definitions, and runs calls: model mistakes (bad arguments, refused edits) come back as
`ToolResult(ok=False)` with a message for the model; only infrastructure failures (the sandbox is gone) raise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import structlog

from pipelines.edit.base import EditContext, EditTool, ToolResult
from pipelines.edit.bash import Bash
from pipelines.edit.errors import ToolRefused
from pipelines.edit.replace import Replace
from pipelines.edit.resolve import Mode
from pipelines.edit.rewrite_symbol import RewriteSymbol
from pipelines.edit.view_file import ViewFile
from pipelines.edit.workspace import Workspace
from pipelines.edit.write_file import WriteFile
from sandbox.base import SandboxError

log = structlog.get_logger(__name__)

TOOLS: dict[str, Callable[[EditContext], EditTool]] = {
    "view_file": ViewFile,
    "replace": Replace,
    "write_file": WriteFile,
    "rewrite_symbol": RewriteSymbol,
    "bash": Bash,
}
"""The edit tools by name, in the order their specs are listed."""


class EditSession:
    """The edit tools of one agent over one workspace."""

    def __init__(
        self, workspace: Workspace, tools: Sequence[str], *, bash_timeout: float = 120.0, elisions: Mode = "resolve"
    ) -> None:
        """`tools` may name other tools (evaluate, finish); those are the agent's business and are ignored.
        `elisions` is `agent.elisions`: "resolve" puts back code a placeholder clearly stands for, "refuse" refuses."""
        enabled = frozenset(t for t in tools if t in TOOLS)
        self.context = EditContext(workspace, enabled, bash_timeout=bash_timeout, elisions=elisions)
        self._tools = {name: make(self.context) for name, make in TOOLS.items() if name in self.context.tools}

    def specs(self) -> list[dict[str, Any]]:
        """Anthropic tool definitions ({name, description, input_schema}) of the enabled edit tools."""
        return [tool.spec() for tool in self._tools.values()]

    def begin_turn(self) -> None:
        """Start a new assistant turn: later calls no longer count as overlapping the previous turn's edits."""
        self.context.ledger.reset()

    def call(self, name: str, args: Mapping[str, object]) -> ToolResult:
        """Run one tool call. Never raises for the model's mistakes; a refusal names the edits of this turn that
        did apply, so the model does not resend them."""
        tool = self._tools.get(name)
        if tool is None:
            return ToolResult(f"Unknown tool {name!r}; the edit tools here are: {', '.join(self._tools)}.", ok=False)
        try:
            return tool.run(args)
        except ToolRefused as refusal:
            applied = self.context.ledger.summary()
            text = f"{refusal.message}\n{applied}" if applied else refusal.message
            return ToolResult(text, ok=False, locations=refusal.locations)
        except SandboxError:
            raise
        except Exception as e:
            # A model can send input no one foresaw (e.g. syntax libcst cannot parse); that must not end the run.
            log.exception("edit.tool_crashed", tool=name)
            return ToolResult(f"{name} failed unexpectedly ({type(e).__name__}: {e}). Try another tool.", ok=False)
