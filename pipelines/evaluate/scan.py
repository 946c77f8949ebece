"""What a reviewer should know about a candidate's code before the numbers: whether it changes anything at all, and
what it newly uses from the environment a measurement runs in.

`unchanged` compares syntax trees ignoring comments and docstrings: such a candidate is never measured. `new_uses`
lists, per file, the clocks, memory tracers, frame inspection, process exits, /proc, sys.modules, builtins, pickling
hooks, ctypes, mmap, threads, processes, signals, file writes and the like that the candidate's code uses and the
baseline's does not. The judge does not trust these names (its guarantees come from the sandbox); they are for
the person who merges.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping

MODULES = {
    "time": "the clock",
    "timeit": "the clock",
    "tracemalloc": "the memory tracer",
    "gc": "the garbage collector",
    "inspect": "frame inspection",
    "traceback": "frame inspection",
    "ctypes": "ctypes",
    "cffi": "ctypes",
    "mmap": "mmap",
    "threading": "threads",
    "_thread": "threads",
    "concurrent": "threads",
    "subprocess": "processes",
    "multiprocessing": "processes",
    "pty": "processes",
    "signal": "signals",
    "builtins": "builtins",
    "importlib": "sys.modules and imports",
    "pickle": "pickling",
    "copyreg": "pickling hooks",
    "marshal": "pickling",
    "atexit": "exit hooks",
    "resource": "resource limits",
    "pytest": "the test framework",
    "_pytest": "the test framework",
    "shutil": "file writes",
    "tempfile": "file writes",
    "socket": "the network",
}
ATTRIBUTES = {
    "os._exit": "process exit",
    "os.abort": "process exit",
    "sys.exit": "process exit",
    "os.kill": "signals",
    "os.killpg": "signals",
    "os.fork": "processes",
    "os.system": "processes",
    "os.popen": "processes",
    "os.posix_spawn": "processes",
    "os.execv": "processes",
    "os.write": "file writes",
    "os.open": "file writes",
    "os.remove": "file writes",
    "os.unlink": "file writes",
    "os.rename": "file writes",
    "os.replace": "file writes",
    "os.environ": "the environment",
    "os.getenv": "the environment",
    "os.getppid": "the process tree",
    "sys.argv": "the command line",
    "sys.modules": "sys.modules and imports",
    "sys._getframe": "frame inspection",
    "sys.settrace": "tracing hooks",
    "sys.setprofile": "tracing hooks",
    "sys.setswitchinterval": "the interpreter's settings",
    "sys.stdout": "the output streams",
    "sys.stderr": "the output streams",
}
NAMES = {
    "__import__": "sys.modules and imports",
    "__builtins__": "builtins",
    "exec": "dynamic code",
    "eval": "dynamic code",
    "compile": "dynamic code",
    "exit": "process exit",
    "quit": "process exit",
    "globals": "frame inspection",
    "breakpoint": "the debugger",
}
FRAME_ATTRIBUTES = {"f_back", "f_locals", "f_globals", "f_code", "tb_frame", "gi_frame", "cr_frame"}
HOOKS = {"__reduce__", "__reduce_ex__", "__getstate__", "__setstate__", "__del__", "__getattr__", "__getattribute__"}
_WRITE_MODES = set("wax+")


def unchanged(baseline: Mapping[str, str], candidate: Mapping[str, str]) -> bool:
    """True when every changed file is the baseline's text, or parses to the same tree but for comments and
    docstrings (a file that does not parse counts as changed unless its text is the same)."""
    for path, text in candidate.items():
        before = baseline.get(path)
        if before is None:
            return False
        if before != text and _tree(before) != _tree(text):
            return False
    return True


def new_uses(baseline: Mapping[str, str], candidate: Mapping[str, str]) -> list[str]:
    """One line per kind of use the candidate's files have and the baseline's did not, with where."""
    before = {what for text in baseline.values() for what, _detail, _line in _uses(text)}
    found: dict[str, list[str]] = {}
    for path, text in sorted(candidate.items()):
        for what, detail, line in _uses(text):
            if what not in before:
                found.setdefault(what, []).append(f"{detail} ({path}:{line})")
    return [f"{what}: {', '.join(sorted(set(places))[:4])}" for what, places in sorted(found.items())]


def _tree(text: str) -> str | None:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and _is_docstring(body[0]):
            node.body = body[1:] or [ast.Pass()]  # type: ignore[attr-defined]
    return ast.dump(tree, include_attributes=False)


def _is_docstring(node: ast.stmt) -> bool:
    return isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)


def _uses(text: str) -> Iterator[tuple[str, str, int]]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return
    modules = {
        alias.asname or alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    docstrings = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr) and _is_docstring(node)}
    for node in ast.walk(tree):
        if id(node) not in docstrings:
            yield from _node_uses(node, modules)


def _node_uses(node: ast.AST, modules: set[str]) -> Iterator[tuple[str, str, int]]:
    line = getattr(node, "lineno", 0)
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield from _module_use(alias.name, line)
    elif isinstance(node, ast.ImportFrom) and node.module:
        yield from _module_use(node.module, line)
        for alias in node.names:
            dotted = f"{node.module}.{alias.name}"
            if dotted in ATTRIBUTES:
                yield ATTRIBUTES[dotted], dotted, line
    elif isinstance(node, ast.Attribute):
        dotted = _dotted(node)
        if dotted in ATTRIBUTES:
            yield ATTRIBUTES[dotted], dotted, line
        if node.attr in FRAME_ATTRIBUTES:
            yield "frame inspection", node.attr, line
        if isinstance(node.ctx, ast.Store | ast.Del) and isinstance(node.value, ast.Name) and node.value.id in modules:
            yield "changes to other modules", f"assigns {dotted}", line
    elif isinstance(node, ast.Name) and node.id in NAMES:
        yield NAMES[node.id], node.id, line
    elif isinstance(node, ast.Call):
        yield from _call_uses(node, line)
    elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in HOOKS:
        yield "object hooks", f"defines {node.name}", line
    elif isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
        value = node.value if isinstance(node.value, str) else node.value.decode("latin-1")
        if "/proc" in value or "/dev/" in value or "clear_refs" in value:
            yield "/proc and devices", repr(value[:40]), line


def _module_use(name: str, line: int) -> Iterator[tuple[str, str, int]]:
    top = name.split(".")[0]
    if top in MODULES:
        yield MODULES[top], f"import {name}", line


def _call_uses(node: ast.Call, line: int) -> Iterator[tuple[str, str, int]]:
    name = _dotted(node.func) if isinstance(node.func, ast.Attribute | ast.Name) else ""
    if name in ("setattr", "delattr"):
        yield "changes to other modules", name, line
    if name.split(".")[-1] in ("write_text", "write_bytes", "mkdir", "touch", "unlink"):
        yield "file writes", name, line
    if name == "open" or name.endswith(".open"):
        mode = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "mode"), None)
        if isinstance(mode, ast.Constant) and isinstance(mode.value, str) and _WRITE_MODES & set(mode.value):
            yield "file writes", f"open(..., {mode.value!r})", line


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))
