"""The selection rule (DESIGN §3.3): of the accepted candidates, the one with the highest score; and selection among
a fixed set of candidates, measured in one sandbox (`measure_and_select`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipelines.config import Config
from pipelines.evaluate import BaselineResult, Candidate, CandidateResult, Evaluator
from sandbox.factory import SandboxKind, open_sandbox


def select(results: Sequence[CandidateResult]) -> CandidateResult | None:
    """The accepted candidate with the highest score (the first one on a tie), or None."""
    accepted = [r for r in results if r.accepted and r.score is not None]
    return max(accepted, key=lambda r: r.score or 0.0, default=None)


@dataclass
class Measured:
    """A fixed set of candidates measured against the baseline, and the one selected among them."""

    baseline: BaselineResult
    results: list[CandidateResult]
    selected: CandidateResult | None
    sandbox_kind: str
    isolated: bool


def measure_and_select(
    repo: Path,
    config: Config,
    candidates: Sequence[Candidate],
    *,
    sandbox_kind: SandboxKind | None,
    label: str = "perfbot-eval",
    progress: Callable[[str], None] | None = None,
    repeat: int | None = None,
) -> Measured:
    """Open the benchmark sandbox, prepare the baseline (tests, A/A noise) and measure `candidates` against it, then
    select: what `perfbot evaluate`, the CI gather job and `perfbot bench`'s non-perfbot contestants do (no agents)."""
    with open_sandbox(sandbox_kind, label=label, benchmark=True) as sandbox:
        evaluator = Evaluator(repo, config, sandbox, progress=progress, repeat=repeat)
        baseline = evaluator.prepare()
        results = evaluator.evaluate(candidates) if candidates else []
        kind, isolated = sandbox.kind, bool(sandbox.isolated)
    return Measured(baseline, results, select(results), kind, isolated)
