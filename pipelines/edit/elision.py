"""Detecting lazy elisions: new text that stands for original code instead of containing it.

A line only counts as an elision when two things hold (aider#1832, Gemini CLI's placeholder detector):
it *looks* like a placeholder (`# ... existing code ...`, a bare `...`, a `\"\"\"rest unchanged\"\"\"` string) and,
compared with the original by a line diff, it stands where original code was removed — code that appears
nowhere else in the new text. Two more shapes are caught by comparison alone: a function whose body was
cut down to a docstring / `...` / `pass`, and content that stops where the original goes on (truncation).
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipelines.edit.text import parse_python, shorten, split_lines

_WORDS = re.compile(
    r"\b(existing|unchanged|rest of|remaining|same as (before|above|original|in)|as before|omitted|elided|"
    r"snip|(other|more|previous) (methods|functions|code|lines|helpers|imports)|not shown|truncated|etc)\b",
    re.IGNORECASE,
)
_STRING = re.compile(r"""[rbuRBU]{0,2}("{3}|'{3}|"|')(.*)\1""")
Opcode = tuple[str, int, int, int, int]
_MIN_TAIL = 3
"""Non-blank original lines that must follow the end of the content for it to count as truncated."""


@dataclass(frozen=True)
class Elision:
    line: int | None
    """1-based line of the new text that stands in for the lost code (None: the content ends early)."""
    shown: str
    lost_start: int
    lost_end: int
    """1-based inclusive range of original lines that would be lost."""
    lost_first: str
    lost_last: str

    def describe(self, yours: str = "your line", where: str = "the original") -> str:
        lost = f"lines {self.lost_start}-{self.lost_end} (`{self.lost_first}` … `{self.lost_last}`)"
        if self.line is None:
            return f"your content ends where {where} goes on: its {lost} are missing (truncated?)"
        return f"{yours} {self.line} `{self.shown}` stands where {where} has {lost}"


def is_placeholder(line: str) -> bool:
    """Whether `line` has the shape of an elision marker (not whether it is one: see `find_elisions`)."""
    stripped = line.strip()
    if stripped in ("...", "…", "pass"):
        return stripped != "pass"
    content = _comment_or_string(stripped)
    if content is None:
        return False
    # An ellipsis inside a sentence ("scan once ... then merge") is prose; a marker starts or ends with one.
    bare = content.strip().strip("()[]{}<>").strip()
    return bare.startswith(("...", "…")) or bare.endswith(("...", "…")) or bool(_WORDS.search(content))


def find_elisions(original: str, new: str, python: bool) -> list[Elision]:
    """The places where `new` leaves out code of `original`, in order."""
    a, b = split_lines(original), split_lines(new)
    if not any(line.strip() for line in a):
        return []
    kept = {line.strip() for line in b}
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    found = _placeholder_elisions(a, b, ops, kept)
    if python:
        found += [e for e in _gutted_bodies(original, new) if all(not _overlaps(e, f) for f in found)]
    tail = _truncation(a, b, ops, kept)
    if tail is not None and all(not _overlaps(tail, f) for f in found):
        found.append(tail)
    return found


def _comment_or_string(stripped: str) -> str | None:
    if stripped.startswith(("#", "//")):
        return stripped.lstrip("#/ ")
    match = _STRING.fullmatch(stripped)
    if match:
        return match.group(2)
    if "#" in stripped:
        return stripped.split("#", 1)[1]
    return None


def _placeholder_elisions(a: list[str], b: list[str], ops: Sequence[Opcode], kept: set[str]) -> list[Elision]:
    found = []
    for index, (tag, _, _, j1, j2) in enumerate(ops):
        if tag not in ("replace", "insert"):
            continue
        for j in range(j1, j2):
            if not is_placeholder(b[j]):
                continue
            lost = [i for i in _deleted_near(ops, index) if a[i].strip() and a[i].strip() not in kept]
            if lost:
                found.append(_elision(j + 1, b[j], a, lost))
                break
    return found


def _deleted_near(ops: Sequence[Opcode], index: int) -> list[int]:
    """Original lines removed by op `index` and by its neighbours across equal runs of blank/trivial lines."""
    lines: list[int] = []
    for step in (-1, 1):
        i = index + step
        while 0 <= i < len(ops) and ops[i][0] == "equal" and ops[i][2] - ops[i][1] <= 1:
            i += step
        if 0 <= i < len(ops) and ops[i][0] in ("replace", "delete"):
            lines += range(ops[i][1], ops[i][2])
    _, i1, i2, _, _ = ops[index]
    return sorted(set(lines) | set(range(i1, i2)))


def _gutted_bodies(original: str, new: str) -> list[Elision]:
    """Functions whose body went from real code to nothing but a docstring, `...` or `pass`."""
    before, after = _functions(original), _functions(new)
    if before is None or after is None:
        return []
    a = split_lines(original)
    found = []
    for name, (node, _) in after.items():
        if name in before and _trivial(node.body) and not _trivial(before[name][0].body):
            old_node = before[name][0]
            start = old_node.body[0].lineno
            end = old_node.end_lineno or start
            found.append(
                _elision(
                    node.body[-1].lineno,
                    f"def {node.name}: only a docstring/`...`/`pass` left",
                    a,
                    list(range(start - 1, end)),
                )
            )
    return found


def _functions(text: str) -> dict[str, tuple[ast.FunctionDef | ast.AsyncFunctionDef, int]] | None:
    try:
        tree = parse_python(text)
    except (SyntaxError, ValueError):
        return None
    found: dict[str, tuple[ast.FunctionDef | ast.AsyncFunctionDef, int]] = {}
    stack: list[tuple[str, ast.AST]] = [("", tree)]
    while stack:
        prefix, parent = stack.pop()
        for node in ast.iter_child_nodes(parent):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = prefix + node.name
                if not isinstance(node, ast.ClassDef):
                    found[name] = (node, node.lineno)
                stack.append((name + ".", node))
    return found


def _trivial(body: list[ast.stmt]) -> bool:
    def empty(stmt: ast.stmt) -> bool:
        return isinstance(stmt, ast.Pass) or (
            isinstance(stmt, ast.Expr)
            and isinstance(stmt.value, ast.Constant)
            and (stmt.value.value is Ellipsis or isinstance(stmt.value.value, str))
        )

    return all(empty(stmt) for stmt in body)


def _truncation(a: list[str], b: list[str], ops: Sequence[Opcode], kept: set[str]) -> Elision | None:
    """The content's last lines match the original somewhere, and real original code after them is gone."""
    tail = [op for op in ops if op[0] == "equal" and any(line.strip() for line in b[op[3] : op[4]])]
    if not tail:
        return None if b else _elision(None, "", a, [i for i, line in enumerate(a) if line.strip()])
    _, _, i2, _, j2 = tail[-1]
    if any(line.strip() for line in b[j2:]):
        return None
    lost = [i for i in range(i2, len(a)) if a[i].strip() and a[i].strip() not in kept]
    return _elision(None, "", a, lost) if len(lost) >= _MIN_TAIL else None


def _elision(line: int | None, shown: str, a: list[str], lost: list[int]) -> Elision:
    return Elision(
        line, shorten(shown, 60), lost[0] + 1, lost[-1] + 1, shorten(a[lost[0]], 40), shorten(a[lost[-1]], 40)
    )


def _overlaps(x: Elision, y: Elision) -> bool:
    return x.lost_start <= y.lost_end and y.lost_start <= x.lost_end
