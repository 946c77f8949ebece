"""One optimization run in a CI job, and the artifacts a publisher or a gather job reads after it.

A whole run (no shards) writes the usual artifacts (DESIGN §3.4) plus `request.json` (who asked, where to reply,
the commit measured) and `selected.json` (the selected candidate's files in full). A shard writes the usual
artifacts plus `finalists.json`: its best accepted candidates with their files, for the gather job to measure
together with the other shards' finalists.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bot.ci.shard import Shard
from pipelines.agent.prompts import Focus
from pipelines.config import Config
from pipelines.interrupt import deferred
from pipelines.report import Report, write_artifacts
from pipelines.report.build import build_report
from pipelines.report.markdown import outcome_line
from pipelines.runfiles import Request, write_json, write_run_files
from pipelines.select.search import run_search
from pipelines.trace import LiveProgress
from sandbox.factory import SandboxKind

FINALISTS_FILE = "finalists.json"
FINALISTS_PER_SHARD = 3


def optimize_in_ci(
    repo: Path,
    config: Config,
    request: Request,
    out: Path,
    kind: SandboxKind | None,
    *,
    shard: Shard | None,
    focus: Focus | None = None,
    progress: LiveProgress,
) -> Report:
    """Search (all agents, or this shard's), measure, select, and write the artifacts into `out`: a whole run's
    (with request.json and selected.json) or a shard's (with finalists.json)."""
    out.mkdir(parents=True, exist_ok=True)
    searched = run_search(
        repo,
        config,
        sandbox_kind=kind,
        trace_path=out / "trace.jsonl",
        progress=progress,
        evaluator_progress=progress.evaluator,
        slots=shard.slots if shard else None,
        focus=focus,
    )
    with deferred():  # measured: the artifacts are written whole, a signal now is only said
        report = build_report(repo, config, searched, run_id=run_id(request), sandbox_kind=kind or "docker")
        report.extra |= {"request_id": request.request_id, "target": request.target, "shard": str(shard or "")}
        write_artifacts(report, out)
        if shard is None:
            write_run_files(out, request, report.selected, searched.result.selected_files)
        else:
            write_json(out / FINALISTS_FILE, {"shard": str(shard), "finalists": finalists(searched.measured)})
        progress.say(outcome_line(report.to_json()))
    return report


def finalists(measured: list[Any]) -> list[dict[str, Any]]:
    """A shard's best accepted candidates (at most FINALISTS_PER_SHARD), with their files."""
    accepted = sorted((m for m in measured if m.accepted), key=lambda m: -(m.score or 0.0))
    return [
        {"id": m.candidate.id, "origin": m.candidate.origin, "score": m.score, "files": dict(m.candidate.files)}
        for m in accepted[:FINALISTS_PER_SHARD]
    ]


def run_id(request: Request) -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + "".join(c for c in request.request_id if c.isalnum())[:8]
