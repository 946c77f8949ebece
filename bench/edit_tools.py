"""How well the edit tools do on a corpus of realistic model tool calls.

    .venv/bin/python bench/edit_tools.py [--corpus FILE.jsonl] [--sandbox local|docker] [--json FILE]
                                         [--export FILE.jsonl]

Without --corpus it replays the project's corpus (tests/pipelines/edit/corpus/*.yaml); --corpus replays one in the
contract's JSON Lines form (see tests/pipelines/edit/corpus.py). A case is right when its last call has an outcome
the case accepts (applied, refused, resolved, reverted, flagged), its files end as `final` says, and — in the
project's corpus — every call passes its own checks. Printed:

  accuracy        right cases overall and by the tool of the last call, with the median time of one call
  elisions        cases labelled `elision` or `legit`, by tool: caught (an elision refused, resolved or reverted),
                  missed (written as sent), legit refused (legitimate code refused, resolved or reverted), legit
                  accepted, and how many of those cases are right (a resolved elision must also end as `final` says)
  points right    refusals whose first / any suggested location overlaps the lines the case names (`points_at`)
  wrong cases     each one's name, outcome and what was expected

--json FILE writes one result per case (name, outcome, right, expected, label, tool); --export FILE writes the corpus
being replayed in the contract's form.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

# The corpus and its runner live with the tests (not in the installed package): import them from the checkout.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.edit.matching import closest_regions
from sandbox.base import Sandbox
from sandbox.factory import open_sandbox
from tests.pipelines.edit.corpus import CORPUS, Case, CaseRun, contract, load_cases, load_jsonl, run_case

TOOLS = ("write_file", "replace", "rewrite_symbol", "bash", "view_file")
INTERVENED = ("refused", "resolved", "reverted")


def replay(cases: list[Case], sandbox: Sandbox | None) -> tuple[list[CaseRun], dict[str, list[float]]]:
    runs, seconds = [], defaultdict(list)
    for case in cases:
        run = run_case(case, sandbox=sandbox)
        for record in run.calls:
            seconds[record.tool].append(record.seconds)
        runs.append(run)
    return runs, seconds


def accuracy(runs: list[CaseRun], seconds: dict[str, list[float]]) -> list[str]:
    right = sum(run.right for run in runs)
    lines = [f"Accuracy: {_share(right, len(runs))} cases right", ""]
    lines += ["| last call | cases | right | ms/call |", "|---|---|---|---|"]
    for tool in TOOLS:
        mine = [run for run in runs if run.tool == tool]
        if mine:
            ms = round(1000 * statistics.median(seconds[tool]), 1) if seconds[tool] else "—"
            lines.append(f"| {tool} | {len(mine)} | {_share(sum(r.right for r in mine), len(mine))} | {ms} |")
    return lines


def elisions(runs: list[CaseRun]) -> list[str]:
    lines = ["| tool | caught | missed | legit refused | legit accepted | right |", "|---|---|---|---|---|---|"]
    labelled = [run for run in runs if run.label in ("elision", "legit")]
    for tool in (*TOOLS[:4], "all"):
        mine = [run for run in labelled if tool in (run.tool, "all")]
        if not mine:
            continue
        counts = confusion(mine)
        cells = [counts[key] for key in ("caught", "missed", "legit refused", "legit accepted")]
        lines.append(
            f"| {tool} | " + " | ".join(map(str, cells)) + f" | {_share(sum(r.right for r in mine), len(mine))} |"
        )
    return lines


def confusion(runs: list[CaseRun]) -> dict[str, int]:
    counts = dict.fromkeys(("caught", "missed", "legit refused", "legit accepted"), 0)
    for run in runs:
        intervened = run.outcome in INTERVENED
        if run.label == "elision":
            counts["caught" if intervened else "missed"] += 1
        elif run.label == "legit":
            counts["legit refused" if intervened else "legit accepted"] += 1
    return counts


def pointing(runs: list[CaseRun]) -> str:
    pointed = [r for run in runs for r in run.calls if r.points_at is not None and r.actual != "applied"]
    first, anywhere = sum(r.hit_first for r in pointed), sum(r.hit_any for r in pointed)
    total = len(pointed)
    return f"Refusals pointing at the intended lines: first {_share(first, total)}, any {_share(anywhere, total)}"


def wrong(runs: list[CaseRun], cases: list[Case]) -> list[str]:
    gaps = {case["name"] for case in cases if "known_gap" in case}
    return [
        f"- {run.name}{' [known gap]' if run.name in gaps else ''}: got {run.outcome}, expected "
        f"{' or '.join(run.expected)}{_first_problem(run)}"
        for run in runs
        if not run.right
    ]


def search_seconds(lines: int = 3000) -> float:
    """Median time of one closest-region search for a 3-line `old` that is nowhere exact in a `lines`-line file."""
    text = "".join(f"def f{i}(x):\n    return x + {i}\n\n" for i in range(lines // 3))
    old = f"def f{lines // 6}(x):\n    return x + 1{lines // 6}\n\n"
    times = []
    for _ in range(3):
        started = time.perf_counter()
        closest_regions(text, old)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def report(runs: list[CaseRun], cases: list[Case], seconds: dict[str, list[float]], title: str) -> str:
    lines = [title, "", *accuracy(runs, seconds), "", "Elisions (cases labelled elision or legit):", *elisions(runs)]
    lines += [
        "",
        pointing(runs),
        f"Closest-region search, 3-line old in a 3000-line file: {1000 * search_seconds():.0f} ms",
    ]
    mistakes = wrong(runs, cases)
    lines += ["", "Wrong cases:", *mistakes] if mistakes else ["", "Wrong cases: none"]
    return "\n".join(lines)


def results(runs: list[CaseRun]) -> list[dict[str, Any]]:
    keys = ("name", "outcome", "right", "expected", "label", "tool")
    return [{key: getattr(run, key) for key in keys} for run in runs]


def _first_problem(run: CaseRun) -> str:
    others = [p for p in run.problems if not p.startswith("last call:")]
    return f" ({others[0][:160]})" if others else ""


def _share(hits: int, total: int) -> str:
    return f"{hits}/{total} ({100 * hits / total:.1f}%)" if total else "—"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, help="a corpus in the contract's JSON Lines form (default: the project's)"
    )
    parser.add_argument("--sandbox", choices=("local", "docker"), default="local")
    parser.add_argument("--json", type=Path, help="write one result per case to this file")
    parser.add_argument("--export", type=Path, help="write the corpus in the contract's JSON Lines form to this file")
    args = parser.parse_args()
    cases = load_jsonl(args.corpus) if args.corpus else load_cases()
    if args.export:
        args.export.write_text("".join(json.dumps(contract(case), ensure_ascii=False) + "\n" for case in cases))
    if args.sandbox == "docker":
        with open_sandbox("docker", label="bench-edit") as box:
            runs, seconds = replay(cases, box)
    else:
        runs, seconds = replay(cases, None)
    where = args.corpus or (CORPUS.relative_to(Path.cwd()) if CORPUS.is_relative_to(Path.cwd()) else CORPUS)
    print(report(runs, cases, seconds, f"Edit tools over {where} ({len(cases)} cases, {args.sandbox} sandbox)"))
    if args.json:
        args.json.write_text(json.dumps(results(runs), indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
