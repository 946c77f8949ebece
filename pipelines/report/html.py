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
from pipelines.report.markdown import headline, point_row, shown_candidate, verdict_text
from pipelines.report.model import Report
from pipelines.report.plot import runtime_plot
from pipelines.report.story import agent_stories, selection_tree

MAX_FINALISTS = 5


def render_html(report: Report, trace: Iterable[dict[str, Any]] | None = None) -> str:
    """The page; `trace` (the events of trace.jsonl) adds each agent's steps."""
    source = files("templates").joinpath("report/report.html.j2").read_text(encoding="utf-8")
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    shown = shown_candidate(report)
    axes = list(report.config.benchmark.params)
    rows = [point_row(point, axes)[:-1] for point in shown.points] if shown else []
    plotted = finalists(report)
    plot = runtime_plot(list(report.baseline.points), finalists=[(c.id, c.points) for c in plotted])
    return environment.from_string(source).render(
        report=report,
        headline=headline(report).replace("`", ""),
        verdict=verdict_text(report).replace("**", "").replace("`", ""),
        shown=shown,
        selected=report.selected_result,
        axes=axes,
        rows=rows,
        plot=plot,
        plotted=plotted,
        tree=selection_tree(report),
        stories=agent_stories(trace or [], report.candidates),
    )


def finalists(report: Report) -> list[CandidateResult]:
    """The accepted candidates, best first (at most MAX_FINALISTS); else the best measured one, to show the gap."""
    accepted = sorted((c for c in report.candidates if c.accepted and c.points), key=lambda c: -(c.score or 0.0))
    shown = shown_candidate(report)
    return accepted[:MAX_FINALISTS] or ([shown] if shown and shown.points else [])
