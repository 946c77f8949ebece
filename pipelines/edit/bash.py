"""`bash`: run a shell command in the sandbox, then show what it changed and undo what it may not change.

Before the command the workspace is checkpointed; afterwards the two snapshots are compared. Changes to
editable files stay and are shown as a diff (with a warning when Python no longer parses). Changes to any
other file — tests, config, other modules, new files — are reverted and listed, so `sed -i` on a test or a
stray output file cannot leak into a candidate. Scratch files belong outside the repo (e.g. /tmp).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import structlog

from pipelines.edit.base import Tool, ToolResult, arguments
from pipelines.edit.errors import Location, ToolRefused
from pipelines.edit.resolve import settle
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
        warnings, resolved, undone = self._settle_elisions([p for p in kept if p in before and p in after])
        kept = [p for p in kept if p not in undone]
        sections = [
            _describe_run(result.returncode, result.timed_out, result.duration_s, self._context.bash_timeout),
            _clip(result.output) if result.output.strip() else "(no output)",
        ]
        if kept:
            sections.append(self._diffs(kept, before, after))
        sections += warnings
        if reverted:
            sections.append(self._revert_notice(reverted, before, after))
            sections += self._unrestored(reverted, before)
        locations = [Location(p, 1, max(1, len(split_lines(self._document(p).text)))) for p in kept if p in after]
        return ToolResult(
            "\n".join(sections),
            ok=result.ok,
            changed=kept,
            locations=locations,
            resolved=resolved,
            reverted=reverted + undone,
        )

    def _settle_elisions(self, paths: list[str]) -> tuple[list[str], list[Location], list[str]]:
        """Elided code in editable files the command changed: put back (resolve), or the change undone. Returns
        the warnings, where code was put back, and the files whose change was undone."""
        context, warnings, resolved, undone = self._context, [], [], []
        for path in paths:
            old, new = self._document(path, checkpoint=True), self._document(path)
            if old.binary or new.binary:
                continue
            heading = f"WARNING: the command left {path} without code it had, so its change to {path} was undone:"
            try:
                settled = settle(path, old.text, new.text, context.elisions, heading, mark=lambda n: f"its line {n}")
            except ToolRefused as refusal:
                context.workspace.restore([path])
                warnings.append(refusal.message)
                undone.append(path)
                continue
            if settled.notes:
                context.workspace.write_text(path, new.dump(settled.text))
                warnings.append(f"WARNING: the command left placeholders in {path}. {settled.report()}")
                resolved += settled.spliced
        return warnings, resolved, undone

    def _diffs(self, paths: list[str], before: Mapping[str, str], after: Mapping[str, str]) -> str:
        parts = ["Changed files (kept):"]
        for path in paths:
            old = self._document(path, checkpoint=True) if path in before else _Text("", crlf=False)
            new = self._document(path) if path in after else _Text("", crlf=False)
            if old.binary or new.binary:
                parts.append(f"{path}: binary content changed")
                continue
            diff = list(
                difflib.unified_diff(
                    split_lines(old.text), split_lines(new.text), f"a/{path}", f"b/{path}", n=2, lineterm=""
                )
            )
            if len(diff) > MAX_DIFF_LINES_PER_FILE:
                diff = [*diff[:MAX_DIFF_LINES_PER_FILE], f"... ({len(diff) - MAX_DIFF_LINES_PER_FILE} more diff lines)"]
            parts.append("\n".join(diff) if diff else f"{path}: only line endings or bytes changed")
            if path in before and path in after and _endings(old) != _endings(new):
                parts.append(
                    f"NOTE: the command changed the line endings of {path} from {_endings(old)} to {_endings(new)} "
                    "on every line; the diff above does not show that."
                )
            if path in after:
                error = syntax_error(path, new.text)
                if error is not None and (path not in before or syntax_error(path, old.text) is None):
                    parts.append(f"WARNING: {path} no longer parses as Python; fix it before evaluating. {error}")
            self._context.ledger.turn_start.setdefault(path, old.text)
            self._context.ledger.record_change(self.name, path, old.text, new.text)
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

    def _document(self, path: str, checkpoint: bool = False) -> _Text:
        """`path` now (or at the checkpoint) in the tools' newline convention; empty if missing."""
        workspace = self._context.workspace
        try:
            raw = workspace.read_checkpoint(path) if checkpoint else workspace.read_text(path)
        except UnicodeDecodeError:
            return _Text("", crlf=False, binary=True)
        except FileNotFoundError:
            return _Text("", crlf=False)
        document = Document.parse(raw)
        return _Text(document.text, document.crlf)


@dataclass(frozen=True)
class _Text(Document):
    binary: bool = False


def _endings(text: _Text) -> str:
    if text.crlf:
        return "CRLF"
    return "mixed CRLF and LF" if "\r\n" in text.text else "LF"


def _describe_run(returncode: int, timed_out: bool, duration: float, limit: float) -> str:
    if timed_out:
        return f"Timed out after {limit:g} s; the command was killed. Output so far:"
    return f"Exit code {returncode} ({duration:.1f} s). Output:"


def _clip(output: str) -> str:
    if len(output) <= MAX_OUTPUT_CHARS:
        return output.rstrip("\n")
    half = MAX_OUTPUT_CHARS // 2
    return f"{output[:half]}\n... ({len(output) - 2 * half} characters not shown) ...\n{output[-half:]}".rstrip("\n")
