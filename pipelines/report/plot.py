"""A small inline SVG: runtime against size (log-log), baseline dashed, candidate solid, one colour per series."""

from __future__ import annotations

import math
from html import escape
from typing import Any

from pipelines.evaluate.results import PointResult

WIDTH, HEIGHT, MARGIN = 560, 320, 56
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")


def runtime_plot(baseline: list[PointResult], candidate: list[PointResult] | None) -> str:
    """An `<svg>` element, or "" when no axis has at least two positive numeric values."""
    axis = _size_axis(baseline)
    if axis is None:
        return ""
    series: list[tuple[str, str, list[tuple[float, float]]]] = []
    for i, (label, points) in enumerate(_by_other_axes(baseline, axis).items()):
        colour = COLOURS[i % len(COLOURS)]
        series.append((f"baseline {label}".strip(), colour + "|dash", _xy(points, axis)))
        if candidate:
            mine = [p for p in candidate if _other(p.params, axis) == _other(points[0].params, axis)]
            series.append((f"candidate {label}".strip(), colour, _xy(mine, axis)))
    every = [xy for _, _, line in series for xy in line]
    if len(every) < 2:
        return ""
    return _svg(axis, series, every)


def _size_axis(points: list[PointResult]) -> str | None:
    for axis in points[0].params if points else {}:
        values = {p.params[axis] for p in points}
        if len(values) >= 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0 for v in values):
            return axis
    return None


def _other(params: dict[str, Any], axis: str) -> str:
    return " ".join(f"{k}={v}" for k, v in params.items() if k != axis)


def _by_other_axes(points: list[PointResult], axis: str) -> dict[str, list[PointResult]]:
    groups: dict[str, list[PointResult]] = {}
    for point in points:
        groups.setdefault(_other(point.params, axis), []).append(point)
    return groups


def _xy(points: list[PointResult], axis: str) -> list[tuple[float, float]]:
    return sorted((float(p.params[axis]), p.time_s) for p in points if p.time_s > 0)


def _svg(axis: str, series: list[tuple[str, str, list[tuple[float, float]]]], every: list[tuple[float, float]]) -> str:
    lx = [math.log10(x) for x, _ in every]
    ly = [math.log10(y) for _, y in every]
    x0, x1 = min(lx), max(lx) if max(lx) > min(lx) else min(lx) + 1
    y0, y1 = (
        math.floor(min(ly)),
        math.ceil(max(ly)) if math.ceil(max(ly)) > math.floor(min(ly)) else math.floor(min(ly)) + 1,
    )

    def px(x: float, y: float) -> str:
        sx = MARGIN + (math.log10(x) - x0) / (x1 - x0) * (WIDTH - 2 * MARGIN)
        sy = HEIGHT - MARGIN - (math.log10(y) - y0) / (y1 - y0) * (HEIGHT - 2 * MARGIN)
        return f"{sx:.1f},{sy:.1f}"

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT + 20 * len(series)}" role="img">']
    parts.append(f'<text x="{WIDTH / 2}" y="{HEIGHT - 12}" text-anchor="middle">{escape(axis)} (log scale)</text>')
    for power in range(y0, y1 + 1):
        y = HEIGHT - MARGIN - (power - y0) / (y1 - y0) * (HEIGHT - 2 * MARGIN)
        parts.append(f'<line x1="{MARGIN}" x2="{WIDTH - MARGIN}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{MARGIN - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">1e{power} s</text>')
    for i, (label, style, line) in enumerate(series):
        colour, _, dash = style.partition("|")
        pattern = ' stroke-dasharray="6 4"' if dash else ""
        points = " ".join(px(x, y) for x, y in line)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2"{pattern} points="{points}"/>')
        legend_y = HEIGHT + 14 + 20 * i
        parts.append(
            f'<line x1="{MARGIN}" x2="{MARGIN + 30}" y1="{legend_y - 4}" y2="{legend_y - 4}" stroke="{colour}"'
        )
        parts.append(f' stroke-width="2"{pattern}/><text x="{MARGIN + 38}" y="{legend_y}">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
