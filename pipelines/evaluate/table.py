"""`format_table`: one candidate's result as a short text an LLM agent (or a person in a terminal) reads at once."""

from __future__ import annotations

from pipelines.evaluate.results import BaselineResult, CandidateResult
from pipelines.evaluate.score import format_params


def format_table(result: CandidateResult, baseline: BaselineResult) -> str:
    """Status and reason, the tests' outcome, and per grid point time, memory and speedup. Never long:
    one line per grid point plus a few lines, whatever the tests printed."""
    lines = [f"{result.id}: {result.status.upper()} — {result.reason}"]
    if result.tests is None:
        lines.append("tests: not run")
    elif result.tests.passed:
        lines.append(f"tests: passed ({result.tests.summary})")
    elif result.tests.failure and result.tests.failure in result.reason:
        lines.append(f"tests: FAILED ({result.tests.summary})")
    else:
        lines.append(f"tests: FAILED — {result.tests.failure}")
    if result.outputs_match is not None:
        lines.append(f"outputs match the baseline: {'yes' if result.outputs_match else 'NO'}")
    if result.points:
        lines.append("")
        lines.extend(_points_table(result))
        lines.append("")
        lines.append(
            f"score {result.score:.3f} (noise floor {baseline.noise:.1%}, baseline A/A {baseline.aa_score:.3f})"
        )
        lines.append(_complexity_line(result, baseline))
    return "\n".join(line for line in lines if line is not None).rstrip() + "\n"


def _points_table(result: CandidateResult) -> list[str]:
    rows = [("point", "baseline", "candidate", "speedup", "memory (base → cand)", "spread")]
    for point in result.points:
        assert point.baseline is not None
        rows.append(
            (
                format_params(point.params),
                format_seconds(point.baseline.median_s),
                format_seconds(point.time_s),
                f"{point.ratios.get('time', 0):.2f}×",
                _memory(point.baseline.peak_bytes, point.timing.peak_bytes),
                f"±{point.timing.spread / 2:.1%}",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]


def _memory(before: int | None, after: int | None) -> str:
    if before is None or after is None:
        return "-"
    return f"{format_bytes(before)} → {format_bytes(after)}"


def _complexity_line(result: CandidateResult, baseline: BaselineResult) -> str:
    parts = [
        f"{axis}: {baseline.complexity[axis]:.2f} → {exponent:.2f}"
        for axis, exponent in result.complexity.items()
        if axis in baseline.complexity
    ]
    return "complexity exponent (time ~ size^k) " + ", ".join(parts) if parts else ""


def format_seconds(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def format_bytes(count: int) -> str:
    size = float(count)
    for unit in ("B", "KiB", "MiB"):
        if size < 1024:
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"
