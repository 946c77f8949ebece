"""Shards: `perfbot ci --shard i/N` runs agents i, i+N, i+2N, … of the configured K (per round), so N parallel
CI jobs together run the K agents each would otherwise run alone. Agent names stay global (`a0`…`a{K-1}`),
so candidate ids do not collide across shards and a scripted model replays a different session in each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.errors import UsageError


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
