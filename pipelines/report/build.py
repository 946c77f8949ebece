"""The `Report` of a search run: the evaluator's results plus agents, cost and search notes (`extra.branch` is set by
`perfbot optimize` once it has written one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipelines.agent.loop import AgentOutcome
from pipelines.config import Config
from pipelines.report.model import Cost, Report
from pipelines.select.search import Searched


def build_report(
    repo: Path,
    config: Config,
    searched: Searched,
    *,
    run_id: str,
    sandbox_kind: str,
) -> Report:
    result = searched.result
    total = result.budget.total()
    usage = result.budget.by_agent()
    return Report(
        baseline=searched.baseline,
        candidates=list(result.results),
        selected=result.selected.id if result.selected else None,
        config=config,
        sandbox_kind=sandbox_kind,
        sandbox_isolated=searched.isolated,
        run_id=run_id,
        repo=str(repo),
        cost=Cost(input_tokens=total.prompt_tokens, output_tokens=total.output_tokens, usd=total.usd),
        agents=[agent_entry(o, usage.get(o.agent)) for o in result.outcomes],
        extra={
            "model": config.agent.model,
            "search": config.search.model_dump(),
            "branch": None,
            "notes": result.notes,
            "cache": {"read_tokens": total.cache_read_tokens, "write_tokens": total.cache_write_tokens},
            "budget_exhausted": total.usd >= config.search.max_cost_usd,
        },
        error=interrupted_error(result.interrupted, len(result.results)) if result.interrupted else None,
    )


def interrupted_error(signal_name: str, measured: int) -> dict[str, Any]:
    """report.json's `error` for a search a signal stopped: what was measured until then is in the report."""
    message = f"interrupted by {signal_name} after {measured} candidate(s) were measured"
    return {"stage": "interrupted", "message": message, "test": None, "output": "", "signal": signal_name}


def agent_entry(outcome: AgentOutcome, usage: Any) -> dict[str, Any]:
    return {
        "id": outcome.agent,
        "round": outcome.round,
        "reason": outcome.reason,
        "detail": outcome.detail,
        "steps": outcome.steps,
        "summary": outcome.summary,
        "final": outcome.final.id if outcome.final else None,
        "best": outcome.best.candidate.id if outcome.best else None,
        "best_score": outcome.best.score if outcome.best else None,
        "path": brief_path(outcome.path),
        "cost": (usage or outcome.usage).as_dict(),
    }


def brief_path(path: list[str], limit: int = 14) -> str:
    """An agent's tool calls in order, repeats folded (`view_file ×3 → replace → evaluate 1.62 → finish`)."""
    folded: list[tuple[str, int]] = []
    for step in path:
        if folded and folded[-1][0] == step:
            folded[-1] = (step, folded[-1][1] + 1)
        else:
            folded.append((step, 1))
    words = [f"{step} ×{count}" if count > 1 else step for step, count in folded]
    if len(words) > limit:
        words = [*words[: limit // 2], f"… {len(words) - limit + 1} more …", *words[-(limit // 2) + 1 :]]
    return " → ".join(words)
