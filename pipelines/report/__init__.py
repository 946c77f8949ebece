"""The artifacts of a run (DESIGN §3.4): report.json, report.md, report.html and patch.diff.

report = Report(baseline, results, selected="c1", config=config, sandbox_kind="docker", sandbox_isolated=True)
paths = write_artifacts(report, out_dir)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipelines.report.html import render_html
from pipelines.report.markdown import render_markdown
from pipelines.report.model import SCHEMA_VERSION, Cost, Report, method_text
from pipelines.storage import write_files
from pipelines.trace import read_trace

__all__ = ["SCHEMA_VERSION", "Cost", "Report", "method_text", "render_html", "render_markdown", "write_artifacts"]


def write_artifacts(report: Report, out_dir: Path) -> dict[str, Path]:
    """Write report.json, report.md, report.html and patch.diff (empty when nothing was selected) into `out_dir`.

    Each file is written to a temporary name and renamed, so a reader never sees half a file."""
    selected, data = report.selected_result, report.to_json()
    contents = {
        "report.json": json.dumps(data, indent=2, ensure_ascii=False) + "\n",
        "report.md": render_markdown(data),
        "report.html": render_html(report, _trace(out_dir / "trace.jsonl")),
        "patch.diff": selected.diff if selected else "",
    }
    return write_files(out_dir, contents)


def _trace(path: Path) -> list[dict[str, Any]]:
    """The run's trace events when `out_dir` has them (the page then shows each agent's steps), else none."""
    try:
        return list(read_trace(path)) if path.is_file() else []
    except (OSError, ValueError):
        return []
