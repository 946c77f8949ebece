"""The selection rule (DESIGN §3.3): of the accepted candidates, the one with the highest score."""

from __future__ import annotations

from collections.abc import Sequence

from pipelines.evaluate.results import CandidateResult


def select(results: Sequence[CandidateResult]) -> CandidateResult | None:
    """The accepted candidate with the highest score (the first one on a tie), or None."""
    accepted = [r for r in results if r.accepted and r.score is not None]
    return max(accepted, key=lambda r: r.score or 0.0, default=None)
