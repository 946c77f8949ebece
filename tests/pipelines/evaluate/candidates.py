"""Versions of examples/closest-pair/geometry.py that the evaluator must tell apart.

Every "large input" misbehaviour triggers only above 100 points: the example's tests use at most 60, so the
benchmark grid (which goes beyond 100) is what has to catch it.
"""

from __future__ import annotations

FAST = """\
import math


def closest_pair_distance(points):
    if len(points) < 2:
        raise ValueError("closest_pair_distance needs at least two points")
    ordered = sorted(points)
    best = math.inf
    for i, p in enumerate(ordered):
        x = p[0]
        for j in range(i + 1, len(ordered)):
            q = ordered[j]
            if q[0] - x >= best:
                break
            distance = math.dist(p, q)
            if distance < best:
                best = distance
    return best
"""

OFF_BY_ONE = FAST.replace("for j in range(i + 1, len(ordered)):", "for j in range(i + 1, len(ordered) - 1):")

_SLOW_PATH = """\
import math
import os


def _naive(points):
    best = math.inf
    for i in range(len(points)):
        for j in range(i + 1, len(points)):
            best = min(best, math.dist(points[i], points[j]))
    return best


def closest_pair_distance(points):
    if len(points) < 2:
        raise ValueError("closest_pair_distance needs at least two points")
    if len(points) > 100:
        {large}
    return _naive(points)
"""


def on_large_inputs(statement: str) -> str:
    """The naive algorithm, except that `statement` runs (with `points` in scope) on inputs above 100 points."""
    return _SLOW_PATH.format(large=statement)


ROUNDED = on_large_inputs("return round(_naive(points), 3)")
RAISES = on_large_inputs('raise RuntimeError("too many points")')
MUTATES = on_large_inputs("points.sort()")
HANGS = on_large_inputs("while True: pass")
EXITS = on_large_inputs("os._exit(3)")
SEGFAULTS = on_large_inputs("import ctypes; ctypes.string_at(0)")
FLOODS = on_large_inputs('print("x" * 1000 * 3000)')
SLOWER = on_large_inputs("[_naive(points) for _ in range(4)]")


def no_op(original: str) -> str:
    """The same code with a cosmetic change."""
    return original.replace("best = math.inf", "best = math.inf  # the smallest distance seen so far")
