"""Scripted sessions on examples/closest-pair and the two-hotspots fixture, as Messages API content blocks."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import git

Turn = list[dict[str, Any]]


def branches(repo: Path) -> list[str]:
    return git(repo, "for-each-ref", "--format=%(refname:short)", "refs/heads/perfbot").split()


def view(path: str) -> dict[str, Any]:
    return {"type": "tool_use", "name": "view_file", "input": {"path": path}}


def rewrite(symbol: str, code: str) -> dict[str, Any]:
    return {"type": "tool_use", "name": "rewrite_symbol", "input": {"symbol": symbol, "code": code}}


EVALUATE = {"type": "tool_use", "name": "evaluate", "input": {}}


def finish(summary: str = "done") -> dict[str, Any]:
    return {"type": "tool_use", "name": "finish", "input": {"summary": summary}}


DEMO: list[Turn] = yaml.safe_load(
    resources.files("pipelines.models").joinpath("scripts", "demo", "closest-pair.yaml").read_text("utf-8")
)

NEIGHBOURS_ONLY = """def closest_pair_distance(points):
    if len(points) < 2:
        raise ValueError("closest_pair_distance needs at least two points")
    ordered = sorted(points)
    return min(math.dist(p, q) for p, q in zip(ordered, ordered[1:]))
"""

SWEEP = DEMO[1][1]["input"]["code"]

WRONG: list[Turn] = [
    [view("geometry.py")],
    [
        {"type": "text", "text": "Only neighbours after sorting can be closest."},
        rewrite("geometry.py::closest_pair_distance", NEIGHBOURS_ONLY),
    ],
    [EVALUATE],
    [finish("compare neighbours only")],
]

NO_CHANGE: list[Turn] = [[view("geometry.py")], [finish("nothing to improve")]]

DISTINCT_FAST = '''def distinct_sorted(values):
    """The distinct values, ascending."""
    return sorted(set(values))
'''

PAIRS_FAST = '''def pairs_summing_to(values, target):
    """How many index pairs i < j have values[i] + values[j] == target."""
    counts = {}
    pairs = 0
    for v in values:
        pairs += counts.get(target - v, 0)
        counts[v] = counts.get(v, 0) + 1
    return pairs
'''

FIX_DISTINCT: list[Turn] = [
    [view("stats.py")],
    [rewrite("stats.py::distinct_sorted", DISTINCT_FAST)],
    [EVALUATE],
    [finish("a set instead of a list scan")],
]

FIX_PAIRS: list[Turn] = [
    [view("stats.py")],
    [rewrite("stats.py::pairs_summing_to", PAIRS_FAST)],
    [EVALUATE],
    [finish("count complements in one pass")],
]

LONG_COMMAND: dict[str, Any] = {"type": "tool_use", "name": "bash", "input": {"command": "sleep 300"}}
ACCEPTED_THEN_A_LONG_COMMAND: list[Turn] = [
    [view("geometry.py")],
    [rewrite("geometry.py::closest_pair_distance", SWEEP)],
    [EVALUATE],
    [LONG_COMMAND],
    [finish("a sweep over sorted points")],
]
"""An accepted candidate, then a command that would run for five minutes: a run to interrupt."""


def accepted(trace: Path) -> list[dict[str, Any]]:
    """The evaluation events of accepted candidates in a run's trace so far."""
    if not trace.is_file():
        return []
    events = [json.loads(line) for line in trace.read_text().splitlines()]
    return [e for e in events if e["type"] == "evaluation" and e["status"] == "accepted"]
