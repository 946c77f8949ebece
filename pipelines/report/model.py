"""`Report`: everything a run produced, and its `report.json` form (schema: templates/report.schema.json)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from pipelines.config import Config
from pipelines.evaluate.results import BaselineResult, CandidateResult, Method

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
    error: dict[str, Any] | None = None
    """Why the run ended early (`stage`, `message`, `test`, `output`), e.g. interrupted; None when it ran to its end."""
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
            **({"error": self.error} if self.error is not None else {}),
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
    """The measurement method as it was run (for report.md and the merge request): how the clock, the inputs and the
    processes were arranged, and the rule that accepted or rejected."""
    bench, method = config.benchmark, baseline.method
    metrics = ", ".join(f"{m} {w:g}" for m, w in bench.metrics.items())
    memory = bench.metrics.get("memory", 0) > 0
    lines = [_how_measured(bench.measure, method, memory) if method else "Baseline and candidates ran interleaved."]
    if method and not method.seeded:
        lines.append(
            f"The inputs function ({bench.inputs}) takes no `seed`: every process got the same inputs, so a version "
            "could remember answers from one run to the next. Give it a `seed` parameter to close that door."
        )
    outputs = (
        ", the outputs of every timed call and of inputs off the grid equal the baseline's"
        if bench.check_outputs
        else ""
    )
    tests = "the same tests pass (test by test)" if method and method.tests_checked == "per test" else "the tests pass"
    lines.append(noise_definition(baseline.noise, baseline.aa_score))
    lines.append(
        f"Score = weighted geometric mean of the paired baseline/candidate ratios over grid points and metrics "
        f"({metrics}), with a 95% t-interval over the rounds; accepted only if {tests}{outputs}, at least 5 paired "
        f"rounds were measured, the whole interval beats min_speedup {config.accept.min_speedup:g} × (1 + noise) "
        f"and no point is more than {config.accept.max_regression:.0%} slower (beyond the noise)."
    )
    return "\n".join(lines)


def noise_definition(noise: float, aa_score: float) -> str:
    """The one definition of "noise" a report uses, with this run's value."""
    return (
        f"Noise = how far the baseline measured against itself strays from 1: the larger of |A/A score − 1| and half "
        f"its 95% interval; here {noise:.1%} (A/A score {aa_score:.3f}) before the candidates. A copy of the baseline "
        "is measured again beside the candidates, in the same rounds, and each verdict allows for the larger of the "
        "two floors (report.json, each candidate's `noise`). Every rule below allows for it."
    )


def _how_measured(measure: str, method: Method, memory: bool) -> str:
    loops = ", ".join(str(n) for n in method.loops)
    each = "as many calls each as a timed value, as pyperf warms up" if measure == "warm" else "one call each"
    warm = (
        f"{method.warmup} warm-up value(s) on other inputs ({each}), then the timed calls (the baseline's {loops} "
        "per timed value at the grid points, in order; each candidate's calibrated the same way on its own speed, "
        "in report.json), each on an input of its own, one after the other as in a loop"
        if method.warmup
        else "the timed call first"
    )
    chosen = "the steady state after warm-up" if measure == "warm" else "the first call of a process (cold)"
    return (
        f"Every round, perfbot built fresh inputs from seeds only it knew and ran the baseline and each candidate on "
        f"them back to back, the order alternating from round to round; each run is a fresh process with {warm}, one "
        f"timed value per process. perfbot's judge takes the time outside the measured process, from handing over "
        f"the inputs to reading back the outputs, less what that transport alone costs for as many calls; the score "
        f"uses {chosen}. "
        + (
            "Memory is the kernel's peak resident memory of the measured process, less an idle interpreter's."
            if memory
            else "Time only: memory was not part of the score (`benchmark.metrics`), and is not reported."
        )
    )
