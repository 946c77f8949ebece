"""`perfbot bench SUITE`: run contestants on a task suite and write the leaderboard.

Writes OUT/leaderboard.md, OUT/leaderboard.json and OUT/speedup_vs_budget.svg; the runs under OUT/runs/ make a
second invocation with the same OUT resume instead of starting over.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipelines.bench import leaderboard, plot, render
from pipelines.bench.adapters import ADAPTERS, NO_HEADLESS_MODE
from pipelines.bench.contestants import (
    AnyContestant,
    OverlayContestant,
    PerfbotContestant,
    expand_sweep,
    load_contestants,
    parse_sweep,
    with_budget,
)
from pipelines.bench.harness import run_benchmark
from pipelines.bench.suite import Task, load_suite
from pipelines.errors import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("suite", nargs="?", type=Path, help="a folder of tasks (e.g. bench/tasks)")
    parser.add_argument("--contestants", type=Path, help="YAML file of contestants (default: perfbot as configured)")
    parser.add_argument("--model", help="without --contestants: the model of the one perfbot contestant")
    parser.add_argument("--tasks", help="comma-separated task names to run (default: all)")
    parser.add_argument("--repeats", type=int, default=1, help="runs per task and contestant (default 1)")
    parser.add_argument("--sweep", help="K x M splits for every perfbot contestant: '1x100,10x10,100x1' or '100'")
    parser.add_argument("--budget-steps", type=int, help="equal step budget: K x M x rounds for every contestant")
    parser.add_argument("--budget-usd", type=float, help="equal dollar budget per run for every contestant")
    parser.add_argument("--sandbox", choices=["docker", "local"], help="where code runs (default: docker)")
    parser.add_argument("--jobs", type=int, help="runs in parallel (default: the number of cores)")
    parser.add_argument("--out", type=Path, help="results folder (default: .perfbot/bench/<suite name>)")
    parser.add_argument("--retry-errors", action="store_true", help="run again the runs that ended in an error")
    parser.add_argument(
        "--with-reference", action="store_true", help="add the tasks' known-good solutions as a contestant (a ceiling)"
    )
    parser.add_argument("--list-adapters", action="store_true", help="list the command adapters and exit")


def run(args: argparse.Namespace) -> int:
    if args.list_adapters:
        print(adapter_list())
        return 0
    if args.suite is None:
        raise UsageError("name a task suite, e.g. `perfbot bench bench/tasks`")
    if args.repeats < 1 or (args.jobs is not None and args.jobs < 1):
        raise UsageError("--repeats and --jobs must be at least 1")
    tasks = load_suite(args.suite, args.tasks.split(",") if args.tasks else None)
    contestants = contestants_of(args)
    out = (args.out or Path(".perfbot") / "bench" / args.suite.resolve().name).resolve()
    say = _say(time.monotonic())
    say(f"{len(tasks)} task(s) x {len(contestants)} contestant(s) x {args.repeats} repeat(s) -> {out}")
    records = run_benchmark(
        tasks,
        contestants,
        repeats=args.repeats,
        out=out,
        sandbox=args.sandbox,
        jobs=args.jobs,
        retry_errors=args.retry_errors,
        say=say,
    )
    write_outputs(out, records, tasks, repeats=args.repeats, suite=str(args.suite))
    say(f"leaderboard: {out / 'leaderboard.md'}")
    return 0


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
        contestants = expand_sweep(contestants, parse_sweep(args.sweep))
    contestants = with_budget(contestants, steps=args.budget_steps, usd=args.budget_usd)
    if args.with_reference:
        contestants.append(OverlayContestant(name="reference", kind="reference"))
    return contestants


def write_outputs(out: Path, records: list[dict[str, Any]], tasks: list[Task], *, repeats: int, suite: str) -> None:
    rows = leaderboard.build(records)
    svg = plot.speedup_vs_budget(rows)
    if svg is not None:
        (out / "speedup_vs_budget.svg").write_text(svg, encoding="utf-8")
    text = render.markdown(rows, tasks, repeats=repeats, suite=suite, plot="speedup_vs_budget.svg" if svg else None)
    (out / "leaderboard.md").write_text(text, encoding="utf-8")
    document = {"schema_version": 1, "suite": suite, "repeats": repeats, "tasks": [t.name for t in tasks]}
    (out / "leaderboard.json").write_text(
        json.dumps({**document, "contestants": rows}, indent=1, default=str), encoding="utf-8"
    )


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
