"""The selection rule (DESIGN §3.3): of the accepted candidates, the best beyond the measured noise, the smaller
change within it; and selection among a fixed set of candidates, measured in one sandbox (`measure_and_select`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipelines.config import Config
from pipelines.evaluate import BaselineResult, Candidate, CandidateResult, Evaluator
from pipelines.sandbox_image import with_sandbox_image
from sandbox.factory import SandboxKind, open_sandbox


def select(results: Sequence[CandidateResult], noise: float = 0.0) -> CandidateResult | None:
    """The accepted candidate to propose: among those whose score is within the noise of the best one, the
    smallest change (fewest changed lines), so that a combination or a larger rewrite must win by more than
    the noise to be chosen over a simpler version. None when nothing was accepted."""
    accepted = [r for r in results if r.accepted and r.score is not None]
    if not accepted:
        return None
    best = max(r.score or 0.0 for r in accepted)
    contenders = [r for r in accepted if (r.score or 0.0) * (1.0 + noise) >= best]
    return min(contenders, key=lambda r: (changed_lines(r.diff), -(r.score or 0.0)))


def changed_lines(diff: str) -> int:
    return sum(1 for line in diff.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---")))


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
    config = with_sandbox_image(repo, config, sandbox_kind, progress or (lambda _: None))
    with open_sandbox(sandbox_kind, label=label, benchmark=True, image=config.run_image) as sandbox:
        evaluator = Evaluator(repo, config, sandbox, progress=progress, repeat=repeat)
        baseline = evaluator.prepare()
        results = evaluator.evaluate(candidates) if candidates else []
        kind, isolated = sandbox.kind, bool(sandbox.isolated)
    return Measured(baseline, results, select(results, baseline.noise), kind, isolated)
