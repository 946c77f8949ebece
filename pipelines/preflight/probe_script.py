"""Runs INSIDE the sandbox (copied as `_perfbot_probe.py`, standard library only), as candidate code runs: imports
`benchmark.entry` and `benchmark.inputs` with `benchmark.pythonpath` first on sys.path, and calls the inputs
function once at the smallest grid point. Prints `PERFBOT_PROBE {json}`: {"problems": [...], "warnings": [...]},
each {"key", "problem", "fix"}.

argv[1] is a JSON spec: {entry, inputs, params, pythonpath}. The working directory is the repository's copy.
"""

import importlib
import inspect
import json
import os
import sys
import traceback

PLACEHOLDER = "PERFBOT-PLACEHOLDER"


def finding(key, problem, fix):
    return {"key": key, "problem": problem, "fix": fix}


def load(key, ref, pythonpath):
    """(the object `ref` names, None) or (None, a finding saying why it cannot be had)."""
    module, _, attr = ref.partition(":")
    try:
        obj = importlib.import_module(module)
    except Exception as e:
        where = ", ".join(p or "." for p in pythonpath)
        missing = getattr(e, "name", None) if isinstance(e, ModuleNotFoundError) else None
        if missing and module.split(".")[0] != missing.split(".")[0]:
            fix = (
                f"'{missing}' is a dependency the sandbox lacks: list it under sandbox.install (packages, a "
                "requirements file, or project: true), or name an image that has it in sandbox.image"
            )
        else:
            fix = f"check the module name and benchmark.pythonpath (now {where}); the module must be committed"
        return None, finding(key, f"importing {module} failed: {_last_line(e)}", fix)
    for part in attr.split("."):
        if not hasattr(obj, part):
            names = ", ".join(n for n in dir(obj) if _is_function(getattr(obj, n), n))[:300]
            return None, finding(key, f"{module} has no {attr!r}", f"name one of its callables: {names}")
        obj = getattr(obj, part)
    if not callable(obj):
        return None, finding(key, f"{ref} is a {type(obj).__name__}, not a callable", "name a function")
    return obj, None


def call_inputs(make, ref, params):
    """Findings about calling the inputs function at `params` (the smallest grid point)."""
    found, warnings = [], []
    try:
        signature = inspect.signature(make)
    except (TypeError, ValueError):
        signature = None
    seeded = signature is not None and "seed" in signature.parameters
    if signature is not None and not seeded:
        warnings.append(
            finding(
                "benchmark.inputs",
                f"{ref} takes no `seed`: every measured process gets the same inputs",
                "give it a `seed` parameter and build the inputs from random.Random(seed)",
            )
        )
    kwargs = dict(params, **({"seed": 0} if seeded else {}))
    if signature is not None:
        try:
            signature.bind(**kwargs)
        except TypeError as e:
            axes = ", ".join(params)
            found.append(finding("benchmark.params", f"{ref} cannot take the grid's axes ({axes}): {e}", _axes_fix()))
            return found, warnings
    try:
        made = make(**kwargs)
    except NotImplementedError as e:
        if PLACEHOLDER in str(e):
            fix = "write its body (perfbot init left it for you), then commit the file"
            found.append(finding("benchmark.inputs", f"{ref} is still perfbot init's placeholder", fix))
        else:
            found.append(finding("benchmark.inputs", f"{ref}({_show(kwargs)}) failed: {_last_line(e)}", _fails()))
        return found, warnings
    except Exception as e:
        found.append(finding("benchmark.inputs", f"{ref}({_show(kwargs)}) failed: {_last_line(e)}", _fails()))
        return found, warnings
    if not isinstance(made, (tuple, list)) and not (isinstance(made, dict) and set(made) <= {"args", "kwargs"}):
        found.append(
            finding(
                "benchmark.inputs",
                f"{ref} returned a {type(made).__name__}",
                'return a tuple of arguments, or {"args": [...], "kwargs": {...}}',
            )
        )
    return found, warnings


def _is_function(value, name):
    return callable(value) and not name.startswith("_") and not inspect.ismodule(value)


def _axes_fix():
    return "make benchmark.params' axes the inputs function's parameters (each axis is passed as a keyword)"


def _fails():
    return "fix the inputs function so it returns the arguments at every grid point"


def _show(kwargs):
    return ", ".join(f"{k}={v!r}" for k, v in kwargs.items())


def _last_line(error):
    lines = traceback.format_exception_only(type(error), error)
    return lines[-1].strip() if lines else type(error).__name__


def main():
    spec = json.loads(sys.argv[1])
    root = os.getcwd()
    for entry in reversed(spec["pythonpath"]):
        sys.path.insert(0, os.path.join(root, entry) if entry else root)
    problems, warnings = [], []
    _entry, problem = load("benchmark.entry", spec["entry"], spec["pythonpath"])
    problems += [problem] if problem else []
    make, problem = load("benchmark.inputs", spec["inputs"], spec["pythonpath"])
    problems += [problem] if problem else []
    if make is not None:
        found, warned = call_inputs(make, spec["inputs"], spec["params"])
        problems += found
        warnings += warned
    print("PERFBOT_PROBE " + json.dumps({"problems": problems, "warnings": warnings}))


if __name__ == "__main__":
    main()
