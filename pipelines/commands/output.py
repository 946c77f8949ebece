"""`--json`: a command's machine-readable result on stdout (everything for people goes to stderr then)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def add_json_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", help="print the result as JSON on stdout (progress and messages on stderr)"
    )


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")
    sys.stdout.flush()
