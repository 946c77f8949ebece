"""report.html: one self-contained page (inline CSS and SVG, no external requests)."""

from __future__ import annotations

from importlib.resources import files

import jinja2

from pipelines.report.markdown import headline, point_row, shown_candidate, verdict_text
from pipelines.report.model import Report
from pipelines.report.plot import runtime_plot


def render_html(report: Report) -> str:
    source = files("templates").joinpath("report/report.html.j2").read_text(encoding="utf-8")
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    shown = shown_candidate(report)
    axes = list(report.config.benchmark.params)
    rows = [point_row(point, axes)[:-1] for point in shown.points] if shown else []
    plot = runtime_plot(list(report.baseline.points), list(shown.points) if shown else None)
    return environment.from_string(source).render(
        report=report,
        headline=headline(report).replace("`", ""),
        verdict=verdict_text(report).replace("**", "").replace("`", ""),
        shown=shown,
        selected=report.selected_result,
        axes=axes,
        rows=rows,
        plot=plot,
    )
