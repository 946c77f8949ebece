"""`perfbot bench SUITE`: run contestants on a task suite and write the leaderboard.

Writes OUT/leaderboard.md, OUT/leaderboard.json and OUT/speedup_vs_budget.svg; the runs under OUT/runs/ make a
second invocation with the same OUT resume instead of starting over.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipelines.bench import agent_images, leaderboard, metrics, network, plot, predictions, provenance, render
from pipelines.bench.adapters import ADAPTERS, NO_HEADLESS_MODE
from pipelines.bench.contestants import (
    AnyContestant,
    CommandContestant,
    PerfbotContestant,
    expand_sweep,
    load_contestants,
    parse_sweep,
    require_unique,
    with_budget,
    with_reference,
)
from pipelines.bench.harness import run_benchmark
from pipelines.bench.suite import Task, load_suite
from pipelines.commands import bench_tools
from pipelines.commands.bench_tools import TOOLS
from pipelines.errors import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "suite",
        nargs="?",
        help="a folder of tasks (e.g. bench/tasks); or `check SUITE`, `compare A B`, `rescore PREDICTIONS SUITE`",
    )
    parser.add_argument("operands", nargs="*", help=argparse.SUPPRESS)
    parser.add_argument("--contestants", type=Path, help="YAML file of contestants (default: perfbot as configured)")
    parser.add_argument("--model", help="without --contestants: the model of the one perfbot contestant")
    parser.add_argument("--tasks", help="comma-separated task names to run (default: all)")
    parser.add_argument("--repeats", type=int, default=1, help="runs per task and contestant (default 1)")
    parser.add_argument(
        "--sweep", help="K x M [x R] splits of one total for every perfbot contestant: '1x100,10x10,5x10x2' or '100'"
    )
    parser.add_argument("--budget-steps", type=int, help="equal step budget: K x M x rounds for every contestant")
    parser.add_argument("--budget-usd", type=float, help="equal dollar budget per run for every contestant")
    parser.add_argument("--sandbox", choices=["docker", "local"], help="where code runs (default: docker)")
    parser.add_argument(
        "--jobs",
        type=int,
        help="runs in parallel; measurements never overlap (default: 1 with --sandbox local, else cores - 1)",
    )
    parser.add_argument("--out", type=Path, help="results folder (default: .perfbot/bench/<suite name>)")
    parser.add_argument("--retry-errors", action="store_true", help="run again the runs that ended in an error")
    parser.add_argument(
        "--with-reference", action="store_true", help="add the tasks' known-good solutions as a contestant (a ceiling)"
    )
    parser.add_argument("--list-adapters", action="store_true", help="list the command adapters and exit")
    parser.add_argument(
        "--report-only", action="store_true", help="run nothing: redraw the leaderboard from the stored runs"
    )
    parser.add_argument(
        "--network",
        choices=["none", "model-only", "open"],
        default="none",
        help="external agents' network: none (default); model-only (egress only to the model endpoint, through a "
        "proxy the harness runs); open (anything; loudly marked in the leaderboard). Measurements never have network",
    )
    parser.add_argument("--model-endpoint", help="with --network model-only: the URL agents may reach (host:port)")


def run(args: argparse.Namespace) -> int:
    if args.list_adapters:
        print(adapter_list())
        return 0
    if args.suite is None:
        raise UsageError("name a task suite, e.g. `perfbot bench bench/tasks`")
    say = _say(time.monotonic())
    if args.suite in TOOLS:
        return bench_tools.run_tool(args.suite, args.operands, args, say)
    if args.operands:
        raise UsageError(f"unexpected argument(s) {args.operands}: `perfbot bench SUITE` takes one suite")
    if args.repeats < 1 or (args.jobs is not None and args.jobs < 1):
        raise UsageError("--repeats and --jobs must be at least 1")
    suite = Path(args.suite)
    tasks = load_suite(suite, args.tasks.split(",") if args.tasks else None)
    contestants = contestants_of(args)
    out = (args.out or Path(".perfbot") / "bench" / suite.resolve().name).resolve()
    jobs = args.jobs or default_jobs(args.sandbox)
    say(f"{len(tasks)} task(s) x {len(contestants)} contestant(s) x {args.repeats} repeat(s) -> {out}")
    if not args.report_only:
        agent_images.prepare(contestants, args.sandbox, say)
    with network.for_agents(args.network, contestants, args.sandbox, args.model_endpoint, say) as reach:
        records = run_benchmark(
            tasks,
            reach.contestants,
            repeats=args.repeats,
            out=out,
            sandbox=args.sandbox,
            jobs=jobs,
            retry_errors=args.retry_errors,
            report_only=args.report_only,
            say=say,
        )
    timing = timing_isolation(args.sandbox, jobs)
    write_outputs(out, records, tasks, repeats=args.repeats, suite=str(suite), timing=timing, network=reach.summary)
    say(f"leaderboard: {out / 'leaderboard.md'}")
    return 0


def default_jobs(sandbox: str | None) -> int:
    """Local sandboxes are not pinned, so agents would share cores with measurements: one run at a time. Docker
    measurements are pinned to their CPU set; agents may use the other cores."""
    if sandbox == "local":
        return 1
    return max(1, (os.cpu_count() or 1) - 1)


def timing_isolation(sandbox: str | None, jobs: int) -> dict[str, Any]:
    """How measurements were kept apart from each other and from agents, for the leaderboard."""
    cpus = os.environ.get("PERFBOT_BENCH_CPUS")
    lock = "every judge command holds a machine-wide flock per CPU set (pipelines.evaluate.harness.measurement_lock)"
    if sandbox == "local":
        how = f"{jobs} run(s) in parallel; measurements serialised: {lock}, key 'local'; not pinned to CPUs" + (
            " — agents of parallel runs shared the cores with measurements" if jobs > 1 else ""
        )
    else:
        where = f"CPU set {cpus}" if cpus else "the Docker engine's last CPU (PERFBOT_BENCH_CPUS unset)"
        how = (
            f"{jobs} run(s) in parallel; every measurement ran in a benchmark container pinned to {where} with no "
            f"CPU quota, and measurements serialised: {lock}"
        )
    return {"how": how, "jobs": jobs, "sandbox": sandbox or "docker", "bench_cpus": cpus, "serialised": True}


def contestants_of(args: argparse.Namespace) -> list[AnyContestant]:
    contestants: list[AnyContestant]
    if args.contestants:
        if args.model:
            raise UsageError("--model applies only without --contestants (set `model` in the file instead)")
        contestants = load_contestants(args.contestants)
    else:
        contestants = [PerfbotContestant(name="perfbot", model=args.model)]
    if args.sweep:
        if args.budget_steps:
            raise UsageError("--sweep already fixes every split's steps; drop --budget-steps")
        splits = parse_sweep(args.sweep)
        total = splits[0][0] * splits[0][1] * splits[0][2]
        contestants = [
            c.model_copy(update={"steps": total}) if isinstance(c, CommandContestant) else c for c in contestants
        ]
        contestants = expand_sweep(contestants, splits)
    contestants = with_budget(contestants, steps=args.budget_steps, usd=args.budget_usd)
    if args.with_reference:
        contestants = with_reference(contestants)
    require_unique(contestants, "the contestants after --sweep and --with-reference")
    return contestants


def write_outputs(
    out: Path,
    records: list[dict[str, Any]],
    tasks: list[Task],
    *,
    repeats: int,
    suite: str,
    timing: dict[str, Any],
    network: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """leaderboard.md, leaderboard.json, predictions.jsonl and the figures; returns the JSON document."""
    references = metrics.reference_speedups(records, {t.name: t.reference_speedup for t in tasks})
    rows = leaderboard.build(records, references)
    plots = {}
    if plot.overview(rows, out / "speedup_vs_budget.svg"):
        plots["Speedup per contestant, vs budget, vs what was used"] = "speedup_vs_budget.svg"
    if plot.speedup_vs_size(rows, out / "speedup_vs_size.svg"):
        plots["Speedup vs size, per task"] = "speedup_vs_size.svg"
    document = {
        "schema_version": 2,
        "suite": suite,
        "repeats": repeats,
        "tasks": [t.name for t in tasks],
        "task_sha256": {t.name: provenance.task_hash(t) for t in tasks},
        "environment": provenance.environment(),
        "timing": timing,
        **(network or {"network": "none"}),
        "references": references,
        "contestants": rows,
    }
    text = render.markdown(rows, tasks, repeats=repeats, suite=suite, plots=plots, context=document)
    (out / "leaderboard.md").write_text(text, encoding="utf-8")
    (out / "leaderboard.json").write_text(json.dumps(document, indent=1, default=str), encoding="utf-8")
    predictions.write(out / "predictions.jsonl", records)
    return document


def adapter_list() -> str:
    lines = ["command adapters (kind: command, adapter: NAME):"]
    lines += [f"  {name:12} {spec['command'].split()[0]} in image {spec['image']}" for name, spec in ADAPTERS.items()]
    lines += ["no headless mode (cannot be benchmarked):"]
    lines += [f"  {name:12} {why}" for name, why in NO_HEADLESS_MODE.items()]
    return "\n".join(lines)


def _say(started: float) -> Callable[[str], None]:
    def say(text: str) -> None:
        elapsed = int(time.monotonic() - started)
        sys.stderr.write(f"[{elapsed // 60:02d}:{elapsed % 60:02d}] {text}\n")
        sys.stderr.flush()

    return say
