"""The metrics papers on code optimization report, computed from run records.

reference speedup   per task, the mean speedup of the reference contestant's runs in this benchmark (measured on
                    the same machine), else the task's declared `reference_speedup`
relative speedup    a run's speedup over its task's reference speedup (1.0 = as fast as the known-good solution)
Opt@K               GSO's metric: the share of tasks where at least one of K attempts is solved and reaches at
                    least 95% of the reference's speedup; estimated without bias from n >= K runs per task as
                    1 - C(n-c, K) / C(n, K) (c: the runs that reach it), like pass@k
per size            per task and grid point, the mean speedup of the shipped candidate at that point (1.0 for a
                    run that shipped nothing)
"""

from __future__ import annotations

import math
from statistics import mean
from typing import Any

OPT_THRESHOLD = 0.95


def reference_speedups(records: list[dict[str, Any]], declared: dict[str, float | None]) -> dict[str, float]:
    """task -> the reference's speedup: measured here when the reference contestant ran, else declared."""
    out = {task: float(value) for task, value in declared.items() if value}
    measured: dict[str, list[float]] = {}
    for r in records:
        if r["kind"] == "reference" and r["status"] == "ok" and r["solved"]:
            measured.setdefault(r["task"], []).append(r["speedup"])
    out.update({task: mean(values) for task, values in measured.items()})
    return out


def reaches_reference(record: dict[str, Any], references: dict[str, float]) -> bool:
    reference = references.get(record["task"])
    return (
        reference is not None
        and record["status"] == "ok"
        and bool(record["solved"])
        and record["speedup"] >= OPT_THRESHOLD * reference
    )


def opt_at_k(records: list[dict[str, Any]], references: dict[str, float], k: int) -> float | None:
    """The expected share of tasks (those with a reference) solved to >= 95% of the reference within k attempts;
    None when some task has fewer than k runs."""
    by_task: dict[str, list[bool]] = {}
    for r in records:
        if r["task"] in references:
            by_task.setdefault(r["task"], []).append(reaches_reference(r, references))
    if not by_task or any(len(runs) < k for runs in by_task.values()):
        return None
    return mean(_unbiased(len(runs), sum(runs), k) for runs in by_task.values())


def opt_curve(records: list[dict[str, Any]], references: dict[str, float]) -> dict[int, float]:
    """Opt@K for K = 1 .. the fewest runs any task has."""
    counts: dict[str, int] = {}
    for r in records:
        counts[r["task"]] = counts.get(r["task"], 0) + 1
    top = min((n for task, n in counts.items() if task in references), default=0)
    curve = {k: opt_at_k(records, references, k) for k in range(1, top + 1)}
    return {k: round(v, 4) for k, v in curve.items() if v is not None}


def relative_speedups(records: list[dict[str, Any]], references: dict[str, float]) -> dict[str, float]:
    """task -> mean over runs of speedup / reference speedup (runs that ended in an error are left out)."""
    by_task: dict[str, list[float]] = {}
    for r in records:
        if r["status"] == "ok" and r["task"] in references:
            by_task.setdefault(r["task"], []).append(r["speedup"] / references[r["task"]])
    return {task: round(mean(values), 4) for task, values in by_task.items()}


def grids(records: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """task -> its benchmark grid (the params of each point), from any run that shipped something."""
    out: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        if r["status"] == "ok" and r.get("points"):
            out.setdefault(r["task"], [p["params"] for p in r["points"]])
    return out


def per_size(
    records: list[dict[str, Any]], grid_of: dict[str, list[dict[str, Any]]]
) -> dict[str, list[dict[str, Any]]]:
    """task -> [{params, speedup (mean over runs), runs}] per grid point, in the grid's order, for the tasks these
    records ran that have a known grid (`grids`). A run that shipped nothing counts 1.0 at every point."""
    out: dict[str, list[dict[str, Any]]] = {}
    for task, grid in grid_of.items():
        runs = [r for r in records if r["task"] == task and r["status"] == "ok"]
        if not runs:
            continue
        rows = []
        for params in grid:
            values = [_point(r, params) for r in runs]
            rows.append({"params": params, "speedup": round(mean(values), 4), "runs": len(values)})
        out[task] = rows
    return out


def per_solved(total: float | None, solved: int) -> float | None:
    """A total (dollars, seconds) over the runs, per solved run; None when nothing was solved or nothing counted."""
    return None if total is None or solved == 0 else total / solved


def _point(record: dict[str, Any], params: dict[str, Any]) -> float:
    for point in record.get("points") or []:
        if point["params"] == params and point["speedup"] is not None:
            return float(point["speedup"])
    return 1.0


def _unbiased(n: int, c: int, k: int) -> float:
    if n - c < k:
        return 1.0
    return 1.0 - math.comb(n - c, k) / math.comb(n, k)
