"""`view_file`: numbered lines of any file in the repo (read-only files included)."""

from __future__ import annotations

from typing import Any

from pipelines.edit.base import Tool, ToolResult, arguments
from pipelines.edit.errors import Location, ToolRefused
from pipelines.edit.text import Document, numbered, split_lines

MAX_LINES = 400
"""Lines shown when no range is asked for; the rest is announced with how to see it."""
MAX_LINE_CHARS = 500


class ViewFile(Tool):
    name = "view_file"
    description = (
        "Show a file with line numbers (like `cat -n`). Use it to read code before you change it, and to check an "
        "edit. The numbers are not part of the file: never copy them into "
        f"`old` or `content`. Shows at most {MAX_LINES} lines unless start_line/end_line ask for a range. "
        'Example: {"path": "src/stats.py", "start_line": 40, "end_line": 90}'
    )
    schema = arguments(
        ["path"],
        path=("string", "File path relative to the repo root, e.g. src/stats.py."),
        start_line=("integer", "First line to show (1-based). Default 1."),
        end_line=("integer", "Last line to show, inclusive; -1 means the end."),
    )

    def apply(self, checked: dict[str, Any]) -> ToolResult:
        rel = self._context.resolve(checked["path"])
        try:
            raw = self._context.workspace.read_text(rel)
        except FileNotFoundError:
            raise ToolRefused(self._not_a_file(rel)) from None
        except UnicodeDecodeError:
            raise ToolRefused(f"{rel} is not UTF-8 text (binary?); view_file shows text files only.") from None
        document = Document.parse(raw)
        lines = split_lines(document.text)
        first, last = self._range(rel, len(lines), checked.get("start_line"), checked.get("end_line"))
        shown = [
            line if len(line) <= MAX_LINE_CHARS else line[:MAX_LINE_CHARS] + " …(line truncated)"
            for line in lines[first - 1 : last]
        ]
        header = f"{rel} — lines {first}-{last} of {len(lines)}{self._traits(document, lines)}"
        if not lines:
            header = f"{rel} — empty file"
        more = ""
        if last < len(lines):
            more = f"\n(lines {last + 1}-{len(lines)} not shown; call view_file with start_line={last + 1})"
        return ToolResult(
            f"{header}\n{numbered(shown, first)}{more}", ok=True, locations=[Location(rel, first, max(first, last))]
        )

    def _range(self, rel: str, total: int, start: int | None, end: int | None) -> tuple[int, int]:
        first = 1 if start is None else start
        if first < 1 or (total and first > total):
            raise ToolRefused(f"start_line={first} is out of range: {rel} has {total} lines (numbered from 1).")
        if end is None:
            return first, min(total, first + MAX_LINES - 1)
        if end == -1 or end > total:
            return first, total
        if end < first:
            raise ToolRefused(f"end_line={end} is before start_line={first}.")
        return first, end

    def _traits(self, document: Document, lines: list[str]) -> str:
        traits = ["CRLF line endings"] if document.crlf else []
        if any(line.startswith("\t") for line in lines):
            traits.append("indented with tabs")
        return f" ({', '.join(traits)})" if traits else ""

    def _not_a_file(self, rel: str) -> str:
        inside = [p for p in self._context.workspace.paths() if p.startswith(rel.rstrip("/") + "/")]
        if inside:
            listing = "\n".join(inside[:50]) + (f"\n... ({len(inside) - 50} more)" if len(inside) > 50 else "")
            return f"{rel} is a directory; its files:\n{listing}"
        return self._context.missing(rel)
