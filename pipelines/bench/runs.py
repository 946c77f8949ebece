"""One run: a contestant on a task, once. The result is a plain record (JSON), stored by the harness.

A record has: task, contestant, repeat, kind, fingerprint, status ('ok' or 'error'), error, solved (an accepted
candidate was selected), speedup (its score, 1.0 when nothing was selected: nothing would ship), selected,
reason, candidates, correctness_failures, points (per grid point: params, speedup, interval; None when nothing
shipped), usage (tokens, usd), wall_s, budget, meta (reproducibility: see `provenance`), failures (see
`failures`); for perfbot contestants effective_settings (the agent and search sections as run); for command
contestants log_failures, agent_exit, agent_timed_out and outside_target (files it changed that do not count).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from pipelines.bench.agent_command import redact, run_agent_command
from pipelines.bench.contestants import AnyContestant, CommandContestant, OverlayContestant, PerfbotContestant
from pipelines.bench.failures import correctness_failures, log_failures, summarize
from pipelines.bench.provenance import run_fingerprint, run_metadata
from pipelines.bench.suite import Task
from pipelines.config import Config, parse_config
from pipelines.evaluate import Candidate, CandidateResult
from pipelines.select.search import run_search
from pipelines.select.selection import measure_and_select
from pipelines.trace import read_trace
from sandbox.factory import SandboxKind


def run_one(
    task: Task,
    contestant: AnyContestant,
    repeat: int,
    run_dir: Path,
    sandbox: SandboxKind | None,
) -> dict[str, Any]:
    """Runs the contestant on the task and returns its record; an error becomes a record with status 'error'."""
    if run_dir.exists():
        shutil.rmtree(run_dir)  # what an interrupted attempt left behind
    run_dir.mkdir(parents=True)
    base = {
        "task": task.name,
        "contestant": contestant.name,
        "repeat": repeat,
        "kind": contestant.kind,
        "fingerprint": run_fingerprint(contestant, task),
        "reference_speedup": task.reference_speedup,
        "meta": {**run_metadata(contestant, task), "sandbox": sandbox or "docker"},
    }
    started = time.monotonic()
    try:
        if isinstance(contestant, PerfbotContestant):
            outcome = _perfbot(task, contestant, run_dir, sandbox)
        elif isinstance(contestant, CommandContestant):
            outcome = _command(task, contestant, run_dir, sandbox)
        else:
            outcome = _overlay(task, contestant, sandbox)
    except Exception as e:  # one broken run (sandbox, model, baseline) must not end the benchmark
        error = redact(f"{type(e).__name__}: {e}", [])
        return {**base, "status": "error", "error": error, "wall_s": round(time.monotonic() - started, 3)}
    return {**base, "status": "ok", "error": None, **outcome, "wall_s": round(time.monotonic() - started, 3)}


def configured(task: Task, contestant: PerfbotContestant) -> Config:
    raw = task.config.model_dump()
    for (section, key), value in contestant.overrides(task.name).items():
        raw[section][key] = value
    return parse_config(raw, f"{task.config.source} (contestant {contestant.name})")


def _perfbot(task: Task, contestant: PerfbotContestant, run_dir: Path, kind: SandboxKind | None) -> dict[str, Any]:
    config = configured(task, contestant)
    trace_path = run_dir / "trace.jsonl"
    result = run_search(task.repo, config, sandbox_kind=kind, trace_path=trace_path, label=f"bench-{task.name}").result
    events = list(read_trace(trace_path))
    ends = [e for e in events if e.get("type") == "agent_end"]
    if ends and not result.results and all(e.get("reason") == "error" for e in ends):
        # no agent got to work (no key, an unknown model): the run failed, it did not try and lose
        raise RuntimeError(f"every agent failed before producing a candidate: {ends[0].get('detail')}")
    usage = result.budget.total()
    search = config.search
    return {
        **_verdict(result.selected, result.results),
        "usage": {
            "input_tokens": usage.prompt_tokens,
            "output_tokens": usage.output_tokens,
            "usd": round(usage.usd, 6),
        },
        "budget": {
            "agents": search.agents,
            "steps": search.steps,
            "rounds": search.rounds,
            "total_steps": search.agents * search.steps * search.rounds,
            "max_cost_usd": search.max_cost_usd,
        },
        "failures": summarize(events, result.results),
        "effective_settings": {
            "agent": config.agent.model_dump(mode="json"),
            "search": config.search.model_dump(mode="json"),
        },
    }


def _command(task: Task, contestant: CommandContestant, run_dir: Path, kind: SandboxKind | None) -> dict[str, Any]:
    agent = run_agent_command(task, contestant, kind)
    (run_dir / "agent.log").write_text(agent.output, encoding="utf-8")
    origin = f"what {contestant.name} left in the workspace"
    left = [Candidate(id=contestant.name, origin=origin, files=agent.files)] if agent.files else []
    measured = measure_and_select(task.repo, task.config, left, sandbox_kind=kind, label=f"bench-{task.name}")
    return {
        **_verdict(measured.selected, measured.results),
        "usage": agent.usage,
        "budget": _command_budget(contestant),
        "failures": None,
        "log_failures": log_failures(contestant.usage, agent.output, agent.timed_out),
        "agent_exit": agent.returncode,
        "agent_timed_out": agent.timed_out,
        "outside_target": agent.outside_target,
    }


def _command_budget(contestant: CommandContestant) -> dict[str, Any]:
    """Only the budgets the agent's command enforces count as its budget; total_steps is None otherwise, so the
    agent is never placed at a step budget it was not held to."""
    enforced = contestant.enforced()
    return {
        "steps": contestant.steps if "steps" in enforced else None,
        "total_steps": contestant.steps if "steps" in enforced else None,
        "max_cost_usd": contestant.max_cost_usd if "usd" in enforced else None,
        "timeout_s": contestant.timeout,
        "enforced": enforced,
    }


def _overlay(task: Task, contestant: OverlayContestant, kind: SandboxKind | None) -> dict[str, Any]:
    shipped = Candidate(
        id=contestant.name, origin=f"the task's {contestant.kind}/", files=task.overlays[contestant.kind]
    )
    measured = measure_and_select(task.repo, task.config, [shipped], sandbox_kind=kind, label=f"bench-{task.name}")
    return {**_verdict(measured.selected, measured.results), "usage": {}, "budget": None, "failures": None}


def _verdict(selected: CandidateResult | None, results: list[CandidateResult]) -> dict[str, Any]:
    if selected is not None:
        reason = selected.reason
    elif results:
        reason = "no candidate accepted; the last: " + results[-1].reason
    else:
        reason = "no candidate: nothing was changed"
    return {
        "solved": selected is not None,
        "speedup": round(selected.score, 4) if selected is not None and selected.score else 1.0,
        "selected": selected.id if selected is not None else None,
        "reason": reason,
        "candidates": len(results),
        "correctness_failures": correctness_failures(results),
        "diff": selected.diff if selected is not None else "",
        "points": _points(selected),
    }


def _points(selected: CandidateResult | None) -> list[dict[str, Any]] | None:
    """Per grid point of the shipped candidate: its time speedup (baseline / candidate) and 95% interval."""
    if selected is None:
        return None
    return [
        {
            "params": p.params,
            "speedup": round(p.ratios["time"], 4) if "time" in p.ratios else None,
            "interval": [round(x, 4) for x in p.interval] if p.interval else None,
        }
        for p in selected.points
    ]
