"""`write_file`: replace a whole file (or create one). Elided code is put back or refused (see `resolve`)."""

from __future__ import annotations

import difflib
from typing import Any

from pipelines.edit.base import PATH, Tool, ToolResult, arguments
from pipelines.edit.errors import Location, ToolRefused
from pipelines.edit.resolve import Settled, settle
from pipelines.edit.text import Document, shorten, snippet, split_lines

MAX_HUNKS_SHOWN = 3


class WriteFile(Tool):
    name = "write_file"
    description = (
        "Write the complete content of a file, replacing what is there (or creating it). Write every line out: "
        "a comment, docstring, '...' or 'pass' standing for original code (an elision) is not a way to keep it, "
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
        settled = Settled(after)
        if exists:
            heading = f"Refused: the content leaves out code that {rel} has; nothing was written."
            settled = settle(rel, before, after, context.elisions, heading)
            after = settled.text
        self._check_syntax(rel, before if exists else None, after)
        context.ledger.turn_start.setdefault(rel, before)
        context.workspace.write_text(rel, document.dump(after))
        context.ledger.record_change(self.name, rel, before, after)
        hunks = _changed_ranges(before, after)
        for start, end in hunks:
            context.failures.clear(rel, start, end)
        text = self._summary(rel, exists, before, after, hunks)
        return ToolResult(
            settled.reply(text),
            ok=True,
            changed=[rel],
            locations=[Location(rel, s, e) for s, e in hunks],
            resolved=settled.spliced,
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

    def _summary(self, rel: str, existed: bool, before: str, after: str, hunks: list[tuple[int, int]]) -> str:
        total = len(split_lines(after))
        if not existed:
            return f"Created {rel} ({total} lines)."
        shown = [snippet(after, start, end, context=2, max_lines=16) for start, end in hunks[:MAX_HUNKS_SHOWN]]
        more = (
            f"\n({len(hunks) - MAX_HUNKS_SHOWN} more changed regions not shown)" if len(hunks) > MAX_HUNKS_SHOWN else ""
        )
        where = ", ".join(f"{s}-{e}" if s != e else str(s) for s, e in hunks)
        deleted = "".join(f"\n{line}" for line in deletions(before, after))
        return f"Wrote {rel} ({total} lines; changed lines {where}):{deleted}\n" + "\n...\n".join(shown) + more


def deletions(before: str, after: str) -> list[str]:
    """One line per block of original lines the new text dropped (not merely moved), naming the definitions or
    blocks that went with them. In a rewritten region only whole blocks less indented than the new lines count."""
    a, b = split_lines(before), split_lines(after)
    kept = {line.strip() for line in b}
    found = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        rows = [i for i in range(i1, i2) if a[i].strip()]
        if tag == "replace":
            floor = min((_depth(line) for line in b[j1:j2] if line.strip()), default=0)
            first = next((i for i in rows if _opens(a[i]) and _depth(a[i]) < floor), None)
            rows = [i for i in rows if first is not None and i >= first]
        if tag in ("equal", "insert") or all(a[i].strip() in kept for i in rows):
            continue
        heads = [a[i] for i in rows if _opens(a[i])] or [a[rows[0]]]
        outer = min(_depth(line) for line in heads)
        what = ", ".join(f"`{shorten(line, 50)}`" for line in heads if _depth(line) == outer)
        count = len(rows)
        found.append(f"{count} line{'s' * (count != 1)} deleted (original lines {rows[0] + 1}-{rows[-1] + 1}): {what}")
    return found


def _opens(line: str) -> bool:
    """A line that starts a definition or a block (`def`, `class`, `if …:`)."""
    stripped = line.strip()
    return stripped.endswith(":") or stripped.startswith(("def ", "async def ", "class "))


def _depth(line: str) -> int:
    return len(line) - len(line.lstrip())


def _changed_ranges(before: str, after: str) -> list[tuple[int, int]]:
    """1-based inclusive line ranges of `after` that differ from `before` (a deletion marks the line after it)."""
    a, b = split_lines(before), split_lines(after)
    ranges = []
    for tag, _, _, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            start = min(j1 + 1, max(len(b), 1))
            ranges.append((start, max(start, j2)))
    return ranges
