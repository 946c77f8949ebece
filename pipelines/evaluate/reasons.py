"""The words of a verdict: why a candidate was rejected, what the reviewer should know, and its diff."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path
from statistics import median
from typing import Any

from pipelines.config import TargetConfig
from pipelines.evaluate.results import Candidate, PointResult
from pipelines.evaluate.score import format_params

SLOW_IMPORT_S = 0.05
"""How much longer than the baseline's a candidate may take to import before the reviewer is told."""


def unified_diff(repo: Path, candidate: Candidate) -> str:
    """The candidate against the repo's files as a unified diff with a/ and b/ paths."""
    chunks = []
    for rel in sorted(candidate.files):
        path = repo / rel
        lines = difflib.unified_diff(
            path.read_text(encoding="utf-8").splitlines(keepends=True) if path.is_file() else [],
            candidate.files[rel].splitlines(keepends=True),
            fromfile=f"a/{rel}" if path.is_file() else "/dev/null",
            tofile=f"b/{rel}",
        )
        chunks.append("".join(_terminated(lines)))
    return "".join(chunks)


def outside_target(paths: Sequence[str], target: TargetConfig) -> str | None:
    """Why one of `paths` may not be changed (outside the repo, or matching none of target.files), or None."""
    for rel in paths:
        if rel.startswith("/") or ".." in rel.split("/"):
            return f"{rel!r} is not a path inside the repository"
        if not target.matches(rel):
            return f"changes {rel}, which is not among target.files {list(target.files)}"
    return None


def import_warning(points: Sequence[PointResult]) -> str | None:
    """A note when the candidate's module takes much longer to import than the baseline's: work done at import is
    not timed (with inputs that have no seed, answers could be precomputed there)."""
    mine = [p.timing.import_s for p in points if p.timing.import_s is not None]
    base = [p.baseline.import_s for p in points if p.baseline is not None and p.baseline.import_s is not None]
    if not mine or not base:
        return None
    mine_s, base_s = median(mine), median(base)
    if mine_s - base_s <= max(SLOW_IMPORT_S, base_s / 2):
        return None
    return f"work at import: it takes {mine_s:.3f} s to start where the baseline takes {base_s:.3f} s (not timed)"


def check_reason(failed: dict[str, Any]) -> str:
    """The rejection of a candidate whose outputs differ (or that fails) on an input off the grid."""
    shown = _shown_input(failed.get("input"))
    if "failure" in failed:
        return f"fails at {failed['label']}{shown}: {failed['failure']}"
    return (
        f"outputs differ at {failed['label']}{shown}: {failed['mismatch']} (the baseline "
        f"{failed.get('baseline')}, this version {failed.get('candidate')})"
    )


def measure_reason(failed: dict[str, Any], points: list[dict[str, Any]]) -> str:
    where = format_params(points[failed["point"]]["params"])
    if "mismatch" in failed:
        shown = _shown_input(failed.get("input"))
        both = (
            f" (the baseline {failed['baseline']}, this version {failed['candidate']})" if "baseline" in failed else ""
        )
        return f"outputs differ at {where}{shown}: {failed['mismatch']}{both}"
    return f"at {where}: {failed['failure']}"


def _shown_input(shown: dict[str, Any] | None) -> str:
    if not shown:
        return ""
    parts = [*shown.get("args", []), *(f"{k}={v}" for k, v in shown.get("kwargs", {}).items())]
    text = ", ".join(parts)
    return f" (input: {text[:160]}{'...' if len(text) > 160 else ''})"


def _terminated(lines: Any) -> Any:
    # difflib leaves a last line without newline unterminated, which would glue two files' hunks together.
    for line in lines:
        yield line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
