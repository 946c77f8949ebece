"""`perfbot bench compare A B`: did a change (a prompt, an evaluation trigger, a strategy) make a difference?

Runs of A and B are paired by (task, repeat). Two tests, both named in the answer:

speedup   the paired sign-flip permutation test on the per-pair differences of log speedup, two-sided: exact over
          all 2^n sign assignments up to n = 16 pairs, else 100 000 random assignments (fixed seed). It assumes
          only that, were A and B alike, each difference were as likely positive as negative; no normality.
          With it, the geometric mean ratio B/A and its 95% t-interval.
solved    the exact McNemar test (two-sided binomial test on the pairs that one solved and the other did not).

A difference is called significant when p < 0.05.
"""

from __future__ import annotations

import itertools
import math
import random
from pathlib import Path
from statistics import mean
from typing import Any

from pipelines.bench.harness import load_record
from pipelines.bench.leaderboard import interval
from pipelines.errors import UsageError

ALPHA = 0.05
EXACT_UP_TO = 16
DRAWS = 100_000
SPEEDUP_TEST = "paired sign-flip permutation test on log speedups, two-sided"
SOLVED_TEST = "exact McNemar test on solved/unsolved pairs, two-sided"


def load_runs(spec: str, default_out: Path | None) -> list[dict[str, Any]]:
    """The ok records of a contestant: `NAME` (in `default_out`) or `RESULTS_DIR:NAME`."""
    folder, _, name = spec.rpartition(":")
    out = Path(folder) if folder else default_out
    if out is None:
        raise UsageError(f"{spec}: name the results folder (--out DIR, or DIR:{spec})")
    paths = sorted((out / "runs").glob(f"*/{name}/*.json"))
    records = [r for p in paths if (r := load_record(p)) is not None and r.get("status") == "ok"]
    if not records:
        known = sorted({p.name for p in (out / "runs").glob("*/*") if p.is_dir()})
        raise UsageError(f"{out}: no finished runs of contestant {name!r}; the folder has {known}")
    return records


def compare(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> dict[str, Any]:
    first = {(r["task"], r["repeat"]): r for r in a}
    pairs = [(first[key], r) for r in b if (key := (r["task"], r["repeat"])) in first]
    if not pairs:
        raise UsageError("A and B have no run on the same task and repeat to pair")
    logs = [math.log(rb["speedup"]) - math.log(ra["speedup"]) for ra, rb in pairs]
    ratio = interval(logs)
    only_a = sum(1 for ra, rb in pairs if ra["solved"] and not rb["solved"])
    only_b = sum(1 for ra, rb in pairs if rb["solved"] and not ra["solved"])
    p_speed, p_solved = sign_flip_p(logs), mcnemar_p(only_a, only_b)
    return {
        "pairs": len(pairs),
        "speedup_ratio": math.exp(ratio["mean"]),
        "speedup_ratio_ci95": [math.exp(ratio["mean"] - ratio["ci"]), math.exp(ratio["mean"] + ratio["ci"])]
        if ratio["ci"] is not None
        else None,
        "speedup_test": SPEEDUP_TEST,
        "speedup_p": p_speed,
        "speedup_significant": p_speed < ALPHA,
        "solved": {"a": sum(ra["solved"] for ra, _ in pairs), "b": sum(rb["solved"] for _, rb in pairs)},
        "solved_only_a": only_a,
        "solved_only_b": only_b,
        "solved_test": SOLVED_TEST,
        "solved_p": p_solved,
        "solved_significant": p_solved < ALPHA,
        "mean_speedup": {"a": mean(ra["speedup"] for ra, _ in pairs), "b": mean(rb["speedup"] for _, rb in pairs)},
    }


def sign_flip_p(differences: list[float]) -> float:
    """Two-sided p of the paired sign-flip permutation test of mean(differences) = 0."""
    values = [d for d in differences if d != 0.0]
    if not values:
        return 1.0
    observed = abs(sum(values)) - 1e-12
    if len(values) <= EXACT_UP_TO:
        signs = itertools.product((1, -1), repeat=len(values))
        hits = sum(1 for s in signs if abs(sum(x * y for x, y in zip(s, values, strict=True))) >= observed)
        return hits / 2 ** len(values)
    rng = random.Random(0)
    hits = sum(1 for _ in range(DRAWS) if abs(sum(v if rng.random() < 0.5 else -v for v in values)) >= observed)
    return (hits + 1) / (DRAWS + 1)


def mcnemar_p(only_a: int, only_b: int) -> float:
    n = only_a + only_b
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, i) for i in range(min(only_a, only_b) + 1)) / 2**n
    return min(1.0, 2 * tail)


def text(name_a: str, name_b: str, result: dict[str, Any]) -> str:
    ci = result["speedup_ratio_ci95"]
    ci_text = f", 95% CI {ci[0]:.2f}–{ci[1]:.2f}" if ci else ""
    verdict = "a significant" if result["speedup_significant"] else "no significant"
    solved = "a significant" if result["solved_significant"] else "no significant"
    return "\n".join(
        [
            f"{name_b} vs {name_a}: {result['pairs']} paired runs (same task, same repeat)",
            f"speedup: geo-mean ratio B/A {result['speedup_ratio']:.3f}{ci_text}; mean speedup "
            f"{result['mean_speedup']['a']:.2f}x -> {result['mean_speedup']['b']:.2f}x",
            f"  {result['speedup_test']}: p = {result['speedup_p']:.4f} -> {verdict} difference at alpha {ALPHA}",
            f"solved: {result['solved']['a']} -> {result['solved']['b']} (only A {result['solved_only_a']}, "
            f"only B {result['solved_only_b']})",
            f"  {result['solved_test']}: p = {result['solved_p']:.4f} -> {solved} difference at alpha {ALPHA}",
        ]
    )
