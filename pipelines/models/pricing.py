"""What a model call costs and how long a reply may be: the one table of the models perfbot knows.

Rates are USD per million tokens from Anthropic's pricing page (platform.claude.com/docs/en/about-claude/pricing);
`cache_write` is the 5-minute rate. A row matches every model name it is a prefix of, the longest prefix winning
(`claude-sonnet-5-5` before `claude-sonnet-5`, a dated `claude-haiku-4-5-20251001` by `claude-haiku-4-5`). A model
in no row is *unknown*: it has no price (never a guessed one), and its run is held to a token budget instead
(pipelines/models/limits.py). `agent.price` in .perfbot.yml overrides a row or prices an unknown model.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from pipelines.models.base import Usage


@dataclass(frozen=True)
class Rates:
    input: float
    output: float
    cache_read: float
    cache_write: float

    @classmethod
    def of(
        cls, input: float, output: float, cache_read: float | None = None, cache_write: float | None = None
    ) -> Rates:
        """Rates with the usual cache multipliers where none is given: reads 0.1 × input, writes 1.25 × input."""
        read = input * 0.1 if cache_read is None else cache_read
        return cls(input, output, read, input * 1.25 if cache_write is None else cache_write)


@dataclass(frozen=True)
class ModelInfo:
    family: str
    rates: Rates
    max_output: int
    """The most output tokens one reply may have (thinking included)."""
    thinks: bool
    """Thinks before it answers by default (adaptive thinking), which spends output tokens."""


def _row(family: str, rates: Rates, max_output: int = 128_000, thinks: bool = True) -> ModelInfo:
    return ModelInfo(family, rates, max_output, thinks)


_FABLE_5_2 = Rates.of(8, 40, 0.2, 10)
_FABLE_5_1 = Rates.of(10, 50, 0.25, 12.5)
_FABLE_5 = Rates.of(10, 50, 1.0, 12.5)
_OPUS_4_5 = Rates.of(5, 25)
_OPUS_4 = Rates.of(15, 75)
_SONNET_5 = Rates.of(2, 10, 0.2, 2.5)
_SONNET_4 = Rates.of(3, 15)

MODELS: dict[str, ModelInfo] = {
    "claude-fable-5-2": _row("fable", _FABLE_5_2),
    "claude-mythos-5-2": _row("mythos", _FABLE_5_2),
    "claude-fable-5-1": _row("fable", _FABLE_5_1),
    "claude-mythos-5-1": _row("mythos", _FABLE_5_1),
    "claude-fable-5": _row("fable", _FABLE_5),
    "claude-mythos-5": _row("mythos", _FABLE_5),
    "claude-opus-5-5": _row("opus", Rates.of(4, 20, 0.2, 5)),
    "claude-opus-5": _row("opus", Rates.of(5, 25)),
    "claude-opus-4-8": _row("opus", _OPUS_4_5),
    "claude-opus-4-7": _row("opus", _OPUS_4_5),
    "claude-opus-4-6": _row("opus", _OPUS_4_5),
    "claude-opus-4-5": _row("opus", _OPUS_4_5, 64_000, thinks=False),
    "claude-opus-4-1": _row("opus", _OPUS_4, 32_000, thinks=False),
    "claude-opus-4-0": _row("opus", _OPUS_4, 32_000, thinks=False),
    "claude-opus-4-2025": _row("opus", _OPUS_4, 32_000, thinks=False),
    "claude-sonnet-5-5": _row("sonnet", _SONNET_5),
    "claude-sonnet-5": _row("sonnet", _SONNET_5),
    "claude-sonnet-4": _row("sonnet", _SONNET_4, 64_000, thinks=False),
    "claude-haiku-5-5": _row("haiku", Rates.of(0.1, 0.5, 0.01, 0.125)),
    "claude-haiku-4-5": _row("haiku", Rates.of(1, 5), 64_000, thinks=False),
    "claude-haiku-3-5": _row("haiku", Rates.of(0.8, 4), 8_192, thinks=False),
}


def model_info(name: str) -> ModelInfo | None:
    """The row of `name` (a model id without provider, e.g. 'claude-sonnet-5-5'); None when it is unknown."""
    matches = [prefix for prefix in MODELS if name.startswith(prefix)]
    return MODELS[max(matches, key=len)] if matches else None


def cost_usd(rates: Rates, *, input: int, output: int, cache_read: int = 0, cache_write: int = 0) -> float:
    return (
        input * rates.input + output * rates.output + cache_read * rates.cache_read + cache_write * rates.cache_write
    ) / 1_000_000


# A hard budget shared by every agent of a run, in dollars and optionally in tokens, with each agent's usage kept
# apart.


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
