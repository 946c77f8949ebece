"""The definitions (functions, classes, methods) of a Python file, by dotted path, with their lines."""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass

from pipelines.edit.text import parse_python

_KINDS = {
    "If": "if/else block",
    "Try": "try block",
    "With": "with block",
    "For": "for loop",
    "While": "while loop",
    "Match": "match block",
}


@dataclass(frozen=True)
class Definition:
    name: str
    """Dotted path inside the module: `func`, `Class`, `Class.method`, `func.inner`."""
    start_line: int
    """First line, decorators included."""
    end_line: int


def definitions(text: str) -> list[Definition]:
    """Every def/class in `text` in source order; [] when it does not parse."""
    try:
        tree = parse_python(text)
    except (SyntaxError, ValueError):
        return []
    found: list[Definition] = []
    _collect(tree.body, "", found)
    return found


def enclosing(text: str, start_line: int, end_line: int) -> Definition | None:
    """The innermost definition containing lines [start_line, end_line]."""
    inside = [d for d in definitions(text) if d.start_line <= start_line and end_line <= d.end_line]
    return min(inside, key=lambda d: d.end_line - d.start_line, default=None)


def nearest_names(text: str, name: str, limit: int = 5) -> list[str]:
    """Existing dotted names most like `name` (by the whole path, then by its last part)."""
    names = [d.name for d in definitions(text)]
    close = difflib.get_close_matches(name, names, n=limit, cutoff=0.5)
    last = name.rsplit(".", 1)[-1]
    close += [n for n in names if n.rsplit(".", 1)[-1] == last and n not in close]
    close += [n for n in difflib.get_close_matches(last, names, n=limit, cutoff=0.6) if n not in close]
    return list(dict.fromkeys(close))[:limit]


def in_blocks(text: str, name: str) -> list[tuple[Definition, str]]:
    """Definitions of `name` (its last part) that sit inside an if/try/with/for/while block, where a dotted path
    cannot reach them, each with the block that holds it (`the if/else block at line 4`)."""
    try:
        tree = parse_python(text)
    except (SyntaxError, ValueError):
        return []
    last = name.rsplit(".", 1)[-1]
    found: list[tuple[Definition, str]] = []
    for block in ast.walk(tree):
        kind = _KINDS.get(type(block).__name__)
        if kind is None:
            continue
        assert isinstance(block, ast.stmt)
        for child in _branches(block):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and child.name == last:
                start = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                definition = Definition(child.name, start, child.end_lineno or child.lineno)
                found.append((definition, f"the {kind} at line {block.lineno}"))
    return sorted(found, key=lambda item: item[0].start_line)


def _branches(block: ast.stmt) -> list[ast.stmt]:
    bodies = [getattr(block, key, []) for key in ("body", "orelse", "finalbody")]
    bodies += [handler.body for handler in getattr(block, "handlers", [])]
    bodies += [case.body for case in getattr(block, "cases", [])]
    return [statement for body in bodies for statement in body]


def _collect(body: list[ast.stmt], prefix: str, found: list[Definition]) -> None:
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            name = prefix + node.name
            start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            found.append(Definition(name, start, node.end_lineno or node.lineno))
            _collect(node.body, name + ".", found)
