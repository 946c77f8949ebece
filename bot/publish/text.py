"""The merge request's title and description and the reply notes, rendered from `templates/mr/` (Jinja2,
StrictUndefined) out of a run's `report.json`.

Every text stays far below GitLab's limits (1,048,576 characters for a description, 1,000,000 for a note):
tables and lists are capped and long cells shortened, and a text that still exceeds `MAX_CHARS` is cut with a
notice pointing at the full report.
"""

from __future__ import annotations

import math
import re
from importlib.resources import files
from typing import Any

import jinja2

from pipelines.runfiles import Run

MAX_CHARS = 60_000
MAX_ROWS = 40
MAX_CANDIDATES = 25
MAX_AGENTS = 16
MAX_CELL = 240
TRUNCATED = "\n\n…\n\n_This text was cut to stay within GitLab's limits; the full report has everything._\n"


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: files("templates").joinpath("mr", name).read_text("utf-8")),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters["cell"] = cell
    env.filters["code_block"] = code_block
    env.filters["seconds"] = seconds
    env.filters["nbytes"] = nbytes
    env.filters["times"] = times
    return env


def render(name: str, **context: Any) -> str:
    text = _environment().get_template(name).render(**context)
    return capped(re.sub(r"\n{3,}", "\n\n", text))


def capped(text: str, limit: int = MAX_CHARS) -> str:
    """`text`, or its first part with a notice when it is longer than `limit` (the notice fits within it)."""
    if len(text) <= limit:
        return text
    return text[: limit - len(TRUNCATED)].rstrip() + TRUNCATED


def mr_title(run: Run) -> str:
    """ "perf: speed up `stats.min_gap` 38× at n=100k" (the best time ratio at the largest size)."""
    selected = run.selected
    assert selected is not None, "a title is only written for a selected candidate"
    function = run.report["benchmark"]["entry"].replace(":", ".")
    axis = size_axis(selected["points"])
    if axis is None:
        return f"perf: speed up `{function}` {times(selected['score'])}"
    largest = max(p["params"][axis] for p in selected["points"])
    at_largest = [p for p in selected["points"] if p["params"][axis] == largest]
    best = max(p.get("ratios", {}).get("time", 0.0) for p in at_largest)
    return f"perf: speed up `{function}` {times(best)} at {axis}={short_number(largest)}"


def context(run: Run, marker: str) -> dict[str, Any]:
    """What every template of `templates/mr/` may use."""
    report = run.report
    axes = list(report["benchmark"]["params"])
    shown = run.selected or best_rejected(report)
    return {
        "report": report,
        "request": run.request,
        "selected": run.selected,
        "shown": shown,
        "axes": axes,
        "rows": point_rows(report, shown, axes) if shown else [],
        "row_limit": MAX_ROWS,
        "complexity": complexity_rows(report, shown) if shown else [],
        "candidates": report["candidates"][:MAX_CANDIDATES],
        "hidden_candidates": max(0, len(report["candidates"]) - MAX_CANDIDATES),
        "agents": report.get("agents", [])[:MAX_AGENTS],
        "hidden_agents": max(0, len(report.get("agents", [])) - MAX_AGENTS),
        "function": report["benchmark"]["entry"].replace(":", "."),
        "marker": marker,
    }


def best_rejected(report: dict[str, Any]) -> dict[str, Any] | None:
    """The measured candidate with the highest score (None when nothing got as far as the benchmark)."""
    scored = [c for c in report["candidates"] if c.get("score") is not None and c.get("points")]
    return max(scored, key=lambda c: c["score"], default=None)


def point_rows(report: dict[str, Any], candidate: dict[str, Any], axes: list[str]) -> list[list[str]]:
    """Per grid point: params, time before/after, speedup, noise, memory before/after (already formatted)."""
    spreads = {_key(p["params"]): p.get("spread", 0.0) for p in report["baseline"]["points"]}
    rows = []
    for p in candidate["points"]:
        noise = max(p.get("spread", 0.0), spreads.get(_key(p["params"]), 0.0)) / 2
        rows.append(
            [
                *(str(p["params"].get(a, "")) for a in axes),
                seconds(p.get("baseline_time_s")),
                seconds(p["time_s"]),
                times(p.get("ratios", {}).get("time")),
                f"±{noise:.1%}",
                nbytes(p.get("baseline_peak_bytes")),
                nbytes(p.get("peak_bytes")),
            ]
        )
    return rows


def complexity_rows(report: dict[str, Any], candidate: dict[str, Any]) -> list[tuple[str, float, float]]:
    before = report["baseline"].get("complexity", {})
    return [(axis, before[axis], k) for axis, k in candidate.get("complexity", {}).items() if axis in before]


def size_axis(points: list[dict[str, Any]]) -> str | None:
    """The axis a "size" reads from: of those with at least two distinct positive numbers, the one with the widest
    range (largest max/min; the first on a tie)."""
    best, widest = None, 1.0
    for axis in points[0]["params"] if points else {}:
        values = {p["params"][axis] for p in points}
        if len(values) >= 2 and all(_positive_number(v) for v in values) and max(values) / min(values) > widest:
            best, widest = axis, max(values) / min(values)
    return best


def short_number(value: Any) -> str:
    """100000 → 100k, 2000000 → 2M, 1600 → 1600."""
    if _positive_number(value) and float(value).is_integer():
        n = int(value)
        if n >= 1_000_000 and n % 100_000 == 0:
            return f"{n / 1_000_000:g}M"
        if n >= 10_000 and n % 100 == 0:
            return f"{n / 1000:g}k"
    return str(value)


def times(ratio: float | None) -> str:
    if ratio is None or not math.isfinite(ratio):
        return "–"
    return f"{ratio:.0f}×" if ratio >= 10 else f"{ratio:.2f}×" if ratio < 1.995 else f"{ratio:.1f}×"


def seconds(value: float | None) -> str:
    if value is None:
        return "–"
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 1e-3:
        return f"{value * 1e3:.2f} ms"
    return f"{value * 1e6:.1f} µs"


def nbytes(count: int | None) -> str:
    if count is None:
        return "–"
    size = float(count)
    for unit in ("B", "KiB", "MiB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"


def cell(value: Any, limit: int = MAX_CELL) -> str:
    """One Markdown table cell: on one line, pipes escaped, HTML comments defused, at most `limit` characters."""
    text = " ".join(str(value if value is not None else "–").split())
    text = text.replace("|", "\\|").replace("<!--", "&lt;!--")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def code_block(value: Any, limit: int = MAX_CELL) -> str:
    """Text for inside a ``` fence: fences and HTML comments defused (it cannot end the block or fake a marker),
    at most `limit` characters."""
    text = str(value).replace("```", "`\u200b``").replace("<!--", "<\u200b!--")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _key(params: dict[str, Any]) -> str:
    return repr(sorted(params.items()))


def _positive_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
