"""Text helpers shared by the tools: line endings, numbered views and Python parsing and syntax checks.

Tools work on text whose newlines are `\\n`. A file whose every newline is CRLF is converted on the way in
and back on the way out (`Document`), so the model never has to type `\\r` and the file keeps its style.
A file with mixed newlines is left as it is (its `\\r` characters are matched literally).
"""

from __future__ import annotations

import ast
import threading
import warnings
from dataclasses import dataclass

NUMBER_WIDTH = 6

# Agents edit in parallel threads. Before Python 3.13, `ast.parse` keeps its AST-construction depth counter in
# interpreter-wide state, so two threads parsing at once can fail with a spurious "SystemError: AST constructor
# recursion depth mismatch" (CPython gh-106905), and `warnings.catch_warnings` swaps process-wide filters.
_PARSE_LOCK = threading.Lock()


@dataclass(frozen=True)
class Document:
    text: str
    """The content with `\\n` newlines if the file was consistently CRLF, else exactly as stored."""
    crlf: bool

    @classmethod
    def parse(cls, raw: str) -> Document:
        crlf = "\r\n" in raw and raw.count("\r\n") == raw.count("\n")
        return cls(raw.replace("\r\n", "\n") if crlf else raw, crlf)

    def adopt(self, text: str) -> str:
        """Model-supplied text in this document's convention (a stray `\\r\\n` from the model becomes `\\n`)."""
        return text.replace("\r\n", "\n") if self.crlf else text

    def dump(self, text: str) -> str:
        """`text` (in the `\\n` convention) as it should be stored."""
        return text.replace("\n", "\r\n") if self.crlf else text


def split_lines(text: str) -> list[str]:
    """Lines without their newline; a final newline does not make an extra empty line."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def line_of(text: str, offset: int) -> int:
    """The 1-based line number of character `offset`."""
    return text.count("\n", 0, offset) + 1


def numbered(lines: list[str], first: int) -> str:
    """`lines` as `cat -n` shows them, the first one numbered `first`."""
    return "\n".join(f"{number:>{NUMBER_WIDTH}}\t{line}" for number, line in enumerate(lines, start=first))


def snippet(text: str, start_line: int, end_line: int, context: int = 3, max_lines: int = 40) -> str:
    """Numbered lines `start_line..end_line` plus `context` lines each side; long regions keep head and tail."""
    lines = split_lines(text)
    if not lines:
        return "(the file is now empty)"
    first = max(1, start_line - context)
    last = min(len(lines), max(end_line, start_line) + context)
    if last - first + 1 <= max_lines:
        return numbered(lines[first - 1 : last], first)
    half = max_lines // 2
    head = numbered(lines[first - 1 : first - 1 + half], first)
    tail = numbered(lines[last - half : last], last - half + 1)
    return f"{head}\n   ...\t({last - first + 1 - 2 * half} lines not shown)\n{tail}"


def is_python(path: str) -> bool:
    return path.endswith((".py", ".pyi"))


def syntax_error(path: str, text: str) -> str | None:
    """None when `path` is not Python or `text` parses; else where and why it does not, with the line."""
    if not is_python(path):
        return None
    try:
        parse_python(text, path)
    except SyntaxError as e:
        where = f"line {e.lineno}" + (f", column {e.offset}" if e.offset else "")
        lines = split_lines(text)
        shown = ""
        if e.lineno and 1 <= e.lineno <= len(lines):
            shown = "\n" + numbered([lines[e.lineno - 1]], e.lineno)
        return f"{where}: {e.msg}{shown}"
    except ValueError as e:
        return str(e)
    return None


def parse_python(text: str, filename: str = "<unknown>") -> ast.Module:
    """`ast.parse(text)` with warnings silenced, safe to call from several threads at once. Raises SyntaxError
    (or ValueError, e.g. for a NUL byte) like `ast.parse`."""
    with _PARSE_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text, filename=filename)


def shorten(line: str, width: int = 80) -> str:
    line = line.strip()
    return line if len(line) <= width else line[: width - 1] + "…"
