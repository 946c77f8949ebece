"""One fresh process that does one thing, run INSIDE the sandbox by the driver (runner.py). Stdlib only.

    python3 perfbot_child.py MODE ARGS_JSON      (cwd: the version's directory)

MODE is time, memory, inputs, output or compare. The result is one JSON object on the original stdout;
whatever the code under test prints goes to stderr, which the driver counts and caps.
"""

# A timing child should start as fast as `python -c`: modules only one mode needs (pickle, tracemalloc)
# are imported inside that mode.
import gc
import importlib
import json
import os
import sys
import time


def main(argv):
    mode, args = argv[0], json.loads(argv[1])
    # Keep a private channel for the result; whatever the code under test prints goes to stderr.
    channel = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.path[0] = os.getcwd()
    try:
        result = CHILD_MODES[mode](args)
    except BaseException as e:
        result = {"error": _describe_exception(mode, e)}
    channel.write(json.dumps(result))
    channel.flush()
    return 0


def _describe_exception(mode, error):
    where = {"inputs": "building the input", "compare": "comparing outputs"}.get(mode, "the call")
    return f"raised {type(error).__name__}: {_short(str(error))} during {where}"


def _short(text, limit=300):
    return text if len(text) <= limit else text[:limit] + "..."


def _import(ref):
    module_name, _, attr = ref.partition(":")
    value = importlib.import_module(module_name)
    for part in attr.split("."):
        value = getattr(value, part)
    return value


def _make_input(args):
    made = _import(args["inputs"])(**args["params"])
    if isinstance(made, dict) and set(made) <= {"args", "kwargs"}:
        return list(made.get("args", [])), dict(made.get("kwargs", {}))
    if isinstance(made, tuple):
        return list(made), {}
    raise TypeError(f"{args['inputs']} must return a tuple of arguments or {{'args': [...], 'kwargs': {{...}}}}")


def _child_time(args):
    function = _import(args["entry"])
    call_args, call_kwargs = _make_input(args)
    gc.collect()
    gc.disable()
    started = time.perf_counter()
    function(*call_args, **call_kwargs)
    elapsed = time.perf_counter() - started
    gc.enable()
    return {"time_s": elapsed}


def _child_memory(args):
    import tracemalloc

    function = _import(args["entry"])
    tracemalloc.start()
    call_args, call_kwargs = _make_input(args)
    gc.collect()
    tracemalloc.reset_peak()
    gc.disable()
    function(*call_args, **call_kwargs)
    gc.enable()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"peak_bytes": peak}


def _child_inputs(args):
    import pickle

    call_args, call_kwargs = _make_input(args)
    with open(args["out"], "wb") as f:
        pickle.dump((call_args, call_kwargs), f)
    return {}


def _child_output(args):
    import pickle

    function = _import(args["entry"])
    with open(args["input"], "rb") as f:
        call_args, call_kwargs = pickle.load(f)
    try:
        outcome = {"returned": function(*call_args, **call_kwargs)}
    except Exception as e:
        outcome = {"raised": type(e).__name__, "message": _short(str(e))}
    outcome["args"] = call_args
    outcome["kwargs"] = call_kwargs
    try:
        data = pickle.dumps(outcome)
    except Exception:
        data = pickle.dumps({key: _Repr(repr(value)) for key, value in outcome.items()})
    with open(args["out"], "wb") as f:
        f.write(data)
    return {}


class _Repr(str):
    """Stands for a value that could not be pickled: compared by its repr."""


def _child_compare(args):
    import pickle

    # The comparison helpers sit beside this script (copied as perfbot_compare.py); the repo stays first on
    # sys.path so that classes in the pickled outputs resolve to the baseline's code.
    sys.path.append(os.path.dirname(os.path.abspath(__file__)))
    from perfbot_compare import first_difference

    with open(args["baseline"], "rb") as f:
        base = pickle.load(f)
    with open(args["candidate"], "rb") as f:
        cand = pickle.load(f)
    return {"mismatch": first_difference(base, cand, args["rel_tol"], args["abs_tol"])}


CHILD_MODES = {
    "time": _child_time,
    "memory": _child_memory,
    "inputs": _child_inputs,
    "output": _child_output,
    "compare": _child_compare,
}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
