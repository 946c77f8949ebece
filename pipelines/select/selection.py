"""The selection rule (DESIGN §3.3): of the accepted candidates, the best beyond the measured noise, the smaller
change within it; and selection among a fixed set of candidates, measured in one sandbox (`measure_and_select`)."""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipelines.config import Config
from pipelines.evaluate import BaselineResult, Candidate, CandidateResult, Evaluator
from pipelines.sandbox_image import with_sandbox_image
from sandbox.factory import SandboxKind, open_sandbox


def select(results: Sequence[CandidateResult], noise: float = 0.0) -> CandidateResult | None:
    """The accepted candidate to propose: among those whose score is within the noise of the best one, the
    smallest change (fewest changed lines), so that a combination or a larger rewrite must win by more than
    the noise to be chosen over a simpler version. The noise between two candidates is the larger of `noise` (the
    baseline's floor) and the floors their own verdicts allowed for. None when nothing was accepted."""
    accepted = [r for r in results if r.accepted and r.score is not None]
    if not accepted:
        return None
    top = max(accepted, key=lambda r: r.score or 0.0)
    best = top.score or 0.0

    def within(r: CandidateResult) -> bool:
        between = max(noise, r.noise or 0.0, top.noise or 0.0)
        return (r.score or 0.0) * (1.0 + between) >= best

    contenders = [r for r in accepted if within(r)]
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


# Merging candidates that changed different regions of the same original (a line-level three-way merge).
#
# Two candidates combine when, file by file, the original line ranges they replaced are disjoint and separated by at
# least one unchanged line; otherwise there is no combination (None), never a guess. The merge is only a proposal:
# it is measured like any candidate and kept only if it scores best.

Hunk = tuple[int, int, list[str]]
"""Original lines [start, end) replaced by these lines."""


def combine_files(original: Mapping[str, str], a: Mapping[str, str], b: Mapping[str, str]) -> dict[str, str] | None:
    """The files of `a` and `b` (each: path -> full new text of the files it changed) merged, or None on overlap."""
    merged = {**a, **b}
    for path in set(a) & set(b):
        if path not in original:
            return None
        text = merge_text(original[path], a[path], b[path])
        if text is None:
            return None
        merged[path] = text
    return merged


def merge_text(base: str, ours: str, theirs: str) -> str | None:
    base_lines = base.splitlines(keepends=True)
    hunks = sorted(hunks_of(base_lines, ours) + hunks_of(base_lines, theirs))
    for (_, end, _), (start, _, _) in itertools.pairwise(hunks):
        if start <= end:  # overlapping or touching: the two edits are not independent
            return None
    out: list[str] = []
    position = 0
    for start, end, lines in hunks:
        out += base_lines[position:start] + lines
        position = end
    return "".join(out + base_lines[position:])


def hunks_of(base_lines: list[str], new: str) -> list[Hunk]:
    new_lines = new.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(a=base_lines, b=new_lines, autojunk=False)
    return [(i1, i2, new_lines[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]
