"""The leaderboard as markdown: ranking, per-task speedups, failure modes, and how the numbers were made."""

from __future__ import annotations

from typing import Any

from pipelines.bench.suite import Task


def markdown(rows: list[dict[str, Any]], tasks: list[Task], *, repeats: int, suite: str, plot: str | None) -> str:
    lines = [
        "# perfbot bench: leaderboard",
        "",
        f"Suite `{suite}`: {len(tasks)} task(s) × {repeats} repeat(s). Figures are means over repeats "
        "± the half-width of the 95% confidence interval (t), when there are two repeats or more.",
        "",
        "| # | contestant | solved | mean speedup | geo-mean speedup | correctness failures caught | "
        "edit-failure rate | tokens / run | $ / run | wall s / run | errors |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for rank, row in enumerate(rows, start=1):
        solved = _ci(row["solved"], "{:.1f}") + f" / {row['tasks']}"
        lines.append(
            f"| {rank} | {row['contestant']} | {solved} | {_ci(row['mean_speedup'], '{:.2f}x')} | "
            f"{_ci(row['geomean_speedup'], '{:.2f}x')} | {row['correctness_failures']} | "
            f"{_pct(row['edit_failure_rate'])} | {_num(row['tokens_per_run'], '{:,.0f}')} | "
            f"{_num(row['usd_per_run'], '${:.4f}')} | {_num(row['wall_s_per_run'], '{:.1f}')} | {row['errors']} |"
        )
    lines += ["", *per_task(rows, tasks), "", *failure_modes(rows)]
    if plot:
        lines += ["", "## Speedup vs budget", "", f"![geo-mean speedup vs step budget]({plot})"]
    lines += [
        "",
        "## Method",
        "",
        "- A run's speedup is the score (weighted geometric mean of baseline/candidate over the benchmark grid) of "
        "the candidate it got accepted by perfbot's evaluator, or 1.0 when none was accepted.",
        "- External agents are scored on what they left in the workspace, with the same evaluator.",
        "- Correctness failures caught: candidates rejected because tests failed, outputs differed or the "
        "benchmark crashed on them.",
        "- Tunnel vision: share of consecutive candidates of one agent whose diffs are ≥90% similar.",
        "- Budget exhausted: share of agents that stopped at their step limit or the dollar budget.",
    ]
    return "\n".join(lines) + "\n"


def per_task(rows: list[dict[str, Any]], tasks: list[Task]) -> list[str]:
    header = "| task | kind | reference | " + " | ".join(row["contestant"] for row in rows) + " |"
    lines = ["## Per task (mean speedup; solved runs / runs)", "", header, "|---" * (len(rows) + 3) + "|"]
    for task in tasks:
        cells = []
        for row in rows:
            cell = row["per_task"].get(task.name)
            cells.append(f"{_ci(cell, '{:.2f}x')} ({cell['solved']}/{cell['runs']})" if cell else "–")
        reference = f"{task.reference_speedup:g}x" if task.reference_speedup else "–"
        lines.append(f"| {task.name} | {task.kind} | {reference} | " + " | ".join(cells) + " |")
    return lines


def failure_modes(rows: list[dict[str, Any]]) -> list[str]:
    lines = [
        "## Failure modes (from the traces)",
        "",
        "| contestant | edit failures by kind | evaluate calls / step | states measured / run | tunnel vision | "
        "budget exhausted | agents ended |",
        "|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        modes = row["failure_modes"]
        if modes is None:
            lines.append(f"| {row['contestant']} | (no agent trace) | – | – | – | – | – |")
            continue
        kinds = ", ".join(f"{k} {n}" for k, n in modes["edit_failures_by_kind"].items()) or "none"
        ends = ", ".join(f"{k} {n}" for k, n in modes["agent_ends"].items()) or "–"
        lines.append(
            f"| {row['contestant']} | {kinds} | {_num(modes['evaluate_calls_per_step'], '{:.2f}')} | "
            f"{modes['measured_per_run']:.1f} | "
            f"{_pct(modes['tunnel_vision'])} of {modes['candidate_pairs']} pairs | "
            f"{_pct(modes['budget_exhausted'])} | {ends} |"
        )
    return lines


def _ci(value: dict[str, Any], fmt: str) -> str:
    if value["mean"] is None:
        return "–"
    text = fmt.format(value["mean"])
    return text if value["ci"] is None else f"{text} ± {fmt.format(value['ci']).rstrip('x')}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _num(value: float | None, fmt: str) -> str:
    return "–" if value is None else fmt.format(value)
