"""What the reviewer is told about a candidate's code before its numbers: no change, and what it newly uses."""

from __future__ import annotations

from pipelines.evaluate.scan import new_uses, unchanged

BASE = '''"""Stats."""
import math


def f(xs):
    """The mean."""
    return math.fsum(xs) / len(xs)
'''


def test_comments_docstrings_and_blank_lines_are_no_change() -> None:
    edited = BASE.replace('    """The mean."""\n', "").replace("def f(xs):", "def f(xs):  # why not\n\n")
    assert unchanged({"m.py": BASE}, {"m.py": edited})
    assert not unchanged({"m.py": BASE}, {"m.py": BASE.replace("fsum", "fsum") + "\nX = 1\n"})


def test_a_renamed_variable_is_a_change() -> None:
    assert not unchanged({"m.py": BASE}, {"m.py": BASE.replace("xs", "values")})


def test_a_new_file_or_one_that_does_not_parse_is_a_change() -> None:
    assert not unchanged({}, {"new.py": BASE})
    assert not unchanged({"m.py": BASE}, {"m.py": BASE + "def ("})


def test_new_uses_of_the_measurement_environment_are_listed_with_their_place() -> None:
    attack = (
        BASE
        + """
import time, os, tracemalloc, ctypes
time.perf_counter = lambda: 0.0
open("/proc/self/clear_refs", "w").write("5")


class Lazy:
    def __reduce__(self):
        return (os._exit, (0,))
"""
    )
    uses = "\n".join(new_uses({"m.py": BASE}, {"m.py": attack}))
    for expected in (
        "the clock: import time",
        "changes to other modules: assigns time.perf_counter (m.py:10)",
        "the memory tracer",
        "ctypes",
        "/proc and devices: '/proc/self/clear_refs'",
        "file writes: open(..., 'w')",
        "object hooks: defines __reduce__",
        "process exit: os._exit",
    ):
        assert expected in uses


def test_what_the_baseline_already_uses_and_ordinary_attribute_writes_are_not_listed() -> None:
    base = BASE + "\nimport time\nSTART = time.perf_counter()\n"
    candidate = (
        base
        + '''

class Box:
    """Mentions /proc in a docstring, which is not a use."""

    def __init__(self):
        self.value = time.perf_counter()
'''
    )
    assert new_uses({"m.py": base}, {"m.py": candidate}) == []
