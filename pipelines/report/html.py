"""report.html: one self-contained page (inline CSS and SVG, no scripts, no external requests).

The verdict, a runtime-against-size plot of the baseline and each finalist, the tables, the selection tree, and
each agent's trace step by step in collapsed `<details>` (messages, tool calls, evaluations with diffs).
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.resources import files
from typing import Any

import jinja2

from pipelines.evaluate.results import CandidateResult
from pipelines.report.markdown import best_measured, headline, point_rows, selected_candidate
from pipelines.report.model import Report
from pipelines.report.plot import runtime_plot
from pipelines.report.story import agent_stories, selection_tree

MAX_FINALISTS = 5


def render_html(report: Report, trace: Iterable[dict[str, Any]] | None = None) -> str:
    """The page; `trace` (the events of trace.jsonl) adds each agent's steps."""
    source = files("templates").joinpath("report/report.html.j2").read_text(encoding="utf-8")
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    data = report.to_json()
    chosen = selected_candidate(data) or best_measured(data)  # else the best measured one, to show the gap
    shown = next((c for c in report.candidates if chosen and c.id == chosen["id"]), None)
    axes = list(report.config.benchmark.params)
    rows = point_rows(data, chosen, axes) if chosen else []
    plotted = finalists(report, shown)
    plot = runtime_plot(list(report.baseline.points), finalists=[(c.id, c.points) for c in plotted])
    return environment.from_string(source).render(
        report=report,
        headline=headline(data).replace("`", ""),
        verdict=verdict(report.selected_result),
        shown=shown,
        selected=report.selected_result,
        axes=axes,
        rows=rows,
        plot=plot,
        plotted=plotted,
        tree=selection_tree(report),
        stories=agent_stories(trace or [], report.candidates),
    )


def finalists(report: Report, shown: CandidateResult | None) -> list[CandidateResult]:
    """The accepted candidates, best first (at most MAX_FINALISTS); else the shown one, to show the gap."""
    accepted = sorted((c for c in report.candidates if c.accepted and c.points), key=lambda c: -(c.score or 0.0))
    return accepted[:MAX_FINALISTS] or ([shown] if shown and shown.points else [])


def verdict(selected: CandidateResult | None) -> str:
    if selected is None:
        return "No candidate was accepted: each one is listed below with the reason."
    return f"Selected {selected.id} (from {selected.origin}): {selected.reason}."
