"""`perfbot trace export RUN_DIR --format messages|openai`: a run's conversations as training data.

messages  one JSON object per agent and line (`{agent, round, model, system, tools, messages, outcome}`, the
          Messages API form)
openai    OpenAI chat fine-tuning JSONL (`messages` with `tool_calls` and `role: tool`, `tools[].function`), each
          line labelled in `metadata` with its outcome (accepted, score, rejection reason, selected);
          `--accepted-only` keeps the conversations whose agent got a candidate accepted, `--no-labels` drops
          `metadata` for services that refuse unknown keys

Written to stdout or `--out FILE`. RUN_DIR may also be a bench run folder (runs/TASK/CONTESTANT/N/) or a whole
bench results folder: every trace.jsonl below it is exported.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pipelines.errors import UsageError
from pipelines.trace import export_messages, read_trace
from pipelines.trace_export import export_openai


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    export = actions.add_parser("export", help="export a run's trace")
    export.add_argument("run_dir", type=Path, help="a run's artifacts directory (holding trace.jsonl)")
    export.add_argument(
        "--format",
        choices=["messages", "openai"],
        default="messages",
        help="messages: one conversation per agent in the Messages API form (JSONL); openai: OpenAI chat "
        "fine-tuning JSONL with outcome labels",
    )
    export.add_argument("--accepted-only", action="store_true", help="openai: only agents with an accepted candidate")
    export.add_argument("--no-labels", action="store_true", help="openai: leave out the outcome labels (metadata)")
    export.add_argument("--out", type=Path, help="write here instead of stdout")


def run(args: argparse.Namespace) -> int:
    if (args.accepted_only or args.no_labels) and args.format != "openai":
        raise UsageError("--accepted-only and --no-labels apply to --format openai")
    paths = traces(args.run_dir)
    sessions: list[dict[str, Any]] = []
    for path in paths:
        try:
            sessions += _export(path, args)
        except (ValueError, KeyError, TypeError) as e:
            raise UsageError(f"{path}: not a perfbot trace: {e}") from e
    lines = "".join(json.dumps(s, ensure_ascii=False) + "\n" for s in sessions)
    if args.out:
        args.out.write_text(lines, encoding="utf-8")
    else:
        sys.stdout.write(lines)
    return 0


def traces(run_dir: Path) -> list[Path]:
    if run_dir.is_file():
        return [run_dir]
    if (run_dir / "trace.jsonl").is_file():
        return [run_dir / "trace.jsonl"]
    found = sorted(run_dir.rglob("trace.jsonl")) if run_dir.is_dir() else []
    if not found:
        raise UsageError(f"{run_dir}: no trace.jsonl there (give the artifacts directory of a run)")
    return found


def _export(path: Path, args: argparse.Namespace) -> list[dict[str, Any]]:
    if args.format == "messages":
        return export_messages(read_trace(path))
    records = export_openai(read_trace(path), _selected(path), labels=True)
    if args.accepted_only:
        records = [r for r in records if r["metadata"]["accepted"]]
    if args.no_labels:
        for record in records:
            del record["metadata"]
    return records


def _selected(trace: Path) -> str | None:
    """The shipped candidate's id, from report.json beside the trace (perfbot optimize) or the bench record."""
    for candidate in (trace.parent / "report.json", trace.parent.with_suffix(".json")):
        if candidate.is_file():
            try:
                data = json.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                continue
            selected = data.get("selected")
            return selected if isinstance(selected, str) else None
    return None
