"""The leaderboard: per contestant, what its runs achieved, with 95% confidence intervals over repeats.

A run's speedup is the score of the candidate it got accepted, or 1.0 when it got none (nothing would ship).
Per repeat, a contestant's runs over all tasks give: tasks solved, the mean and the geometric mean of the
speedups. Each figure is then the mean over repeats ± the half-width of its 95% t-interval (none with one repeat).
"""

from __future__ import annotations

import math
from collections import Counter
from statistics import mean, stdev
from typing import Any

from pipelines.bench import metrics

# Two-sided 95% t critical values by degrees of freedom (scipy is not a dependency); beyond 30, the normal's 1.96.
_T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131]
_T95 += [2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]


def interval(values: list[float]) -> dict[str, Any]:
    """{'mean', 'ci', 'n'}: the mean and the half-width of its 95% confidence interval (None below 2 values)."""
    if not values:
        return {"mean": None, "ci": None, "n": 0}
    n = len(values)
    if n < 2:
        return {"mean": values[0], "ci": None, "n": 1}
    t = _T95[n - 2] if n - 2 < len(_T95) else 1.96
    return {"mean": mean(values), "ci": t * stdev(values) / math.sqrt(n), "n": n}


def geomean(values: list[float]) -> float:
    return math.exp(mean(math.log(v) for v in values)) if values else 1.0


def build(records: list[dict[str, Any]], references: dict[str, float] | None = None) -> list[dict[str, Any]]:
    """One entry per contestant (in first-seen order), ranked by geo-mean speedup, then tasks solved.
    `references` (task -> the reference's speedup, see `metrics.reference_speedups`) gives the relative speedups
    and Opt@K; by default it is taken from the reference contestant's records."""
    counts = Counter((r["task"], r["contestant"], r["repeat"]) for r in records)
    repeated = sorted(k for k, n in counts.items() if n > 1)
    if repeated:
        raise ValueError(f"records repeat (task, contestant, repeat) {repeated[:3]}: a run would be counted twice")
    names = list(dict.fromkeys(r["contestant"] for r in records))
    if references is None:
        references = metrics.reference_speedups(records, {})
    grids = metrics.grids(records)
    rows = [_contestant([r for r in records if r["contestant"] == name], name, references, grids) for name in names]
    return sorted(rows, key=lambda row: (-(row["geomean_speedup"]["mean"] or 0), -(row["solved"]["mean"] or 0)))


def _contestant(
    records: list[dict[str, Any]], name: str, references: dict[str, float], grids: dict[str, list[dict[str, Any]]]
) -> dict[str, Any]:
    ok = [r for r in records if r["status"] == "ok"]
    by_repeat: dict[int, list[dict[str, Any]]] = {}
    for r in ok:
        by_repeat.setdefault(r["repeat"], []).append(r)
    groups = list(by_repeat.values())
    usage = [r.get("usage") or {} for r in ok]
    tokens = [u["input_tokens"] + u["output_tokens"] for u in usage if "input_tokens" in u]
    dollars = [u["usd"] for u in usage if "usd" in u]
    traced = [r["failures"] for r in ok if r.get("failures")]
    edit_calls = sum(f["edit_calls"] for f in traced)
    solved_runs = sum(1 for r in ok if r["solved"])
    relative = metrics.relative_speedups(ok, references)
    return {
        "contestant": name,
        "family": name.split("@")[0],
        "kind": records[0]["kind"],
        "runs": len(records),
        "errors": len(records) - len(ok),
        "tasks": len({r["task"] for r in records}),
        "budget": (ok[0] if ok else records[0]).get("budget"),
        "solved": interval([float(sum(r["solved"] for r in g)) for g in groups]),
        "mean_speedup": interval([mean(r["speedup"] for r in g) for g in groups]),
        "geomean_speedup": interval([geomean([r["speedup"] for r in g]) for g in groups]),
        "correctness_failures": sum(r["correctness_failures"] for r in ok),
        "edit_failure_rate": (sum(f["edit_failures"] for f in traced) / edit_calls) if edit_calls else None,
        "tokens_per_run": mean(tokens) if tokens else None,
        "usd_per_run": mean(dollars) if dollars else None,
        "usd_total": sum(dollars) if dollars else None,
        "wall_s_per_run": mean(r["wall_s"] for r in ok) if ok else None,
        "usd_per_solved": metrics.per_solved(sum(dollars) if dollars else None, solved_runs),
        "wall_s_per_solved": metrics.per_solved(sum(r["wall_s"] for r in ok) if ok else None, solved_runs),
        "relative_to_reference": geomean(list(relative.values())) if relative else None,
        "relative_per_task": relative,
        "opt_at_k": metrics.opt_curve(records, references),
        "per_size": metrics.per_size(records, grids),
        "usage_per_run": _usage(ok),
        "failure_modes": _failure_modes(traced) if traced else None,
        "log_failure_modes": _log_modes(ok),
        "per_task": {
            task: interval([r["speedup"] for r in ok if r["task"] == task])
            | {
                "solved": sum(r["solved"] for r in ok if r["task"] == task),
                "runs": sum(1 for r in records if r["task"] == task),
            }
            for task in dict.fromkeys(r["task"] for r in records)
        },
    }


def _log_modes(ok: list[dict[str, Any]]) -> dict[str, int] | None:
    """External agents: failure modes counted in their logs, summed over runs (None for contestants with a trace)."""
    logged = [r["log_failures"] for r in ok if r.get("log_failures") is not None]
    if not logged:
        return None
    total: Counter[str] = Counter()
    for counts in logged:
        total.update(counts)
    return dict(total.most_common())


def _usage(ok: list[dict[str, Any]]) -> dict[str, float | None]:
    """What the runs actually used, per run: model tokens, dollars and wall seconds (None when not reported)."""
    usage = [r.get("usage") or {} for r in ok]
    tokens = [u["input_tokens"] + u["output_tokens"] for u in usage if "input_tokens" in u]
    dollars = [u["usd"] for u in usage if "usd" in u]
    return {
        "tokens": mean(tokens) if tokens else None,
        "usd": mean(dollars) if dollars else None,
        "wall_s": mean(r["wall_s"] for r in ok) if ok else None,
    }


def _failure_modes(traced: list[dict[str, Any]]) -> dict[str, Any]:
    kinds: Counter[str] = Counter()
    ends: Counter[str] = Counter()
    for f in traced:
        kinds.update(f["edit_failures_by_kind"])
        ends.update(f["agent_ends"])
    steps = sum(f["steps"] for f in traced)
    pairs = sum(f["candidate_pairs"] for f in traced)
    agents = sum(ends.values())
    return {
        "edit_failures_by_kind": dict(kinds.most_common()),
        "evaluate_calls_per_step": sum(f["evaluate_calls"] for f in traced) / steps if steps else None,
        "measured_per_run": mean(f["measured"] for f in traced),
        "tunnel_vision": sum(f["similar_pairs"] for f in traced) / pairs if pairs else None,
        "candidate_pairs": pairs,
        "agent_ends": dict(ends.most_common()),
        "budget_exhausted": (ends["budget"] + ends["step limit"]) / agents if agents else None,
    }
