"""The `Report` of a `perfbot optimize` run: the evaluator's results plus agents, cost, branch and search notes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipelines.agent.loop import AgentOutcome
from pipelines.config import Config
from pipelines.evaluate import BaselineResult
from pipelines.report.model import Cost, Report
from pipelines.select.search import SearchResult


def build_report(
    repo: Path,
    config: Config,
    result: SearchResult,
    baseline: BaselineResult,
    *,
    run_id: str,
    branch: str | None,
    sandbox_kind: str,
    isolated: bool,
) -> Report:
    total = result.budget.total()
    usage = result.budget.by_agent()
    return Report(
        baseline=baseline,
        candidates=list(result.results),
        selected=result.selected.id if result.selected else None,
        config=config,
        sandbox_kind=sandbox_kind,
        sandbox_isolated=isolated,
        run_id=run_id,
        repo=str(repo),
        cost=Cost(input_tokens=total.prompt_tokens, output_tokens=total.output_tokens, usd=total.usd),
        agents=[agent_entry(o, usage.get(o.agent)) for o in result.outcomes],
        extra={
            "model": config.agent.model,
            "search": config.search.model_dump(),
            "branch": branch,
            "notes": result.notes,
            "cache": {"read_tokens": total.cache_read_tokens, "write_tokens": total.cache_write_tokens},
            "budget_exhausted": total.usd >= config.search.max_cost_usd,
        },
    )


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
        "cost": (usage or outcome.usage).as_dict(),
    }


def headline(result: SearchResult, branch: str | None) -> str:
    """One line for the terminal: what was found and where it is."""
    spent = f"${result.budget.total().usd:.4f}"
    if result.selected is None:
        rejected = len(result.results)
        return f"no faster candidate was accepted ({rejected} measured, {spent} spent); the repo is unchanged"
    where = f" → branch {branch}" if branch else ""
    return (
        f"selected {result.selected.id} ({result.selected.origin}): score {result.selected.score:.2f}x"
        f"{where} ({len(result.results)} candidate(s) measured, {spent} spent)"
    )
