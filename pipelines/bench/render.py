"""The leaderboard as markdown: ranking, per-task speedups, failure modes, and how the numbers were made."""

from __future__ import annotations

from typing import Any

from pipelines.bench.suite import Task


def markdown(
    rows: list[dict[str, Any]],
    tasks: list[Task],
    *,
    repeats: int,
    suite: str,
    plots: dict[str, str],
    context: dict[str, Any],
) -> str:
    """`plots`: title -> file beside the leaderboard; `context`: the document of leaderboard.json (environment,
    timing isolation, network, references)."""
    lines = [
        "# perfbot bench: leaderboard",
        "",
        f"Suite `{suite}`: {len(tasks)} task(s) × {repeats} repeat(s). Figures are means over repeats "
        "± the half-width of the 95% confidence interval (t), when there are two repeats or more.",
        "",
        *_header(
            [
                "#",
                "contestant",
                "solved",
                "mean speedup",
                "geo-mean speedup",
                "correctness failures caught",
                "edit-failure rate",
                "tokens / run",
                "$ / run",
                "wall s / run",
                "errors",
            ]
        ),
    ]
    for rank, row in enumerate(rows, start=1):
        solved = _ci(row["solved"], "{:.1f}") + f" / {row['tasks']}"
        lines.append(
            f"| {rank} | {row['contestant']} | {solved} | {_ci(row['mean_speedup'], '{:.2f}x')} | "
            f"{_ci(row['geomean_speedup'], '{:.2f}x')} | {row['correctness_failures']} | "
            f"{_pct(row['edit_failure_rate'])} | {_num(row['tokens_per_run'], '{:,.0f}')} | "
            f"{_num(row['usd_per_run'], '${:.4f}')} | {_num(row['wall_s_per_run'], '{:.1f}')} | {row['errors']} |"
        )
    lines += _network_warning(context)
    lines += ["", *paper_metrics(rows), "", *opt_curve(rows), "", *per_task(rows, tasks, context["references"])]
    lines += ["", *per_size(rows, tasks), "", *failure_modes(rows)]
    for title, file in plots.items():
        lines += ["", f"## {title}", "", f"![{title}]({file})"]
    lines += ["", *environment(context)]
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
        "- Reference (per-task table): the reference contestant's mean speedup measured in this benchmark, else the "
        "task's declared reference_speedup. Relative speedup: a run's speedup over it.",
        "- Opt@K (GSO): the share of tasks where at least one of K attempts is solved at ≥ 95% of the reference's "
        "speedup, estimated from n ≥ K runs per task as 1 − C(n−c, K)/C(n, K).",
        "- $ and wall s per solved task: the contestant's total over all runs divided by its solved runs.",
        "- Budgets: perfbot contestants are held to agents × steps × rounds; an external agent only to the limits "
        "its CLI enforces (its record's budget.enforced); what it used (tokens, $, wall time) is recorded and plotted.",
    ]
    return "\n".join(lines) + "\n"


def paper_metrics(rows: list[dict[str, Any]]) -> list[str]:
    lines = _table(
        "Against the reference, and per solved task",
        [
            "contestant",
            "speedup relative to reference (geo-mean over tasks)",
            "Opt@1",
            "Opt@K (K = runs per task)",
            "$ / solved task",
            "wall s / solved task",
            "tokens / run (as used)",
        ],
    )
    for row in rows:
        curve = row["opt_at_k"]
        top = max(curve) if curve else None
        lines.append(
            f"| {row['contestant']} | {_num(row['relative_to_reference'], '{:.2f}')} | "
            f"{_pct(curve.get(1))} | {_pct(curve.get(top)) + f' (K={top})' if top else '–'} | "
            f"{_num(row['usd_per_solved'], '${:.4f}')} | {_num(row['wall_s_per_solved'], '{:.1f}')} | "
            f"{_num(row['tokens_per_run'], '{:,.0f}')} |"
        )
    return lines


def opt_curve(rows: list[dict[str, Any]]) -> list[str]:
    top = max((max(row["opt_at_k"]) for row in rows if row["opt_at_k"]), default=0)
    if not top:
        return []
    ks = list(range(1, top + 1))
    lines = _table(
        "Opt@K curve (share of tasks with at least one of K attempts at ≥ 95% of the reference's speedup)",
        ["contestant", *(f"Opt@{k}" for k in ks)],
    )
    for row in rows:
        lines.append(f"| {row['contestant']} | " + " | ".join(_pct(row["opt_at_k"].get(k)) for k in ks) + " |")
    return lines


def per_size(rows: list[dict[str, Any]], tasks: list[Task]) -> list[str]:
    lines = ["## Per task and size (mean speedup of what shipped at each grid point; 1.0 when nothing shipped)"]
    for task in tasks:
        grid = next((row["per_size"][task.name] for row in rows if task.name in row["per_size"]), None)
        if grid is None:
            continue
        labels = [", ".join(f"{k}={v}" for k, v in p["params"].items()) for p in grid]
        lines += ["", f"**{task.name}**", "", *_header(["contestant", *labels])]
        for row in rows:
            mine = {_key(p["params"]): p["speedup"] for p in row["per_size"].get(task.name, [])}
            cells = [f"{mine[_key(p['params'])]:.2f}x" if _key(p["params"]) in mine else "–" for p in grid]
            lines.append(f"| {row['contestant']} | " + " | ".join(cells) + " |")
    return lines


def environment(context: dict[str, Any]) -> list[str]:
    env, timing = context["environment"], context["timing"]
    return [
        "## Reproducibility",
        "",
        f"- perfbot {env['perfbot_version']} (commit `{env['perfbot_commit']}`), Python {env['python']} "
        f"({env['python_implementation']}), {env['platform']}",
        f"- host `{env['host']}`: {env['cpu']}, {env['cpu_count']} CPU(s); CPUs available {env['cpus_available']}; "
        f"benchmark CPU set {env['bench_cpus'] or 'the engine default (its last CPU)'}",
        f"- timing isolation: {timing['how']}",
        "- every run's record (`runs/TASK/CONTESTANT/N.json`) carries the same fields plus the task's sha256, the "
        "model and its settings, and the scripted session's sha256; `predictions.jsonl` holds every run's patch for "
        "`perfbot bench rescore`.",
    ]


def _network_warning(context: dict[str, Any]) -> list[str]:
    network = context.get("network", "none")
    if network == "open":
        return [
            "",
            "> **⚠ NETWORK OPEN.** External agents ran with unrestricted network access (`--network open`): they "
            "could reach any host, including ones holding answers. Compare these figures only with runs made the "
            "same way.",
        ]
    if network == "model-only":
        return [
            "",
            f"> Network: model-only — agents reached only {context.get('model_endpoint')} through the "
            "harness's proxy; candidate code was measured without network.",
        ]
    return []


def _key(params: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, str(v)) for k, v in params.items()))


def per_task(rows: list[dict[str, Any]], tasks: list[Task], references: dict[str, float]) -> list[str]:
    lines = _table(
        "Per task (mean speedup; solved runs / runs; × reference)",
        ["task", "kind", "reference speedup", *(row["contestant"] for row in rows)],
    )
    for task in tasks:
        cells = []
        for row in rows:
            cell = row["per_task"].get(task.name)
            relative = row["relative_per_task"].get(task.name)
            share = f", {relative:.2f}× ref" if relative is not None and row["kind"] != "reference" else ""
            cells.append(f"{_ci(cell, '{:.2f}x')} ({cell['solved']}/{cell['runs']}{share})" if cell else "–")
        measured = references.get(task.name)
        reference = f"{measured:.2f}x" if measured else "–"
        lines.append(f"| {task.name} | {task.kind} | {reference} | " + " | ".join(cells) + " |")
    return lines


def failure_modes(rows: list[dict[str, Any]]) -> list[str]:
    lines = _table(
        "Failure modes (from the traces)",
        [
            "contestant",
            "edit failures by kind",
            "evaluate calls / step",
            "states measured / run",
            "tunnel vision",
            "budget exhausted",
            "agents ended",
        ],
    )
    for row in rows:
        modes = row["failure_modes"]
        if modes is None:
            logged = row.get("log_failure_modes")
            if logged is not None:
                kinds = ", ".join(f"{k} {n}" for k, n in logged.items()) or "none"
                lines.append(f"| {row['contestant']} | from its log: {kinds} | – | – | – | – | – |")
            else:
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


def _table(title: str, columns: list[str]) -> list[str]:
    return [f"## {title}", "", *_header(columns)]


def _header(columns: list[str]) -> list[str]:
    """A markdown table's header row and its separator."""
    return ["| " + " | ".join(columns) + " |", "|---" * len(columns) + "|"]


def _ci(value: dict[str, Any], fmt: str) -> str:
    if value["mean"] is None:
        return "–"
    text = fmt.format(value["mean"])
    return text if value["ci"] is None else f"{text} ± {fmt.format(value['ci']).rstrip('x')}"


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _num(value: float | None, fmt: str) -> str:
    return "–" if value is None else fmt.format(value)
