"""The import structure (DESIGN §5): `bot` → `pipelines` → `sandbox`, never upward, no import cycles, and one
module that talks to python-gitlab.

Every import statement counts, wherever it stands: inside a function (a lazy import) or under `TYPE_CHECKING`,
an import is a dependency all the same. A module importing its package's `__init__` is an edge like any other,
so it makes a cycle exactly when that `__init__` imports the module back.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT

LAYERS = ("sandbox", "pipelines", "bot")
"""Lowest first: a module may import its own layer and the ones before it."""


def modules() -> dict[str, Path]:
    found = {}
    for package in LAYERS:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imported(name: str, path: Path, known: set[str]) -> Iterator[str]:
    """Every module the module at `path` imports, relative imports resolved: for `from X import n`, `X.n` when
    that is a module, else `X` (where `n` is defined)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base


def graph() -> dict[str, set[str]]:
    """module -> the project modules it imports (the most specific one each import names)."""
    known = modules()
    edges: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        for target in imported(name, path, set(known)):
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                edges[name].add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(edges[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def layer(module: str) -> int:
    return LAYERS.index(module.split(".")[0])


def test_imports_flow_one_way_from_bot_to_pipelines_to_sandbox() -> None:
    upward = sorted(f"{a} -> {b}" for a, targets in graph().items() for b in targets if layer(b) > layer(a))
    assert upward == []


def test_no_module_is_part_of_an_import_cycle() -> None:
    assert cycles(graph()) == []


def test_the_cycle_finder_finds_a_cycle_through_a_package_face() -> None:
    edges = {"m": {"m.a"}, "m.a": {"m.b"}, "m.b": {"m"}, "m.c": {"m"}}
    assert cycles(edges) == [["m", "m.a", "m.b"]]


def test_one_module_talks_to_python_gitlab() -> None:
    known = modules()
    users = sorted(
        name
        for name, path in known.items()
        if any(target.split(".")[0] == "gitlab" for target in imported(name, path, set(known)))
    )
    assert len(users) <= 1, f"python-gitlab is imported by {users}"


def walked_files(section: str) -> list[str]:
    """The Python files a walk-through in docs/architecture.md names, each once, in order. A bare name (`judge.py`)
    lies in the folder of the path or folder named last before it."""
    found: dict[str, None] = {}
    folder = ""
    for token in re.findall(r"`([\w./]+)`", section):
        if token.startswith("tests/"):
            continue
        if token.endswith("/"):
            folder = token.rstrip("/")
        elif token.endswith(".py"):
            path = token if "/" in token else f"{folder}/{token}"
            folder = path.rpartition("/")[0]
            found[path] = None
    return list(found)


def test_the_optimize_walk_through_counts_the_files_it_names() -> None:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    section = text[text.index("## One `/optimize` note") : text.index("## One `perfbot optimize`")]
    files = walked_files(section)
    missing = [path for path in files if not (ROOT / path).is_file()]
    assert not missing, f"docs/architecture.md names files that do not exist: {missing}"
    stated = re.search(r"each counted once: (\d+) Python files", section)
    assert stated, "the walk-through no longer states how many files it passes through"
    assert int(stated.group(1)) == len(files), f"the walk-through says {stated.group(1)} files and names {len(files)}"
