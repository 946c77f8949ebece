"""Speedup vs budget as a self-contained SVG: one line per contestant family (the name before '@'), x the step
budget (agents × steps × rounds, log scale), y the geo-mean speedup with its 95% confidence interval as a bar."""

from __future__ import annotations

import math
from html import escape
from typing import Any

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 640, 360, 60, 150, 20, 45
COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]


def speedup_vs_budget(rows: list[dict[str, Any]]) -> str | None:
    """The SVG text, or None when no contestant has both a step budget and a measured speedup."""
    points = [
        (row["family"], float(row["budget"]["total_steps"]), row)
        for row in rows
        if row.get("budget") and row["budget"].get("total_steps") and row["geomean_speedup"]["mean"] is not None
    ]
    if not points:
        return None
    families = list(dict.fromkeys(family for family, _, _ in points))
    xs = [math.log10(x) for _, x, _ in points]
    highs = [r["geomean_speedup"]["mean"] + (r["geomean_speedup"]["ci"] or 0) for _, _, r in points]
    x0, x1 = min(xs) - 0.2, max(xs) + 0.2
    y1 = max(max(highs) * 1.1, 1.2)

    def px(x: float, y: float) -> tuple[float, float]:
        plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
        return LEFT + (math.log10(x) - x0) / (x1 - x0) * plot_w, TOP + (1 - y / y1) * plot_h

    parts = [_axes(px, x0, x1, y1)]
    for i, family in enumerate(families):
        color = COLORS[i % len(COLORS)]
        mine = sorted(((x, r) for f, x, r in points if f == family), key=lambda p: (p[0], _agents(p[1])))
        coords = _spread([px(x, r["geomean_speedup"]["mean"]) for x, r in mine], [x for x, _ in mine])
        parts.append(
            f'<polyline fill="none" stroke="{color}" stroke-width="2" '
            f'points="{" ".join(f"{a:.1f},{b:.1f}" for a, b in coords)}"/>'
        )
        for (x, r), (a, b) in zip(mine, coords, strict=True):
            parts += _point(px, x, r, a, b, color)
        legend_y = TOP + 14 + 18 * i
        parts.append(f'<rect x="{WIDTH - RIGHT + 12}" y="{legend_y - 9}" width="10" height="10" fill="{color}"/>')
        parts.append(f'<text x="{WIDTH - RIGHT + 28}" y="{legend_y}">{escape(family)}</text>')
    body = "\n".join(parts)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="11">\n'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>\n{body}\n</svg>\n'
    )


def _point(px: Any, x: float, row: dict[str, Any], a: float, b: float, color: str) -> list[str]:
    speedup, ci = row["geomean_speedup"]["mean"], row["geomean_speedup"]["ci"]
    out = []
    if ci:
        _, top = px(x, speedup + ci)
        _, bottom = px(x, max(speedup - ci, 0))
        out.append(f'<line x1="{a:.1f}" x2="{a:.1f}" y1="{top:.1f}" y2="{bottom:.1f}" stroke="{color}"/>')
    out.append(f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3.5" fill="{color}">')
    out.append(f"<title>{escape(row['contestant'])}: {speedup:.2f}x</title></circle>")
    if "@" in row["contestant"]:
        label = escape(row["contestant"].split("@", 1)[1])
        out.append(f'<text x="{a + 5:.1f}" y="{b - 6:.1f}" fill="{color}" font-size="9">{label}</text>')
    return out


def _spread(coords: list[tuple[float, float]], xs: list[float]) -> list[tuple[float, float]]:
    """Points of one series at the same budget (K x M splits of one total) side by side instead of on top."""
    out = []
    for i, (a, b) in enumerate(coords):
        same = [j for j, x in enumerate(xs) if x == xs[i]]
        out.append((a + (same.index(i) - (len(same) - 1) / 2) * 16, b))
    return out


def _agents(row: dict[str, Any]) -> int:
    return int((row.get("budget") or {}).get("agents") or 0)


def _axes(px: Any, x0: float, x1: float, y1: float) -> str:
    left, bottom = LEFT, HEIGHT - BOTTOM
    right = WIDTH - RIGHT
    out = [
        f'<line x1="{left}" y1="{TOP}" x2="{left}" y2="{bottom}" stroke="black"/>',
        f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="black"/>',
    ]
    for k in range(math.ceil(x0), math.floor(x1) + 1):
        x, _ = px(10**k, 0)
        out.append(f'<line x1="{x:.1f}" y1="{bottom}" x2="{x:.1f}" y2="{bottom + 4}" stroke="black"/>')
        out.append(f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle">{10**k:g}</text>')
    step = _nice_step(y1)
    y = 0.0
    while y <= y1:
        _, py = px(10**x0, y)
        out.append(f'<text x="{left - 6}" y="{py + 4:.1f}" text-anchor="end">{y:g}x</text>')
        out.append(f'<line x1="{left}" y1="{py:.1f}" x2="{right}" y2="{py:.1f}" stroke="#eee"/>')
        y += step
    _, one = px(10**x0, 1.0)
    out.append(f'<line x1="{left}" y1="{one:.1f}" x2="{right}" y2="{one:.1f}" stroke="#999" stroke-dasharray="4 3"/>')
    out.append(
        f'<text x="{(left + right) / 2}" y="{HEIGHT - 8}" text-anchor="middle">'
        "step budget (agents × steps × rounds, log scale)</text>"
    )
    out.append(
        f'<text transform="rotate(-90)" x="{-(TOP + bottom) / 2}" y="14" text-anchor="middle">geo-mean speedup</text>'
    )
    return "\n".join(out)


def _nice_step(top: float) -> float:
    raw = top / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
