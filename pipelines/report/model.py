"""`Report`: everything a run produced, and its `report.json` form (schema: templates/report.schema.json)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from pipelines.config import Config
from pipelines.evaluate.results import BaselineResult, CandidateResult

SCHEMA_VERSION = 1


@dataclass
class Cost:
    input_tokens: int = 0
    output_tokens: int = 0
    usd: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"input_tokens": self.input_tokens, "output_tokens": self.output_tokens, "usd": round(self.usd, 6)}


@dataclass
class Report:
    baseline: BaselineResult
    candidates: list[CandidateResult]
    selected: str | None
    """The id of the selected candidate (one of `candidates`), or None when none was accepted."""
    config: Config
    sandbox_kind: str
    sandbox_isolated: bool
    run_id: str = ""
    repo: str = ""
    cost: Cost = field(default_factory=Cost)
    method: str = ""
    """Two lines saying how it was measured; filled from the config when left empty."""
    agents: list[dict[str, Any]] = field(default_factory=list)
    """Per agent (filled by `perfbot optimize`): whatever the agent loop reports, JSON-ready."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Anything else a command wants in report.json, JSON-ready."""
    created_at: str = field(default_factory=lambda: datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"))

    def __post_init__(self) -> None:
        if self.selected is not None and self.selected not in {c.id for c in self.candidates}:
            raise ValueError(f"selected {self.selected!r} is not among the candidates")
        if not self.method:
            self.method = method_text(self.config, self.baseline)

    @property
    def selected_result(self) -> CandidateResult | None:
        return next((c for c in self.candidates if c.id == self.selected), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "run_id": self.run_id,
            "created_at": self.created_at,
            "repo": self.repo,
            **settings_json(self.config, self.baseline.repeat),
            "sandbox": {"kind": self.sandbox_kind, "isolated": self.sandbox_isolated},
            "method": self.method,
            "baseline": self.baseline.to_json(),
            "candidates": [c.to_json() for c in self.candidates],
            "selected": self.selected,
            "cost": self.cost.to_json(),
            "agents": self.agents,
            "extra": self.extra,
        }


def settings_json(config: Config, repeat: int) -> dict[str, Any]:
    """The `target`, `benchmark` and `accept` parts of report.json: what was asked for, and how it was measured."""
    bench = config.benchmark
    return {
        "target": {"files": list(config.target.files)},
        "benchmark": {
            "entry": bench.entry,
            "inputs": bench.inputs,
            "params": bench.params,
            "metrics": dict(bench.metrics),
            "weights": {axis: {str(v): w for v, w in by.items()} for axis, by in bench.weights.items()},
            "repeat": repeat,
            "check_outputs": bench.check_outputs,
        },
        "accept": {"min_speedup": config.accept.min_speedup, "max_regression": config.accept.max_regression},
    }


def method_text(config: Config, baseline: BaselineResult) -> str:
    """The measurement method in two lines (for report.md and the merge request)."""
    bench = config.benchmark
    metrics = ", ".join(f"{m} {w:g}" for m, w in bench.metrics.items())
    return (
        f"Baseline and candidates ran interleaved (A B A B …), each run in a fresh Python process on a freshly built "
        f"input with the garbage collector off during the call; time is the median of {baseline.repeat} runs, memory "
        f"the peak of traced allocations during the call (inputs included) in separate runs.\n"
        f"Score = weighted geometric mean of baseline/candidate ratios over grid points and metrics ({metrics}); "
        f"accepted only if the tests pass{', outputs match' if bench.check_outputs else ''}, the score beats "
        f"min_speedup {config.accept.min_speedup:g} × (1 + noise {baseline.noise:.1%}, measured by running the "
        f"baseline against itself: A/A score {baseline.aa_score:.3f}) and no point is more than "
        f"{config.accept.max_regression:.0%} slower."
    )
