"""A hard budget shared by every agent of a run, in dollars and optionally in tokens, with each agent's usage kept
apart."""

from __future__ import annotations

import threading

from pipelines.models.base import Usage


class BudgetExhausted(Exception):
    """No further model call may start: the run has spent `limit_usd` or `limit_tokens` (or more)."""


class Budget:
    def __init__(self, limit_usd: float, limit_tokens: int | None = None) -> None:
        self.limit_usd = limit_usd
        self.limit_tokens = limit_tokens
        """Tokens (input, cached or not, plus output) all agents together may use; None: no token limit."""
        self._lock = threading.Lock()
        self._by_agent: dict[str, Usage] = {}

    def check(self) -> None:
        """Raises BudgetExhausted when the spending has reached the limit. Called before every model call:
        a call already under way is paid for, so a run overshoots by at most one call per agent."""
        spent = self.spent_usd
        if spent >= self.limit_usd:
            raise BudgetExhausted(f"the budget of ${self.limit_usd:.2f} is spent (${spent:.4f})")
        used = self.spent_tokens
        if self.limit_tokens is not None and used >= self.limit_tokens:
            raise BudgetExhausted(f"the budget of {self.limit_tokens:,} tokens is spent ({used:,})")

    def charge(self, agent: str, usage: Usage) -> None:
        with self._lock:
            self._by_agent[agent] = self._by_agent.get(agent, Usage()) + usage

    @property
    def spent_usd(self) -> float:
        with self._lock:
            return sum(u.usd for u in self._by_agent.values())

    @property
    def spent_tokens(self) -> int:
        total = self.total()
        return total.prompt_tokens + total.output_tokens

    def total(self) -> Usage:
        with self._lock:
            return sum(self._by_agent.values(), Usage())

    def by_agent(self) -> dict[str, Usage]:
        with self._lock:
            return dict(self._by_agent)
