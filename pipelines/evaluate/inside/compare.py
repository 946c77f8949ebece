"""Are two outcomes the same? Run by the judge on decoded data (see wire.py), never on the candidate's objects.

An outcome is a list `[status, value, args, kwargs]`: status "r" (returned `value`) or "x" (raised; `value` is
`[exception type name, message]`), then the call's arguments as they were after the call, so mutating an input
differently is a difference. `first_difference` returns None when two outcomes agree, else one sentence naming
where they differ.
"""

import math
from typing import TYPE_CHECKING

if TYPE_CHECKING or __package__:  # imported by perfbot's tests; in the sandbox the harness directory is on sys.path
    from .wire import RawArray, Struct
else:
    from wire import RawArray, Struct

_MAX_SHOWN = 80
_EXACT = frozenset({list, tuple, dict, str, int, bool, bytes, type(None)})


def first_difference(baseline, candidate, rel_tol, abs_tol):
    base_status, base_value, base_args, base_kwargs = baseline
    status, value, args, kwargs = candidate
    if base_status == "x" or status == "x":
        return _exception_difference(base_status, base_value, status, value)
    found = _diff(base_value, value, "the return value", rel_tol, abs_tol)
    if found:
        return found
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
