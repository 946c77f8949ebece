"""Runs INSIDE the sandbox (copied as `_perfbot_profile.py`, standard library only): one benchmark call under
cProfile; prints `PERFBOT_PROFILE {json}` with each target-file function's own CPU time (CPU time, not wall time,
so a busy machine does not reorder the hot spots).

argv[1] is a JSON spec: {entry, inputs, params, files, pythonpath}, or {mode: "tests", args, files, pythonpath} to
profile the tests instead (pytest in this process with `args`: what `perfbot init` proposes an entry from). The
working directory is the repo root; the `pythonpath` entries (repository-relative, '' for the root) go first on
sys.path, as in the judge.
"""

import ast
import cProfile
import importlib
import json
import os
import pstats
import sys
import time


def load(ref):
    module, _, attr = ref.partition(":")
    obj = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def definitions(path):
    """(first line, last line, dotted name) of every def in the file, outer ones first."""
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    found = []

    def walk(node, prefix):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                name = prefix + child.name
                if not isinstance(child, ast.ClassDef):
                    first = min([child.lineno] + [d.lineno for d in child.decorator_list])
                    found.append((first, child.end_lineno, name))
                walk(child, name + ".")
            else:
                walk(child, prefix)

    walk(tree, "")
    return found


def owner(defs, line):
    """The innermost def containing `line` (comprehensions and lambdas belong to it), or None."""
    inside = [d for d in defs if d[0] <= line <= d[1]]
    return min(inside, key=lambda d: d[1] - d[0]) if inside else None


def main():
    spec = json.loads(sys.argv[1])
    root = os.getcwd()
    for entry in reversed(spec.get("pythonpath", [""])):
        sys.path.insert(0, os.path.join(root, entry) if entry else root)
    profiler = cProfile.Profile(time.process_time)
    if spec.get("mode") == "tests":
        import pytest

        profiler.runcall(pytest.main, spec["args"])
    else:
        entry, inputs = load(spec["entry"]), load(spec["inputs"])
        made = inputs(**spec["params"])
        args, kwargs = (made.get("args", []), made.get("kwargs", {})) if isinstance(made, dict) else (made, {})
        profiler.runcall(entry, *args, **kwargs)
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(row[2] for row in stats.values())
    own: dict = {}
    defs_of: dict = {}
    for (filename, line, _name), (_cc, _nc, self_time, _cum, _callers) in stats.items():
        path = os.path.abspath(filename)
        if not path.startswith(root + os.sep):
            continue
        rel = os.path.relpath(path, root).replace(os.sep, "/")
        if rel not in spec["files"]:
            continue
        if rel not in defs_of:
            defs_of[rel] = definitions(path)
        found = owner(defs_of[rel], line)
        if found is not None:
            key = (rel, found[2], found[0])
            own[key] = own.get(key, 0.0) + self_time
    functions = [{"path": p, "symbol": s, "line": ln, "self_s": t} for (p, s, ln), t in own.items()]
    print("PERFBOT_PROFILE " + json.dumps({"total_s": total, "functions": functions}))


if __name__ == "__main__":
    main()
