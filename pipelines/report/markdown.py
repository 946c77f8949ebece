"""The one Markdown renderer of a run: report.md, which is also the merge request's description, and the pieces the
bot's replies and report.html reuse (the headline, the per-point rows, the complexity exponents).

It reads the `report.json` form of a run (`Report.to_json()`), so the publisher renders from the artifacts exactly
what the run wrote. Templates are Jinja2 (StrictUndefined) under `templates/`; `limit` caps the text (GitLab's
description and note limits are far above `MAX_CHARS`, which the publisher passes) with a notice pointing at the
full report, and tables and lists are capped before that.

    text = render_markdown(report.to_json())                                    # report.md
    text = render_markdown(run.report, request=run.request, marker=m, limit=MAX_CHARS)   # the MR description
"""

from __future__ import annotations

import math
import re
from importlib.resources import files
from typing import Any

import jinja2

from pipelines.evaluate.results import NOISY, format_bytes, format_seconds
from pipelines.runfiles import Request

MAX_CHARS = 60_000
MAX_ROWS = 40
MAX_CANDIDATES = 25
MAX_AGENTS = 16
POINT_COLUMNS = ("before", "after", "speedup", "95% interval", "memory before", "memory after")
LOCAL_SANDBOX_NOTE = (
    "**Local sandbox:** no container isolated the code; the tests and benchmarks ran as plain processes on this "
    "machine (`--sandbox local`)."
)

Data = dict[str, Any]


def render_markdown(report: Data, *, request: Request | None = None, marker: str = "", limit: int | None = None) -> str:
    """report.md; with the request (who asked, links) and a marker, the merge request's description."""
    return render("report/report.md.j2", limit=limit, **context(report, request, marker))


def render(template: str, *, limit: int | None = None, **values: Any) -> str:
    """A template of `templates/` (e.g. `notes/nothing.md.j2`), runs of blank lines folded, capped at `limit`."""
    text = _environment().get_template(template).render(**values)
    return capped(re.sub(r"\n{3,}", "\n\n", text).strip() + "\n", limit)


def context(report: Data, request: Request | None = None, marker: str = "") -> dict[str, Any]:
    """What every Markdown template may use."""
    axes = list(report["benchmark"]["params"])
    selected = selected_candidate(report)
    shown = selected or best_measured(report)
    memory = shows_memory(report)
    noise = max(report["baseline"].get("noise", 0.0), (shown or {}).get("noise") or 0.0)
    cold = cold_differs(report, shown) if shown else False
    point_columns = [c for c in POINT_COLUMNS if memory or not c.startswith("memory")]
    columns = [*axes, *point_columns, *(["first call"] if cold else [])]
    rows = point_rows(report, shown, axes, memory) if shown else []
    return {
        "report": report,
        "request": request,
        "selected": selected,
        "shown": shown,
        "axes": axes,
        "rows": rows,
        "table": filled_columns(columns, rows, len(axes)),
        "memory": memory,
        "checks_ran": checks_ran(report),
        "model": model_line(report),
        "cold": cold,
        "noisy": bool(report["baseline"].get("noisy")) or noise > NOISY,
        "noise": noise,
        "measure": report["baseline"].get("method", {}).get("measure", "warm"),
        "baseline_table": filled_columns(
            [*axes, "time", "spread of rounds", *(["memory"] if memory else [])],
            baseline_rows(report, axes, memory),
            len(axes),
        ),
        "opening": opening(report) if selected else "",
        "provenance": provenance(request) if request else "",
        "row_limit": MAX_ROWS,
        "complexity": complexity_rows(report, shown) if shown else [],
        "candidates": report["candidates"][:MAX_CANDIDATES],
        "hidden_candidates": max(0, len(report["candidates"]) - MAX_CANDIDATES),
        "agents": report.get("agents", [])[:MAX_AGENTS],
        "hidden_agents": max(0, len(report.get("agents", [])) - MAX_AGENTS),
        "function": function(report),
        "headline": headline(report),
        "sandbox_note": sandbox_note(report),
        "marker": marker,
    }


def headline(report: Data) -> str:
    """ "speed up `stats.min_gap` 38× at n=100k" (the best time ratio at the largest size), or why nothing was found.
    The title of report.md and report.html, and after "perf: " of the merge request and the commit."""
    selected = selected_candidate(report)
    if selected is None:
        return f"no faster version found ({len(report['candidates'])} candidate(s) evaluated)"
    at_largest = largest_size_speedup(selected)
    if at_largest is None:
        return f"speed up `{function(report)}` {times(selected['score'])}"
    axis, largest, best = at_largest
    return f"speed up `{function(report)}` {times(best)} at {axis}={short_number(largest)}"


def largest_size_speedup(candidate: Data) -> tuple[str, Any, float] | None:
    """(size axis, its largest value, the best time ratio there); None when no axis reads as a size."""
    axis = size_axis(candidate["points"])
    if axis is None:
        return None
    largest = max(p["params"][axis] for p in candidate["points"])
    best = max(p.get("ratios", {}).get("time", 0.0) for p in candidate["points"] if p["params"][axis] == largest)
    return axis, largest, best


def opening(report: Data) -> str:
    """The plain sentence a merge request opens with: what got faster, by how much at the largest size, and that
    its outputs are unchanged."""
    selected = selected_candidate(report)
    assert selected is not None, "only a selected candidate gets a merge request"
    at_largest = largest_size_speedup(selected)
    if at_largest is None:
        faster = f"`{function(report)}` is now {times(selected['score'])} faster (weighted over the grid)"
    else:
        axis, largest, best = at_largest
        faster = f"`{function(report)}` is now {times(best)} faster at {axis}={short_number(largest)}, the largest size"
    if selected.get("outputs_match"):
        return f"{faster}, and its outputs are unchanged on all {len(selected['points'])} grid points."
    return f"{faster}; its outputs were not compared (`check_outputs: false`)."


def provenance(request: Request) -> str:
    """Who asked and where (a link back to the issue or merge request), the commit measured and the runner."""
    origin, parts = request.origin, []
    if origin.kind is not None and origin.iid is not None:
        ref = f"{'#' if origin.kind == 'issue' else '!'}{origin.iid}"
        path = "issues" if origin.kind == "issue" else "merge_requests"
        where = f"[{ref}]({origin.project_url}/-/{path}/{origin.iid})" if origin.project_url else ref
        who = f" by @{origin.requester}" if origin.requester else ""
        parts.append(f"Requested{who} in {where}.")
    if request.base_sha:
        runner = f", on runner `{cell(request.runner, 80)}`" if request.runner else ""
        parts.append(f"Measured on commit `{request.base_sha[:12]}`{runner}.")
    return " ".join(parts)


def filled_columns(header: list[str], rows: list[list[str]], keep: int) -> dict[str, list[Any]]:
    """A table without the columns that read "–" on every row (the first `keep` columns always stay)."""
    kept = [i for i in range(len(header)) if i < keep or any(row[i] != "–" for row in rows)]
    return {"header": [header[i] for i in kept], "rows": [[row[i] for i in kept] for row in rows]}


def commit_message(report: Data, request_id: str | None = None) -> str:
    """The message of the one commit that carries the selected candidate (a local branch or the MR's)."""
    selected = selected_candidate(report)
    assert selected is not None, "a commit is only written for a selected candidate"
    lines = [f"perf: {headline(report)}", ""]
    for point in selected["points"]:
        params = " ".join(f"{k}={v}" for k, v in point["params"].items())
        before, after = seconds(point.get("baseline_time_s")), seconds(point["time_s"])
        lines.append(f"  {params}: {before} -> {after} ({times(point.get('ratios', {}).get('time'))})")
    lines += ["", f"Candidate {selected['id']} ({selected['origin']}), score {selected['score']:.2f}x: "]
    lines[-1] += f"{selected['reason']}."
    lines.append("Found and measured by perfbot" + (f" (request {request_id})." if request_id else "."))
    return "\n".join(lines) + "\n"


def outcome_line(report: Data, branch: str | None = None) -> str:
    """One line for the terminal at the end of a run: what was found, where it is, what it cost."""
    measured = f"{len(report['candidates'])} candidate(s) measured, ${report['cost']['usd']:.4f} spent"
    selected = selected_candidate(report)
    if selected is None:
        return f"no faster candidate was accepted ({measured}); the repo is unchanged"
    where = f" → branch {branch}" if branch else ""
    return f"{headline(report)}: {selected['id']} ({selected['origin']}){where} ({measured})"


def selected_candidate(report: Data) -> Data | None:
    return next((c for c in report["candidates"] if c["id"] == report.get("selected")), None)


def best_measured(report: Data) -> Data | None:
    """The measured candidate with the highest score (None when nothing got as far as the benchmark)."""
    scored = [c for c in report["candidates"] if c.get("score") is not None and c.get("points")]
    return max(scored, key=lambda c: c["score"], default=None)


def point_rows(report: Data, candidate: Data, axes: list[str], memory: bool = True) -> list[list[str]]:
    """Per grid point: params, time before/after, speedup with its 95% interval, memory before/after (when memory is
    scored), and the first call's speedup when first calls and the steady state disagree (already formatted)."""
    cold = cold_differs(report, candidate)
    rows = []
    for p in candidate["points"]:
        interval = p.get("ratio_interval")
        row = [
            *(str(p["params"].get(a, "")) for a in axes),
            seconds(p.get("baseline_time_s")),
            seconds(p["time_s"]),
            times(p.get("ratios", {}).get("time")),
            f"{times(interval[0])} – {times(interval[1])}" if interval else "–",
            *((nbytes(p.get("baseline_peak_bytes")), nbytes(p.get("peak_bytes"))) if memory else ()),
        ]
        rows.append([*row, times(p.get("cold_ratio"))] if cold else row)
    return rows


def cold_differs(report: Data, candidate: Data) -> bool:
    """Whether, at some grid point, the speedup of first calls differs from the steady state's by more than the
    noise (both are then shown)."""
    allowed = math.log1p(report["baseline"].get("noise", 0.0))
    for p in candidate.get("points", []):
        cold, warm = p.get("cold_ratio"), p.get("ratios", {}).get("time")
        if cold and warm and abs(math.log(cold) - math.log(warm)) > allowed:
            return True
    return False


def baseline_rows(report: Data, axes: list[str], memory: bool = True) -> list[list[str]]:
    """Per grid point of the baseline alone: params, time, the spread of its rounds, memory (when scored)."""
    rows = []
    for p in report["baseline"]["points"]:
        spread = f"±{p.get('spread', 0.0) / 2:.1%}"
        peak = [nbytes(p.get("peak_bytes"))] if memory else []
        rows.append([*(str(p["params"].get(a, "")) for a in axes), seconds(p["time_s"]), spread, *peak])
    return rows


def shows_memory(report: Data) -> bool:
    """Whether memory is part of the score (and so of the tables); reports that do not say are shown whole."""
    metrics = report["benchmark"].get("metrics")
    return metrics is None or float(metrics.get("memory", 0)) > 0


def checks_ran(report: Data) -> list[str]:
    """The checks every candidate went through, in words (shown whether or not one was accepted)."""
    bench = report["benchmark"]
    tests = report["baseline"].get("tests") or {}
    how = "test by test" if tests.get("checked") == "per test" else "by its exit status"
    found = [f"tests: `{code(str(tests.get('command', '?')), 120)}` on the baseline and each candidate, compared {how}"]
    if bench.get("check_outputs", True):
        found.append("outputs: equal to the baseline's on every timed call and on inputs off the grid")
    else:
        found.append("outputs: not compared (`check_outputs: false`)")
    found.append("speed: paired rounds against the baseline, accepted only beyond the noise (see Method)")
    return found


def model_line(report: Data) -> str:
    model = report.get("extra", {}).get("model")
    return f"model `{code(str(model), 80)}`" if model else "no model (versions given to `perfbot evaluate`)"


def complexity_rows(report: Data, candidate: Data) -> list[tuple[str, float, float]]:
    before = report["baseline"].get("complexity", {})
    return [(axis, before[axis], k) for axis, k in candidate.get("complexity", {}).items() if axis in before]


def size_axis(points: list[Data]) -> str | None:
    """The axis a "size" reads from: of those with at least two distinct positive numbers, the one with the widest
    range (largest max/min; the first on a tie)."""
    best, widest = None, 1.0
    for axis in points[0]["params"] if points else {}:
        values = {p["params"][axis] for p in points}
        if len(values) >= 2 and all(positive_number(v) for v in values) and max(values) / min(values) > widest:
            best, widest = axis, max(values) / min(values)
    return best


def function(report: Data) -> str:
    return str(report["benchmark"]["entry"]).replace(":", ".")


def sandbox_note(report: Data) -> str:
    sandbox = report.get("sandbox")
    if sandbox is None:
        return ""
    if not sandbox.get("isolated"):
        return LOCAL_SANDBOX_NOTE
    return f"Candidate code ran in the `{sandbox.get('kind')}` sandbox (isolated from the host, no network)."


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: files("templates").joinpath(name).read_text("utf-8")),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update(cell=cell, code=code, code_block=code_block, seconds=seconds, nbytes=nbytes, times=times)
    return env


def _key(params: dict[str, Any]) -> str:
    return repr(sorted(params.items()))


# How numbers and text read in a report: times, bytes, speedups, sizes, and Markdown cells that cannot break a table.
#
# Every report the project writes (report.md, the merge request, the bot's replies, report.html) formats through
# these, so one value reads the same everywhere. Missing values read "–".

MAX_CELL = 240
TRUNCATED = "\n\n…\n\n_This text was cut to stay within GitLab's limits; the full report has everything._\n"


def seconds(value: float | None) -> str:
    return "–" if value is None else format_seconds(value)


def nbytes(count: int | None) -> str:
    return "–" if count is None else format_bytes(count)


def times(ratio: float | None) -> str:
    """38× / 2.4× / 1.23×: more digits where they matter."""
    if ratio is None or not math.isfinite(ratio):
        return "–"
    return f"{ratio:.0f}×" if ratio >= 10 else f"{ratio:.2f}×" if ratio < 1.995 else f"{ratio:.1f}×"


def short_number(value: Any) -> str:
    """100000 → 100k, 2000000 → 2M, 1600 → 1600."""
    if positive_number(value) and float(value).is_integer():
        n = int(value)
        if n >= 1_000_000 and n % 100_000 == 0:
            return f"{n / 1_000_000:g}M"
        if n >= 10_000 and n % 100 == 0:
            return f"{n / 1000:g}k"
    return str(value)


_AS_TEXT = str.maketrans(
    {
        **{c: "\\" + c for c in "\\`*_[]|~"},
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "@": "@\u200b",
        "#": "#\u200b",
        "!": "!\u200b",
    }
)
"""Markdown and HTML shown as text: emphasis, links, images, code and tables cannot start, tags are not tags, and a
zero-width space keeps GitLab from turning `@user`, `#123` or `!12` into a mention or a cross-reference."""


def cell(value: Any, limit: int = MAX_CELL) -> str:
    """Text for Markdown, from anything a candidate or a model may have written (a reason, an origin, an exception
    message, an agent's summary): on one line, shown as text (never as markup), at most `limit` characters."""
    text = " ".join(str(value if value is not None else "–").split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text.translate(_AS_TEXT)


def code(value: Any, limit: int = MAX_CELL) -> str:
    """Text for inside `backticks` (a path, a command): on one line, no backtick to end the span, pipes escaped
    for tables, at most `limit` characters."""
    text = " ".join(str(value).split()).replace("`", "'").replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def code_block(value: Any, limit: int = MAX_CELL) -> str:
    """Text for inside a ``` fence: fences and HTML comments defused (it cannot end the block or fake a marker),
    at most `limit` characters."""
    text = str(value).replace("```", "`\u200b``").replace("<!--", "<\u200b!--")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def capped(text: str, limit: int | None) -> str:
    """`text`, or its first part with a notice when it is longer than `limit` (the notice fits within it)."""
    if limit is None or len(text) <= limit:
        return text
    return text[: limit - len(TRUNCATED)].rstrip() + TRUNCATED


def positive_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
