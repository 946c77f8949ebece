"""Shards: `perfbot ci --shard i/N` runs agents i, i+N, i+2N, … of the configured K (per round), so N parallel
CI jobs together run the K agents each would otherwise run alone. Agent names stay global (`a0`…`a{K-1}`),
so candidate ids do not collide across shards and a scripted model replays a different session in each.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.agent.loop import AgentOutcome
from pipelines.agent.prompts import Focus
from pipelines.config import Config
from pipelines.errors import UsageError
from pipelines.evaluate import Evaluator
from pipelines.select.search import Search, SearchResult
from pipelines.trace import Trace
from sandbox.factory import SandboxKind, open_sandbox


@dataclass(frozen=True)
class Shard:
    index: int
    """1-based, like GitLab's CI_NODE_INDEX."""
    total: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text)
        if not match or not 1 <= int(match[1]) <= int(match[2]):
            raise UsageError(f"--shard: expected i/N with 1 <= i <= N (like 2/4), got {text!r}")
        return cls(int(match[1]), int(match[2]))

    def slots(self, agents: int) -> list[int]:
        """Which of the `agents` agent slots of a round this shard runs."""
        return [slot for slot in range(agents) if slot % self.total == self.index - 1]

    def __str__(self) -> str:
        return f"{self.index}/{self.total}"


class CiSearch(Search):
    """`Search` that runs only this shard's agent slots."""

    def __init__(self, *args: Any, shard: Shard, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shard = shard

    def run_round(self, round_: int, start: dict[str, str], note: str) -> list[AgentOutcome]:
        k = self.config.search.agents
        indices = [(round_ - 1) * k + slot for slot in self.shard.slots(k)]
        if not indices:
            return []
        workers = max(1, min(len(indices), os.cpu_count() or 1))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="perfbot-agent") as pool:
            futures = [pool.submit(self.run_agent, index, round_, start, note) for index in indices]
            return [f.result() for f in futures]


@dataclass
class Searched:
    result: SearchResult
    baseline: Any
    isolated: bool
    measured: list[Any]
    """Every `Measurement` (candidate with its files, and its result)."""


def search(
    repo: Path,
    config: Config,
    kind: SandboxKind | None,
    trace: Trace,
    progress: Any,
    *,
    shard: Shard,
    focus: Focus | None = None,
) -> Searched:
    """The search of one shard (and the function to focus on); also returns the measurements."""
    with open_sandbox(kind, label="perfbot-eval", benchmark=True) as sandbox:
        evaluator = Evaluator(repo, config, sandbox, progress=progress.evaluator)
        baseline = evaluator.prepare()
        found = CiSearch(
            repo, config, evaluator, sandbox_kind=kind, trace=trace, progress=progress, shard=shard, focus=focus
        )
        result = found.run()
        return Searched(result, baseline, bool(sandbox.isolated), found.measure.measured())
