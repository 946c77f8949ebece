"""report.html: one self-contained page (inline CSS and SVG, no scripts, no external requests).

The verdict, a runtime-against-size plot of the baseline and each finalist, the tables, the selection tree, and
each agent's trace step by step in collapsed `<details>` (messages, tool calls, evaluations with diffs).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from html import escape
from importlib.resources import files
from typing import Any

import jinja2

from pipelines.evaluate.results import CandidateResult, PointResult
from pipelines.report.markdown import best_measured, headline, point_rows, selected_candidate
from pipelines.report.model import Report
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


# A small inline SVG: runtime against size (log-log), the baseline and each finalist, with a marker per measured point.
#
# One colour per version (the baseline grey), one dash pattern per value of the other axes (e.g. d=2, d=16),
# and a legend entry for every line; hovering a marker shows its exact time.

WIDTH, HEIGHT, MARGIN = 560, 320, 56
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")
BASELINE_COLOUR = "#555555"
PATTERNS = ("", "6 4", "2 3", "10 3 2 3")
Series = tuple[str, str, str, list[tuple[float, float]]]
"""(label, colour, dash pattern, points (size, seconds))."""


def runtime_plot(
    baseline: list[PointResult],
    candidate: list[PointResult] | None = None,
    *,
    finalists: Sequence[tuple[str, Sequence[PointResult]]] = (),
) -> str:
    """An `<svg>` element with the baseline and each of `finalists` (label, points) — or the one `candidate` —
    or "" when no axis has at least two positive numeric values."""
    axis = _size_axis(baseline)
    if axis is None:
        return ""
    versions: list[tuple[str, Sequence[PointResult]]] = list(finalists) or (
        [("candidate", candidate)] if candidate else []
    )
    groups = _by_other_axes(baseline, axis)
    series: list[Series] = []
    for g, (label, measured) in enumerate(groups.items()):
        series.append((f"baseline {label}".strip(), BASELINE_COLOUR, PATTERNS[g % len(PATTERNS)], _xy(measured, axis)))
    for v, (name, points) in enumerate(versions):
        colour = COLOURS[v % len(COLOURS)]
        for g, label in enumerate(groups):
            mine = [p for p in points if _other(p.params, axis) == label]
            series.append((f"{name} {label}".strip(), colour, PATTERNS[g % len(PATTERNS)], _xy(mine, axis)))
    series = [s for s in series if s[3]]
    every = [xy for *_, line in series for xy in line]
    if len(every) < 2:
        return ""
    return _svg(axis, series, every)


def _size_axis(points: list[PointResult]) -> str | None:
    """Of the axes with at least two positive numbers, the one with the widest range (max/min; first on a tie)."""
    best, widest = None, 1.0
    for axis in points[0].params if points else {}:
        values = {p.params[axis] for p in points}
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in values)
        if len(values) >= 2 and numeric and max(values) / min(values) > widest:
            best, widest = axis, max(values) / min(values)
    return best


def _other(params: dict[str, Any], axis: str) -> str:
    return " ".join(f"{k}={v}" for k, v in params.items() if k != axis)


def _by_other_axes(points: list[PointResult], axis: str) -> dict[str, list[PointResult]]:
    groups: dict[str, list[PointResult]] = {}
    for point in points:
        groups.setdefault(_other(point.params, axis), []).append(point)
    return groups


def _xy(points: Sequence[PointResult], axis: str) -> list[tuple[float, float]]:
    return sorted((float(p.params[axis]), p.time_s) for p in points if p.time_s > 0)


def _svg(axis: str, series: list[Series], every: list[tuple[float, float]]) -> str:
    lx = [math.log10(x) for x, _ in every]
    ly = [math.log10(y) for _, y in every]
    x0, x1 = min(lx), max(lx) if max(lx) > min(lx) else min(lx) + 1
    y0 = math.floor(min(ly))
    y1 = math.ceil(max(ly)) if math.ceil(max(ly)) > y0 else y0 + 1

    def at(x: float, y: float) -> tuple[float, float]:
        sx = MARGIN + (math.log10(x) - x0) / (x1 - x0) * (WIDTH - 2 * MARGIN)
        sy = HEIGHT - MARGIN - (math.log10(y) - y0) / (y1 - y0) * (HEIGHT - 2 * MARGIN)
        return sx, sy

    height = HEIGHT + 20 * len(series)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" class="plot">']
    parts.append(f"<title>runtime against {escape(axis)}, log-log</title>")
    parts.append(f'<text x="{WIDTH / 2}" y="{HEIGHT - 12}" text-anchor="middle">{escape(axis)} (log scale)</text>')
    for power in range(y0, y1 + 1):
        y = HEIGHT - MARGIN - (power - y0) / (y1 - y0) * (HEIGHT - 2 * MARGIN)
        parts.append(f'<line x1="{MARGIN}" x2="{WIDTH - MARGIN}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{MARGIN - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">1e{power} s</text>')
    for x in sorted({x for x, _ in every}):
        sx, _ = at(x, 10.0**y0)
        parts.append(f'<text x="{sx:.1f}" y="{HEIGHT - MARGIN + 16}" text-anchor="middle" font-size="11">{x:g}</text>')
    for i, (label, colour, pattern, line) in enumerate(series):
        dash = f' stroke-dasharray="{pattern}"' if pattern else ""
        points = " ".join("{:.1f},{:.1f}".format(*at(x, y)) for x, y in line)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="{points}"/>')
        for x, y in line:
            cx, cy = at(x, y)
            parts.append(
                f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="3" fill="{colour}">'
                f"<title>{escape(label)}: {x:g} → {y:.3g} s</title></circle>"
            )
        legend_y = HEIGHT + 14 + 20 * i
        parts.append(
            f'<line x1="{MARGIN}" x2="{MARGIN + 30}" y1="{legend_y - 4}" y2="{legend_y - 4}" stroke="{colour}"'
            f' stroke-width="2"{dash}/><text x="{MARGIN + 38}" y="{legend_y}">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
