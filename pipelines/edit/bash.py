"""`bash`: run a shell command in the sandbox, then show what it changed and undo what it may not change.

Before the command the workspace is checkpointed; afterwards the two snapshots are compared. Changes to
editable files stay and are shown as a diff (with a warning when Python no longer parses). Changes to any
other file — tests, config, other modules, new files — are reverted and listed, so `sed -i` on a test or a
stray output file cannot leak into a candidate. Scratch files belong outside the repo (e.g. /tmp).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

import structlog

from pipelines.edit.base import Tool, ToolResult, arguments
from pipelines.edit.errors import Location, ToolRefused
from pipelines.edit.text import Document, split_lines, syntax_error

log = structlog.get_logger(__name__)

MAX_OUTPUT_CHARS = 8000
MAX_DIFF_LINES_PER_FILE = 60


class Bash(Tool):
    name = "bash"
    schema = arguments(["command"], command=("string", "A shell command, run with sh -c in the repo root."))

    def spec(self) -> dict[str, Any]:
        workspace = self._context.workspace
        where = "inside the sandbox (no network)" if workspace.sandbox.isolated else "on this machine (no isolation)"
        description = (
            f"Run a shell command (sh -c) in the repo root, {where}; {self._context.bash_timeout:g} s limit; no state "
            "is kept between calls. Afterwards you see a diff of the files it changed. Only files matching "
            f"{', '.join(workspace.target_globs)} may change: changes to any other file in the repo (tests "
            "included) are reverted and new files there removed. Put scratch files in /tmp."
        )
        return {"name": self.name, "description": description, "input_schema": self.schema}

    def apply(self, checked: dict[str, Any]) -> ToolResult:
        command = checked["command"]
        if not command.strip():
            raise ToolRefused("command is empty.")
        workspace = self._context.workspace
        before = workspace.checkpoint()
        result = workspace.run(command, timeout=self._context.bash_timeout)
        after = workspace.snapshot()
        changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
        kept = [p for p in changed if workspace.is_target(p)]
        reverted = [p for p in changed if not workspace.is_target(p)]
        workspace.restore(reverted)
        sections = [
            _describe_run(result.returncode, result.timed_out, result.duration_s, self._context.bash_timeout),
            _clip(result.output) if result.output.strip() else "(no output)",
        ]
        if kept:
            sections.append(self._diffs(kept, before, after))
        if reverted:
            sections.append(self._revert_notice(reverted, before, after))
            sections += self._unrestored(reverted, before)
        locations = [Location(p, 1, max(1, len(split_lines(self._read(p)[0])))) for p in kept if p in after]
        return ToolResult("\n".join(sections), ok=result.ok, changed=kept, locations=locations)

    def _diffs(self, paths: list[str], before: Mapping[str, str], after: Mapping[str, str]) -> str:
        parts = ["Changed files (kept):"]
        for path in paths:
            old_text = self._read(path, checkpoint=True)[0] if path in before else ""
            new_text, binary = self._read(path) if path in after else ("", False)
            if binary:
                parts.append(f"{path}: binary content changed")
                continue
            diff = list(
                difflib.unified_diff(
                    split_lines(old_text), split_lines(new_text), f"a/{path}", f"b/{path}", n=2, lineterm=""
                )
            )
            if len(diff) > MAX_DIFF_LINES_PER_FILE:
                diff = [*diff[:MAX_DIFF_LINES_PER_FILE], f"... ({len(diff) - MAX_DIFF_LINES_PER_FILE} more diff lines)"]
            parts.append("\n".join(diff) if diff else f"{path}: only line endings or bytes changed")
            if path in after:
                error = syntax_error(path, new_text)
                if error is not None and (path not in before or syntax_error(path, old_text) is None):
                    parts.append(f"WARNING: {path} no longer parses as Python; fix it before evaluating. {error}")
            self._context.ledger.turn_start.setdefault(path, old_text)
            self._context.ledger.record_change(self.name, path, old_text, new_text)
        return "\n".join(parts)

    def _revert_notice(self, paths: list[str], before: Mapping[str, str], after: Mapping[str, str]) -> str:
        def what(path: str) -> str:
            if path not in before:
                return f"{path} (new file, removed)"
            if path not in after:
                return f"{path} (deleted, restored)"
            return f"{path} (modified, restored)"

        globs = ", ".join(self._context.workspace.target_globs)
        return (
            f"Reverted changes outside the editable files ({globs}): {', '.join(what(p) for p in paths)}. "
            "Those files are read-only for you; write scratch files to /tmp."
        )

    def _unrestored(self, paths: list[str], before: Mapping[str, str]) -> list[str]:
        """A warning when a revert did not bring files back (the command also changed the checkpoint)."""
        now = self._context.workspace.snapshot()
        stuck = [p for p in paths if now.get(p) != before.get(p)]
        if not stuck:
            return []
        log.warning("edit.revert_failed", paths=stuck)
        return [
            f"WARNING: could not restore {', '.join(stuck)}: the command also changed perfbot's checkpoint. "
            "They differ from before the command; only the editable files are ever evaluated."
        ]

    def _read(self, path: str, checkpoint: bool = False) -> tuple[str, bool]:
        """The text of `path` now (or at the checkpoint) in the tools' newline convention; (\"\", True) if binary."""
        workspace = self._context.workspace
        try:
            raw = workspace.read_checkpoint(path) if checkpoint else workspace.read_text(path)
        except UnicodeDecodeError:
            return "", True
        except FileNotFoundError:
            return "", False
        return Document.parse(raw).text, False


def _describe_run(returncode: int, timed_out: bool, duration: float, limit: float) -> str:
    if timed_out:
        return f"Timed out after {limit:g} s; the command was killed. Output so far:"
    return f"Exit code {returncode} ({duration:.1f} s). Output:"


def _clip(output: str) -> str:
    if len(output) <= MAX_OUTPUT_CHARS:
        return output.rstrip("\n")
    half = MAX_OUTPUT_CHARS // 2
    return f"{output[:half]}\n... ({len(output) - 2 * half} characters not shown) ...\n{output[-half:]}".rstrip("\n")
