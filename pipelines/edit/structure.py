"""The structure of a Python text that elision detection reasons about: definitions with their bodies, every
statement with its scope, and which names are bound and used.

`outline(text)` is None when the text does not parse; callers then fall back to line shapes alone.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterator
from dataclasses import dataclass, field

from pipelines.edit.text import parse_python

_EXEMPT_DECORATORS = {"abstractmethod", "abstractproperty", "overload"}
_BUILTINS = frozenset(dir(builtins))
Scoped = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


@dataclass(frozen=True)
class Block:
    """A def or class. Lines are 1-based and inclusive."""

    name: str
    """Dotted path: `func`, `Class.method`; a definition inside an if/try keeps its plain name."""
    kind: str
    """"def" or "class"."""
    start: int
    """First line, decorators included."""
    line: int
    """The `def`/`class` line."""
    body_start: int
    """First line of the body (its docstring, if any); equal to `line` for `def f(): ...`."""
    doc_end: int
    """Last line of the docstring, or `body_start - 1` when there is none."""
    end: int
    trivial: bool
    """The body is nothing but a docstring, `pass` or `...`."""
    no_op: bool
    """The body is `pass`, after a docstring or not (a deliberate no-op looks like this)."""
    exempt: bool
    """`...`/`pass` is its real body: abstract, @overload, a Protocol member."""
    returns_value: bool
    parent: str
    """Dotted name of the enclosing definition ("" at module level)."""

    @property
    def last_name(self) -> str:
        return self.name.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Statement:
    start: int
    end: int
    parent: str
    label: str
    """`def name` / `class name` for definitions, else ''."""


@dataclass
class Outline:
    blocks: list[Block] = field(default_factory=list)
    statements: list[Statement] = field(default_factory=list)
    """Every statement at any depth, outer ones before the ones inside them."""
    bound: dict[str, set[int]] = field(default_factory=dict)
    """Name → lines that bind it (assignments, parameters, imports, def/class names, …)."""
    loaded: set[str] = field(default_factory=set)
    deferred: set[str] = field(default_factory=set)
    """Names loaded inside a function or lambda body: used when it is called, which may be after any binding."""
    first_load: dict[str, int] = field(default_factory=dict)
    """Name → the first line that loads it as the module or class body runs (not inside a function)."""

    def dangling(self) -> set[str]:
        """Names this text uses but binds nowhere (and that are not builtins)."""
        return self.loaded - self.bound.keys() - _BUILTINS


def outline(text: str, stub_file: bool = False) -> Outline | None:
    """The outline of `text`; None when it does not parse. In a stub file (`.pyi`) every body is exempt."""
    try:
        tree = parse_python(text)
    except (SyntaxError, ValueError):
        return None
    result = Outline()
    _walk(tree.body, "", False, stub_file, result)
    in_bodies = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        for part in (node.body if isinstance(node.body, list) else [node.body])
        for inner in ast.walk(part)
    }
    for node in ast.walk(tree):
        for name, line in _bindings(node):
            result.bound.setdefault(name, set()).add(line)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            result.loaded.add(node.id)
            if id(node) in in_bodies:
                result.deferred.add(node.id)
            else:
                result.first_load[node.id] = min(node.lineno, result.first_load.get(node.id, node.lineno))
    return result


def _walk(body: list[ast.stmt], parent: str, in_protocol: bool, stub_file: bool, out: Outline) -> None:
    for node in body:
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        label = (
            f"{'class' if isinstance(node, ast.ClassDef) else 'def'} {node.name}" if isinstance(node, Scoped) else ""
        )
        out.statements.append(Statement(start, node.end_lineno or node.lineno, parent, label))
        if isinstance(node, Scoped):
            name = f"{parent}.{node.name}" if parent else node.name
            out.blocks.append(_block(node, name, parent, start, in_protocol or stub_file))
            _walk(node.body, name, isinstance(node, ast.ClassDef) and _is_protocol(node), stub_file, out)
        else:
            for child in _bodies(node):
                _walk(child, parent, in_protocol, stub_file, out)


def _block(node: Scoped, name: str, parent: str, start: int, in_protocol: bool) -> Block:
    body = node.body
    has_doc = _is_string(body[0])
    decorators = {_last_name(d) for d in node.decorator_list}
    return Block(
        name=name,
        kind="class" if isinstance(node, ast.ClassDef) else "def",
        start=start,
        line=node.lineno,
        body_start=body[0].lineno,
        doc_end=(body[0].end_lineno or body[0].lineno) if has_doc else body[0].lineno - 1,
        end=node.end_lineno or node.lineno,
        trivial=all(_is_stub(s) for s in body),
        no_op=len(body) == 1 + has_doc and isinstance(body[-1], ast.Pass),
        exempt=in_protocol or bool(decorators & _EXEMPT_DECORATORS),
        returns_value=any(_gives_value(n) for n in _own_nodes(node)),
        parent=parent,
    )


def _bodies(node: ast.stmt) -> Iterator[list[ast.stmt]]:
    for key in ("body", "orelse", "finalbody"):
        value = getattr(node, key, None)
        if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
            yield value
    for handler in getattr(node, "handlers", []):
        yield handler.body
    for case in getattr(node, "cases", []):
        yield case.body


def _is_string(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and isinstance(stmt.value.value, str)


def _is_stub(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Pass) or _is_string(stmt):
        return True
    return isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant) and stmt.value.value is Ellipsis


def _is_protocol(node: ast.ClassDef) -> bool:
    return any(_last_name(base) == "Protocol" for base in node.bases)


def _last_name(node: ast.expr) -> str:
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _own_nodes(node: Scoped) -> Iterator[ast.AST]:
    """The nodes of `node`'s body, not descending into nested definitions or lambdas."""
    stack: list[ast.AST] = list(node.body)
    while stack:
        current = stack.pop()
        yield current
        if not isinstance(current, Scoped | ast.Lambda):
            stack.extend(ast.iter_child_nodes(current))


def _gives_value(node: ast.AST) -> bool:
    if isinstance(node, ast.Return):
        return node.value is not None and not (isinstance(node.value, ast.Constant) and node.value.value is None)
    return isinstance(node, ast.Yield | ast.YieldFrom)


def _bindings(node: ast.AST) -> Iterator[tuple[str, int]]:
    line = getattr(node, "lineno", 0)
    if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
        yield node.id, line
    elif isinstance(node, Scoped):
        yield node.name, line
    elif isinstance(node, ast.arg):
        yield node.arg, line
    elif isinstance(node, ast.alias):
        yield (node.asname or node.name.split(".")[0]), line
    elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar) and node.name:
        yield node.name, line
    elif isinstance(node, ast.Global | ast.Nonlocal):
        for name in node.names:
            yield name, line
