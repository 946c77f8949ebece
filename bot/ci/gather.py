"""`perfbot ci --gather`: the final job of a sharded run.

It reads every `shard-*/` directory under the artifacts directory (each written by `perfbot ci --shard i/N`),
measures all shards' finalists together against one baseline (interleaved, in one sandbox, so their numbers
are comparable), selects, and writes one run's artifacts as if a single job had done the work: agents, costs
and traces of every shard, the finalists as measured here, and the shards' rejected candidates as they were.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.ci.run import FINALISTS_FILE, run_id
from pipelines.config import Config
from pipelines.errors import UsageError
from pipelines.evaluate import Candidate, CandidateResult, PointResult, TestsResult, Timing
from pipelines.report import Cost, Report, write_artifacts
from pipelines.runfiles import Request, write_run_files
from pipelines.select.selection import measure_and_select
from pipelines.trace import LiveProgress, Trace
from sandbox.factory import SandboxKind


def gather(
    repo: Path, config: Config, request: Request, out: Path, kind: SandboxKind | None, progress: LiveProgress
) -> Report:
    shards = shard_dirs(out)
    reports = [_read(d / "report.json") for d in shards]
    candidates = finalist_candidates(shards)
    progress.say(f"gathering {len(shards)} shard(s): {len(candidates)} finalist(s) to measure together")
    measured = measure_and_select(
        repo, config, candidates, sandbox_kind=kind, label="perfbot-gather", progress=progress.evaluator
    )
    results, best = measured.results, measured.selected
    report = Report(
        baseline=measured.baseline,
        candidates=results + shard_rejections(reports),
        selected=best.id if best else None,
        config=config,
        sandbox_kind=kind or "docker",
        sandbox_isolated=measured.isolated,
        run_id=run_id(request),
        repo=str(repo),
        cost=_total_cost(reports),
        agents=[agent for r in reports for agent in r.get("agents", [])],
        extra={
            "model": config.agent.model,
            "search": config.search.model_dump(),
            "notes": [note for r in reports for note in r.get("extra", {}).get("notes", [])],
            "shards": [r.get("extra", {}).get("shard") for r in reports],
            "request_id": request.request_id,
            "target": request.target,
        },
    )
    merge_traces(shards, out / "trace.jsonl", results)  # first: the report page shows the trace
    write_artifacts(report, out)
    files = next((dict(c.files) for c in candidates if best and c.id == best.id), None)
    write_run_files(out, request, report.selected, files)
    progress.say(f"gathered: selected {best.id} (score {best.score:.2f})" if best else "gathered: nothing selected")
    return report


def shard_dirs(out: Path) -> list[Path]:
    found = sorted((d for d in out.glob("shard-*") if (d / "report.json").is_file()), key=_shard_number)
    if not found:
        raise UsageError(f"--gather: no shard artifacts under {out} (expected shard-1/report.json, …)")
    return found


def finalist_candidates(shards: list[Path]) -> list[Candidate]:
    """Every shard's finalists, ids made unique (two shards may both have a `combined`)."""
    seen: set[str] = set()
    out = []
    for directory in shards:
        data = _read(directory / FINALISTS_FILE)
        for item in data.get("finalists", []):
            ident = item["id"] if item["id"] not in seen else f"{item['id']}-{directory.name}"
            seen.add(ident)
            origin = f"{item['origin']} (shard {data.get('shard', directory.name)})"
            out.append(Candidate(id=ident, origin=origin, files=dict(item["files"])))
    return out


def shard_rejections(reports: list[dict[str, Any]]) -> list[CandidateResult]:
    """The shards' rejected candidates as their shard measured them (for the record: what was tried)."""
    seen: set[str] = set()
    out = []
    for report in reports:
        for item in report.get("candidates", []):
            if item["status"] == "rejected" and item["id"] not in seen:
                seen.add(item["id"])
                out.append(result_from_json(item))
    return out


def result_from_json(item: dict[str, Any]) -> CandidateResult:
    """A candidate result from its report.json form. The baseline's runs at each point are not in report.json,
    only their median, so the rebuilt baseline timing has that one value (its spread reads as 0)."""
    return CandidateResult(
        id=item["id"],
        origin=item["origin"],
        status=item["status"],
        reason=item["reason"],
        tests=TestsResult(**item["tests"]) if item.get("tests") else None,
        outputs_match=item.get("outputs_match"),
        points=tuple(_point(p) for p in item.get("points", [])),
        score=item.get("score"),
        complexity=dict(item.get("complexity", {})),
        files=tuple(item.get("files", [])),
        diff=item.get("diff", ""),
        duration_s=item.get("duration_s", 0.0),
    )


def merge_traces(shards: list[Path], path: Path, results: list[CandidateResult]) -> None:
    """One trace.jsonl: every shard's events in shard order, then the gather job's evaluations."""
    with path.open("w", encoding="utf-8") as merged:
        for directory in shards:
            if (directory / "trace.jsonl").is_file():
                merged.write((directory / "trace.jsonl").read_text(encoding="utf-8"))
    trace = Trace(path)
    for result in results:
        trace.write(
            "evaluation",
            agent="gather",
            candidate=result.id,
            origin=result.origin,
            status=result.status,
            score=result.score,
            reason=result.reason,
        )
    trace.close()


def _point(p: dict[str, Any]) -> PointResult:
    timing = Timing(tuple(p.get("runs_s") or [p["time_s"]]), p.get("peak_bytes"))
    base = Timing((p["baseline_time_s"],), p.get("baseline_peak_bytes")) if "baseline_time_s" in p else None
    return PointResult(dict(p["params"]), timing, base, dict(p.get("ratios", {})))


def _total_cost(reports: list[dict[str, Any]]) -> Cost:
    costs = [r.get("cost", {}) for r in reports]
    return Cost(
        input_tokens=sum(c.get("input_tokens", 0) for c in costs),
        output_tokens=sum(c.get("output_tokens", 0) for c in costs),
        usd=sum(c.get("usd", 0.0) for c in costs),
    )


def _shard_number(directory: Path) -> int:
    suffix = directory.name.removeprefix("shard-")
    return int(suffix) if suffix.isdigit() else 0


def _read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise UsageError(f"--gather: cannot read {path}: {e}") from e
    if not isinstance(data, dict):
        raise UsageError(f"--gather: {path} is not a JSON object")
    return data
