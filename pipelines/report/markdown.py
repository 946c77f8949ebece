"""report.md: the verdict, per-size tables (time, memory, speedup, noise), candidates, the method in two lines."""

from __future__ import annotations

from pipelines.evaluate.results import CandidateResult, PointResult
from pipelines.evaluate.table import format_bytes, format_seconds
from pipelines.report.model import Report

LOCAL_SANDBOX_NOTE = (
    "**Local sandbox:** no container isolated the code; the tests and benchmarks ran as plain processes on this "
    "machine (`--sandbox local`)."
)


def render_markdown(report: Report) -> str:
    shown = shown_candidate(report)
    parts = [f"## perfbot: {headline(report)}", "", verdict_text(report)]
    if shown is not None:
        parts += ["", f"### Per grid point: `{shown.id}` against the baseline", "", *_points_table(report, shown)]
        parts += ["", *_complexity(report, shown)]
    else:
        parts += ["", "### Baseline per grid point", "", *_baseline_table(report)]
    parts += ["", "### Candidates", "", *_candidates(report)]
    parts += ["", "### Method", "", *report.method.splitlines()]
    parts += ["", LOCAL_SANDBOX_NOTE if not report.sandbox_isolated else _isolated_note(report)]
    return "\n".join(parts).rstrip() + "\n"


def headline(report: Report) -> str:
    selected = report.selected_result
    if selected is None:
        return f"no faster version found ({len(report.candidates)} candidate(s) evaluated)"
    files = ", ".join(f"`{f}`" for f in selected.files)
    return f"{files} {_speedup_words(selected)}, outputs unchanged"


def shown_candidate(report: Report) -> CandidateResult | None:
    """The selected candidate, else the best measured one (to show why it was not enough)."""
    if report.selected_result is not None:
        return report.selected_result
    measured = [c for c in report.candidates if c.points and c.score is not None]
    return max(measured, key=lambda c: c.score or 0.0, default=None)


def _speedup_words(result: CandidateResult) -> str:
    times = [p.ratios["time"] for p in result.points if "time" in p.ratios]
    if not times:
        return f"scores {result.score:.2f}×"
    return f"up to {max(times):.1f}× faster (score {result.score:.2f})"


def verdict_text(report: Report) -> str:
    selected = report.selected_result
    if selected is None:
        return "No candidate was accepted: each one is listed below with the reason."
    return f"Selected **{selected.id}** (from `{selected.origin}`): {selected.reason}."


def _points_table(report: Report, result: CandidateResult) -> list[str]:
    axes = list(report.config.benchmark.params)
    header = [*axes, "baseline", "candidate", "speedup", "noise", "memory before", "memory after", "memory ratio"]
    rows = [point_row(point, axes) for point in result.points]
    return _table(header, rows)


def point_row(point: PointResult, axes: list[str]) -> list[str]:
    assert point.baseline is not None
    noise = max(point.timing.spread, point.baseline.spread) / 2
    memory_ratio = point.ratios.get("memory")
    return [
        *(str(point.params[a]) for a in axes),
        format_seconds(point.baseline.median_s),
        format_seconds(point.time_s),
        f"{point.ratios.get('time', 0):.2f}×",
        f"±{noise:.1%}",
        _bytes(point.baseline.peak_bytes),
        _bytes(point.timing.peak_bytes),
        f"{memory_ratio:.2f}×" if memory_ratio is not None else "–",
    ]


def _baseline_table(report: Report) -> list[str]:
    axes = list(report.config.benchmark.params)
    rows = [
        [
            *(str(p.params[a]) for a in axes),
            format_seconds(p.time_s),
            f"±{p.timing.spread / 2:.1%}",
            _bytes(p.timing.peak_bytes),
        ]
        for p in report.baseline.points
    ]
    return _table([*axes, "time", "noise", "memory"], rows)


def _complexity(report: Report, result: CandidateResult) -> list[str]:
    before = report.baseline.complexity
    rows = [[axis, f"{before[axis]:.2f}", f"{k:.2f}"] for axis, k in result.complexity.items() if axis in before]
    if not rows:
        return []
    return ["Complexity exponent k (time grows like size^k):", "", *_table(["axis", "before", "after"], rows)]


def _candidates(report: Report) -> list[str]:
    rows = [
        [
            c.id + (" ✅" if c.id == report.selected else ""),
            f"`{c.origin}`",
            c.status,
            f"{c.score:.3f}" if c.score is not None else "–",
            c.reason.replace("|", "\\|").replace("\n", " "),
        ]
        for c in report.candidates
    ]
    return _table(["id", "origin", "status", "score", "reason"], rows)


def _isolated_note(report: Report) -> str:
    return f"Candidate code ran in the `{report.sandbox_kind}` sandbox (isolated from the host, no network)."


def _bytes(count: int | None) -> str:
    return format_bytes(count) if count is not None else "–"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines
