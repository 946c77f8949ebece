"""How well the edit tools do on the corpus of realistic model tool calls (tests/pipelines/edit/corpus/).

    .venv/bin/python bench/edit_tools.py [--sandbox local|docker] [--json FILE]

Every corpus call states what should happen to it: `applied` (the model's edit is what it meant: the tool should
make exactly that change), `not_applied` (the edit is wrong — stale, ambiguous, elided, outside target.files,
breaking syntax — and must change nothing), or `flagged` (bash can only report a broken edit). Per tool:

  intended applied   share of the `applied` calls that applied, in cases whose final files are exactly as expected
  wrong refused      share of the `not_applied` calls that changed nothing
  naive tool         share of the wrong calls a naive tool would have applied (first-match str.replace, a
                     write_file that writes anything, a bash that keeps every change)
  points right       of the refusals that name a place (points_at), the share whose first suggested location
                     overlaps the intended lines (top-1), and whose any suggested location does (top-3)
  ms/call            median wall time of one tool call (its sandbox round trips included)

Then the outcome per failure mode, and how long the closest-region search takes on a large file.
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
from tests.pipelines.edit.corpus import CaseRun, load_cases, run_case

TOOLS = ("replace", "write_file", "rewrite_symbol", "bash", "view_file")


def run_corpus(sandbox: Sandbox | None) -> tuple[list[CaseRun], dict[str, list[float]]]:
    runs, seconds = [], defaultdict(list)
    for case in load_cases():
        run = run_case(case, sandbox=sandbox)
        for record in run.calls:
            seconds[record.tool].append(record.seconds)
        runs.append(run)
    return runs, seconds


def tool_figures(runs: list[CaseRun], seconds: dict[str, list[float]]) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for tool in TOOLS:
        rows = [(run, r) for run in runs for r in run.calls if r.tool == tool]
        meant = [(run, r) for run, r in rows if r.expected == "applied"]
        wrong = [r for _, r in rows if r.expected == "not_applied"]
        pointed = [r for _, r in rows if r.points_at is not None and r.expected == "not_applied"]
        table[tool] = {
            "calls": len(rows),
            "intended_applied": _share(sum(r.actual == "applied" and not run.problems for run, r in meant), len(meant)),
            "wrong_refused": _share(sum(r.actual == "not_applied" for r in wrong), len(wrong)),
            "naive_applies_wrong": _share(sum(bool(r.naive_applied) for r in wrong), len(wrong)),
            "points_top1": _share(sum(r.hit_first for r in pointed), len(pointed)),
            "points_top3": _share(sum(r.hit_any for r in pointed), len(pointed)),
            "ms_per_call": round(1000 * statistics.median(seconds[tool]), 1) if seconds[tool] else None,
        }
    return table


def mode_figures(runs: list[CaseRun]) -> dict[str, dict[str, int]]:
    modes: dict[str, dict[str, int]] = defaultdict(lambda: {"cases": 0, "as_expected": 0})
    for run in runs:
        modes[run.mode]["cases"] += 1
        modes[run.mode]["as_expected"] += not run.problems
    return dict(sorted(modes.items()))


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


def _share(hits: int, total: int) -> dict[str, Any]:
    return {"hits": hits, "total": total, "rate": round(hits / total, 3) if total else None}


def _cell(share: dict[str, Any]) -> str:
    return "—" if not share["total"] else f"{share['hits']}/{share['total']} ({100 * share['rate']:.0f}%)"


def report(tools: dict[str, dict[str, Any]], modes: dict[str, dict[str, int]], search_s: float, kind: str) -> str:
    lines = [f"Edit tools over the corpus ({sum(m['cases'] for m in modes.values())} cases, {kind} sandbox)", ""]
    lines.append(
        "| tool | calls | intended applied | wrong refused | naive tool applies wrong | points right (top-1) | (top-3) "
        "| ms/call |"
    )
    lines.append("|---|---|---|---|---|---|---|---|")
    for tool, f in tools.items():
        cells = [
            f["intended_applied"],
            f["wrong_refused"],
            f["naive_applies_wrong"],
            f["points_top1"],
            f["points_top3"],
        ]
        lines.append(f"| {tool} | {f['calls']} | " + " | ".join(map(_cell, cells)) + f" | {f['ms_per_call']} |")
    lines += ["", "| failure mode | cases | outcome as expected |", "|---|---|---|"]
    lines += [f"| {mode} | {m['cases']} | {m['as_expected']} |" for mode, m in modes.items()]
    lines += ["", f"closest-region search, 3-line old in a 3000-line file: {1000 * search_s:.0f} ms"]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sandbox", choices=("local", "docker"), default="local")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if args.sandbox == "docker":
        with open_sandbox("docker", label="bench-edit") as box:
            runs, seconds = run_corpus(box)
    else:
        runs, seconds = run_corpus(None)
    tools, modes, search_s = tool_figures(runs, seconds), mode_figures(runs), search_seconds()
    print(report(tools, modes, search_s, args.sandbox))
    gaps = {case["name"] for case in load_cases() if "known_gap" in case}
    failures = [
        f"{run.name}{' [known gap]' if run.name in gaps else ''}: {problem}" for run in runs for problem in run.problems
    ]
    if failures:
        print("\nCases whose outcome differs from the corpus:\n" + "\n".join(failures))
    if args.json:
        args.json.write_text(json.dumps({"tools": tools, "modes": modes, "search_s": search_s}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
