"""`write_file`: replace a whole file (or create one), refusing content that elides original code."""

from __future__ import annotations

import difflib
from typing import Any

from pipelines.edit.base import PATH, Tool, ToolResult, arguments
from pipelines.edit.elision import Elision, find_elisions
from pipelines.edit.errors import Location, ToolRefused
from pipelines.edit.text import Document, is_python, snippet, split_lines

MAX_HUNKS_SHOWN = 3


class WriteFile(Tool):
    name = "write_file"
    description = (
        "Write the complete content of a file, replacing what is there (or creating it). Write every line out: "
        "placeholders such as '# ... existing code ...' or a bare '...' standing for original code are refused, "
        "and Python that does not parse is refused."
    )
    schema = arguments(["path", "content"], path=PATH, content=("string", "The complete new content of the file."))

    def apply(self, checked: dict[str, Any]) -> ToolResult:
        context = self._context
        rel = context.editable(checked["path"])
        current = context.load_if_exists(rel)
        exists = current is not None
        document = current or Document("", crlf=False)
        before = document.text
        after = document.adopt(checked["content"])
        if exists and before.endswith("\n") and after and not after.endswith("\n"):
            after += "\n"
        if exists and after == before:
            raise ToolRefused(f"content is identical to the current {rel}: nothing would change.")
        elisions = find_elisions(before, after, is_python(rel)) if exists else []
        if elisions:
            raise ToolRefused(
                self._elision_message(rel, elisions), [Location(rel, e.lost_start, e.lost_end) for e in elisions]
            )
        self._check_syntax(rel, before if exists else None, after)
        context.ledger.turn_start.setdefault(rel, before)
        context.workspace.write_text(rel, document.dump(after))
        context.ledger.record_change(self.name, rel, before, after)
        hunks = _changed_ranges(before, after)
        for start, end in hunks:
            context.failures.clear(rel, start, end)
        return ToolResult(
            self._summary(rel, exists, after, hunks),
            ok=True,
            changed=[rel],
            locations=[Location(rel, s, e) for s, e in hunks],
        )

    def _check_syntax(self, rel: str, before: str | None, after: str) -> None:
        try:
            self._context.check_syntax(rel, before, after)
        except ToolRefused as refusal:
            old_lines, new_lines = len(split_lines(before or "")), len(split_lines(after))
            if new_lines < old_lines:
                raise ToolRefused(
                    f"{refusal.message}\nThe content looks cut off: it has {new_lines} lines, the file "
                    f"{old_lines}. Send the complete file."
                ) from None
            raise

    def _elision_message(self, rel: str, elisions: list[Elision]) -> str:
        lines = [f"Refused: the content leaves out code that {rel} has; nothing was written."]
        lines += [f"- {e.describe()}" for e in elisions]
        lines.append("Writing it would delete those lines. Send the complete file with them written out")
        alternative = self._context.suggest("replace", "rewrite_symbol")
        lines[-1] += f", or change only the part you mean with {alternative}." if alternative else "."
        return "\n".join(lines)

    def _summary(self, rel: str, existed: bool, after: str, hunks: list[tuple[int, int]]) -> str:
        total = len(split_lines(after))
        if not existed:
            return f"Created {rel} ({total} lines)."
        shown = [snippet(after, start, end, context=2, max_lines=16) for start, end in hunks[:MAX_HUNKS_SHOWN]]
        more = (
            f"\n({len(hunks) - MAX_HUNKS_SHOWN} more changed regions not shown)" if len(hunks) > MAX_HUNKS_SHOWN else ""
        )
        where = ", ".join(f"{s}-{e}" if s != e else str(s) for s, e in hunks)
        return f"Wrote {rel} ({total} lines; changed lines {where}):\n" + "\n...\n".join(shown) + more


def _changed_ranges(before: str, after: str) -> list[tuple[int, int]]:
    """1-based inclusive line ranges of `after` that differ from `before` (a deletion marks the line after it)."""
    a, b = split_lines(before), split_lines(after)
    ranges = []
    for tag, _, _, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            start = min(j1 + 1, max(len(b), 1))
            ranges.append((start, max(start, j2)))
    return ranges
