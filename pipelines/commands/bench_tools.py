"""The tools beside `perfbot bench SUITE`:

perfbot bench check SUITE                      is every task fit to benchmark with (exit 1 if one is not)
perfbot bench compare A B [--out DIR]          did B differ significantly from A (contestant names, or DIR:NAME)
perfbot bench rescore PREDICTIONS SUITE        re-measure a predictions.jsonl on this machine (--out: where)
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from pipelines.bench import compare, predictions
from pipelines.bench.check import check_suite
from pipelines.bench.suite import load_suite
from pipelines.errors import UsageError

TOOLS = ("check", "compare", "rescore")
_USAGE = {
    "check": "perfbot bench check SUITE",
    "compare": "perfbot bench compare A B [--out DIR]",
    "rescore": "perfbot bench rescore PREDICTIONS SUITE [--out DIR]",
}
_OPERANDS = {"check": 1, "compare": 2, "rescore": 2}


def run_tool(tool: str, operands: list[str], args: argparse.Namespace, say: Callable[[str], None]) -> int:
    if len(operands) != _OPERANDS[tool]:
        raise UsageError(f"usage: {_USAGE[tool]} (got {len(operands)} argument(s): {operands})")
    if tool == "check":
        return _check(Path(operands[0]), args, say)
    if tool == "compare":
        return _compare(operands[0], operands[1], args)
    return _rescore(Path(operands[0]), Path(operands[1]), args, say)


def _check(suite: Path, args: argparse.Namespace, say: Callable[[str], None]) -> int:
    findings = check_suite(suite, args.sandbox, say)
    for finding in findings:
        print(finding.line())
    failed = sorted({f.task for f in findings if f.ok is False})
    tasks = len({f.task for f in findings})
    print(f"{tasks - len(failed)}/{tasks} task(s) fit to benchmark" + (f"; failing: {failed}" if failed else ""))
    return 1 if failed else 0


def _compare(a: str, b: str, args: argparse.Namespace) -> int:
    out = args.out.resolve() if args.out else None
    result = compare.compare(compare.load_runs(a, out), compare.load_runs(b, out))
    print(compare.text(a, b, result))
    if out is not None:
        (out / f"compare-{_slug(a)}-vs-{_slug(b)}.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


def _rescore(path: Path, suite: Path, args: argparse.Namespace, say: Callable[[str], None]) -> int:
    items = predictions.read(path)
    tasks = {t.name: t for t in load_suite(suite)}
    rescored = predictions.rescore(items, tasks, args.sandbox, say)
    target = args.out or path.with_name("rescored.jsonl")
    if target.is_dir() or not target.suffix:
        target.mkdir(parents=True, exist_ok=True)
        target = target / "rescored.jsonl"
    target.write_text("".join(json.dumps(r) + "\n" for r in rescored), encoding="utf-8")
    print("| task | contestant | repeat | was | now |")
    print("|---|---|---|---|---|")
    for r in rescored:
        was = r["was"]
        print(
            f"| {r['task']} | {r['contestant']} | {r['repeat']} | {_verdict(was['solved'], was['speedup'])} | "
            f"{_verdict(r['solved'], r['speedup'])} |"
        )
    say(f"rescored {len(rescored)} prediction(s): {target}")
    return 0


def _verdict(solved: bool | None, speedup: float | None) -> str:
    return f"solved {speedup:.2f}x" if solved and speedup else "not solved"


def _slug(spec: str) -> str:
    return spec.rpartition(":")[2]
