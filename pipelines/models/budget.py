"""A hard dollar budget shared by every agent of a run, with the usage of each agent kept apart."""

from __future__ import annotations

import threading

from pipelines.models.base import Usage


class BudgetExhausted(Exception):
    """No further model call may start: the run has spent `limit_usd` (or more)."""


class Budget:
    def __init__(self, limit_usd: float) -> None:
        self.limit_usd = limit_usd
        self._lock = threading.Lock()
        self._by_agent: dict[str, Usage] = {}

    def check(self) -> None:
        """Raises BudgetExhausted when the spending has reached the limit. Called before every model call:
        a call already under way is paid for, so a run overshoots by at most one call per agent."""
        spent = self.spent_usd
        if spent >= self.limit_usd:
            raise BudgetExhausted(f"the budget of ${self.limit_usd:.2f} is spent (${spent:.4f})")

    def charge(self, agent: str, usage: Usage) -> None:
        with self._lock:
            self._by_agent[agent] = self._by_agent.get(agent, Usage()) + usage

    @property
    def spent_usd(self) -> float:
        with self._lock:
            return sum(u.usd for u in self._by_agent.values())

    def total(self) -> Usage:
        with self._lock:
            return sum(self._by_agent.values(), Usage())

    def by_agent(self) -> dict[str, Usage]:
        with self._lock:
            return dict(self._by_agent)
