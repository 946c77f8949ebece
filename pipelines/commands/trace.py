"""`perfbot trace export RUN_DIR --format messages`: a run's conversations as training data.

Writes one JSON object per agent and line (`{agent, round, model, system, tools, messages, outcome}`, the
Messages API form) to stdout or `--out FILE`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from pipelines.errors import UsageError
from pipelines.trace import export_messages, read_trace


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    export = actions.add_parser("export", help="export a run's trace")
    export.add_argument("run_dir", type=Path, help="a run's artifacts directory (holding trace.jsonl)")
    export.add_argument(
        "--format",
        choices=["messages"],
        default="messages",
        help="messages: one conversation per agent in the Messages API form (JSONL)",
    )
    export.add_argument("--out", type=Path, help="write here instead of stdout")


def run(args: argparse.Namespace) -> int:
    path = args.run_dir / "trace.jsonl" if args.run_dir.is_dir() else args.run_dir
    if not path.is_file():
        raise UsageError(f"{args.run_dir}: no trace.jsonl there (give the artifacts directory of a run)")
    try:
        sessions = export_messages(read_trace(path))
    except (ValueError, KeyError) as e:
        raise UsageError(f"{path}: not a perfbot trace: {e}") from e
    lines = "".join(json.dumps(s, ensure_ascii=False) + "\n" for s in sessions)
    if args.out:
        args.out.write_text(lines, encoding="utf-8")
    else:
        sys.stdout.write(lines)
    return 0
