"""Output comparison, run INSIDE the sandbox (copied beside the runner as `perfbot_compare.py`). Stdlib only.

An outcome is a dict: `returned` (the value) or `raised` (the exception's type name) + `message`, and the
call's `args`/`kwargs` as they were after the call (so mutating an input is part of the output).
`first_difference` returns None when two outcomes agree, else one sentence naming where they differ.
"""

import math

_MAX_SHOWN = 80


def first_difference(baseline, candidate, rel_tol, abs_tol):
    if "raised" in baseline or "raised" in candidate:
        return _exception_difference(baseline, candidate)
    found = _diff(baseline["returned"], candidate["returned"], "the return value", rel_tol, abs_tol)
    if found:
        return found
    found = _diff(baseline["args"], candidate["args"], "the arguments after the call", rel_tol, abs_tol)
    if found:
        return found + " (the call changed its input differently)"
    return _diff(baseline["kwargs"], candidate["kwargs"], "the keyword arguments after the call", rel_tol, abs_tol)


def _exception_difference(baseline, candidate):
    if "raised" not in candidate:
        return f"returned {_show(candidate['returned'])} where the baseline raised {baseline['raised']}"
    if "raised" not in baseline:
        message = f"{candidate['raised']}: {candidate.get('message', '')}".strip(": ")
        return f"raised {message} where the baseline returned {_show(baseline['returned'])}"
    if baseline["raised"] != candidate["raised"]:
        return f"raised {candidate['raised']} where the baseline raised {baseline['raised']}"
    return None


def _diff(a, b, where, rel_tol, abs_tol):
    """`a` is the baseline's value, `b` the candidate's."""
    if _is_array(a) or _is_array(b):
        return _array_diff(a, b, where, rel_tol, abs_tol)
    if type(a) is not type(b):
        return f"{where}: {type(b).__name__} {_show(b)} where the baseline gave {type(a).__name__} {_show(a)}"
    if isinstance(a, float):
        if _close(a, b, rel_tol, abs_tol):
            return None
        return f"{where}: {b!r} where the baseline gave {a!r}"
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return f"{where}: length {len(b)} where the baseline gave length {len(a)}"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = _diff(x, y, f"{where}[{i}]", rel_tol, abs_tol)
            if found:
                return found
        return None
    if isinstance(a, dict):
        if a.keys() != b.keys():
            return f"{where}: keys {_show(sorted(b, key=repr))} where the baseline gave {_show(sorted(a, key=repr))}"
        for key in a:
            found = _diff(a[key], b[key], f"{where}[{key!r}]", rel_tol, abs_tol)
            if found:
                return found
        return None
    if type(a).__eq__ is object.__eq__ and hasattr(a, "__dict__"):
        # Plain objects compare by identity, which two processes never share: compare their attributes.
        return _diff(vars(a), vars(b), f"{where} (attributes)", rel_tol, abs_tol)
    try:
        equal = bool(a == b)
    except Exception as e:
        return f"{where}: could not be compared ({type(e).__name__}: {e})"
    return None if equal else f"{where}: {_show(b)} where the baseline gave {_show(a)}"


def _close(a, b, rel_tol, abs_tol):
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=rel_tol, abs_tol=abs_tol)


def _is_array(value):
    return hasattr(value, "shape") and hasattr(value, "dtype") and type(value).__module__.startswith("numpy")


def _array_diff(a, b, where, rel_tol, abs_tol):
    try:
        import numpy
    except ImportError:
        return f"{where}: arrays cannot be compared without numpy"
    if not (_is_array(a) and _is_array(b)):
        return f"{where}: {type(b).__name__} where the baseline gave {type(a).__name__}"
    if a.shape != b.shape:
        return f"{where}: shape {b.shape} where the baseline gave shape {a.shape}"
    if a.dtype.kind != b.dtype.kind:
        return f"{where}: dtype {b.dtype} where the baseline gave dtype {a.dtype}"
    inexact = a.dtype.kind in "fc"
    same = numpy.isclose(a, b, rtol=rel_tol, atol=abs_tol, equal_nan=True) if inexact else a == b
    if bool(numpy.all(same)):
        return None
    index = tuple(int(i) for i in numpy.argwhere(~numpy.asarray(same))[0])
    return f"{where}{list(index)}: {b[index]!r} where the baseline gave {a[index]!r}"


def _show(value):
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 3] + "..."
