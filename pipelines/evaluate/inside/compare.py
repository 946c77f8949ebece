"""Are two outcomes the same? Run by the judge on decoded data (see wire.py), never on the candidate's objects.

An outcome is a list `[status, value, after]`: status "r" (returned `value`) or "x" (raised; `value` is
`[exception type name, message]`), then the call's arguments as they were after the call, `[args, kwargs]`, or
SAME when they were as they came in; so mutating an input differently is a difference. `first_difference` returns
None when two outcomes agree, else one sentence naming where they differ.
"""

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING or __package__:  # imported by perfbot's tests; in the sandbox the harness directory is on sys.path
    from .wire import SAME, RawArray, Struct
else:
    from wire import SAME, RawArray, Struct

_MAX_SHOWN = 80
_EXACT = frozenset({list, tuple, dict, str, int, bool, bytes, type(None)})


def first_difference(baseline, candidate, rel_tol, abs_tol, given=None):
    """`given()`: the call's input as [args, kwargs], asked for only when one side's arguments are SAME and the
    other's are not (None: such a pair differs)."""
    if not isinstance(candidate, list) or len(candidate) != 3 or candidate[0] not in ("r", "x"):
        return f"answered {show(candidate)}, which is not an outcome (a forged answer?)"
    base_status, base_value, base_after = baseline
    status, value, after = candidate
    if status == "x" and not (isinstance(value, list) and len(value) == 2):
        return f"raised {show(value)}, which is not what perfbot's worker sends (a forged answer?)"
    if base_status == "x" or status == "x":
        return _exception_difference(base_status, base_value, status, value)
    found = _diff(base_value, value, "the return value", rel_tol, abs_tol)
    if found or base_after == after == SAME:
        return found
    if SAME in (base_after, after):
        as_given = given() if given is not None else None
        base_after, after = (as_given if x == SAME else x for x in (base_after, after))
    if not isinstance(base_after, list) or not isinstance(after, list) or len(after) != 2:
        return "the arguments after the call: not the [args, kwargs] perfbot asked for (a forged answer?)"
    (base_args, base_kwargs), (args, kwargs) = base_after, after
    found = _diff(base_args, args, "the arguments after the call", rel_tol, abs_tol)
    if found:
        return found + " (the call changed its input differently)"
    return _diff(base_kwargs, kwargs, "the keyword arguments after the call", rel_tol, abs_tol)


def _exception_difference(base_status, base_value, status, value):
    if status != "x":
        return f"returned {show(value)} where the baseline raised {base_value[0]}"
    if base_status != "x":
        message = f"{value[0]}: {value[1]}".strip(": ")
        return f"raised {message} where the baseline returned {show(base_value)}"
    if base_value[0] != value[0]:
        return f"raised {value[0]} where the baseline raised {base_value[0]}"
    return None


def _diff(a, b, where, rel_tol, abs_tol):
    """`a` is the baseline's value, `b` the candidate's."""
    if type(a) in _EXACT and type(b) is type(a) and a == b:
        return None  # equal to the bit (decoded data only: no candidate code runs in ==); the common case, fast
    if type(a) is not type(b):
        return f"{where}: {_type_name(b)} {show(b)} where the baseline gave {_type_name(a)} {show(a)}"
    if isinstance(a, float):
        return None if _close(a, b, rel_tol, abs_tol) else f"{where}: {b!r} where the baseline gave {a!r}"
    if isinstance(a, complex):
        same = _close(a.real, b.real, rel_tol, abs_tol) and _close(a.imag, b.imag, rel_tol, abs_tol)
        return None if same else f"{where}: {b!r} where the baseline gave {a!r}"
    if isinstance(a, (list, tuple)):
        return _sequence_diff(a, b, where, rel_tol, abs_tol)
    if isinstance(a, dict):
        if a.keys() != b.keys():
            return f"{where}: keys {show(sorted(b, key=repr))} where the baseline gave {show(sorted(a, key=repr))}"
        for key in a:
            found = _diff(a[key], b[key], f"{where}[{key!r}]", rel_tol, abs_tol)
            if found:
                return found
        return None
    if isinstance(a, Struct):
        if (a.kind, a.name) != (b.kind, b.name):
            return f"{where}: {b.name} where the baseline gave {a.name}"
        return _diff(dict(a.fields), dict(b.fields), f"{where} ({a.name.rsplit('.', 1)[-1]})", rel_tol, abs_tol)
    if _is_array(a):
        return _array_diff(a, b, where, rel_tol, abs_tol)
    return None if a == b else f"{where}: {show(b)} where the baseline gave {show(a)}"


def _sequence_diff(a, b, where, rel_tol, abs_tol):
    if len(a) != len(b):
        return f"{where}: length {len(b)} where the baseline gave length {len(a)}"
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        found = _diff(x, y, f"{where}[{i}]", rel_tol, abs_tol)
        if found:
            return found
    return None


def _close(a, b, rel_tol, abs_tol):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=rel_tol, abs_tol=abs_tol)


def _is_array(value):
    return type(value).__module__ == "numpy" and hasattr(value, "shape")


def _array_diff(a, b, where, rel_tol, abs_tol):
    import numpy

    if a.shape != b.shape:
        return f"{where}: shape {b.shape} where the baseline gave shape {a.shape}"
    if a.dtype != b.dtype:
        return f"{where}: dtype {b.dtype} where the baseline gave dtype {a.dtype}"
    if a.dtype.hasobject:
        return _sequence_diff(a.ravel().tolist(), b.ravel().tolist(), where, rel_tol, abs_tol)
    inexact = a.dtype.kind in "fc"
    same = numpy.isclose(a, b, rtol=rel_tol, atol=abs_tol, equal_nan=True) if inexact else a == b
    if bool(numpy.all(same)):
        return None
    index = tuple(int(i) for i in numpy.argwhere(~numpy.asarray(same))[0])
    return f"{where}{list(index)}: {b[index]!r} where the baseline gave {a[index]!r}"


def _type_name(value):
    if isinstance(value, Struct):
        return value.name
    if isinstance(value, RawArray):
        return "numpy.ndarray"
    return type(value).__name__


def describe(outcome):
    """An outcome in a few words: "returned 3.5" or "raised KeyError: 'x'"."""
    status, value = outcome[0], outcome[1]
    if status == "x":
        return f"raised {value[0]}: {value[1]}".rstrip(": ")
    return f"returned {show(value)}"


def show(value):
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."
