"""Dollar prices of model calls, from the token counts the API returns.

Rates are USD per million tokens from Anthropic's pricing page (platform.claude.com/docs/en/about-claude/pricing).
Prompt-cache writes (5-minute) cost 1.25x the input rate and cache reads 0.1x, except where a family lists its own
read rate. An unknown model is priced at the highest rates below, so a budget errs on the side of stopping early.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rates:
    input: float
    output: float
    cache_read: float
    cache_write: float

    @classmethod
    def of(cls, input: float, output: float, read_factor: float = 0.1) -> Rates:
        return cls(input, output, input * read_factor, input * 1.25)


# Longest matching prefix wins, so 'claude-fable-5-1' is matched before 'claude-fable-5'.
ANTHROPIC_RATES: dict[str, Rates] = {
    "claude-fable-5-1": Rates.of(10, 50, 0.025),
    "claude-mythos-5-1": Rates.of(10, 50, 0.025),
    "claude-fable-5": Rates.of(10, 50),
    "claude-mythos-5": Rates.of(10, 50),
    "claude-mythos": Rates.of(10, 50),
    "claude-opus-4-1": Rates.of(15, 75),
    "claude-opus-4-0": Rates.of(15, 75),
    "claude-opus-4-2025": Rates.of(15, 75),
    "claude-opus": Rates.of(5, 25),
    "claude-sonnet-5": Rates.of(2, 10),
    "claude-sonnet": Rates.of(3, 15),
    "claude-haiku-4": Rates.of(1, 5),
    "claude-haiku-3-5": Rates.of(0.8, 4),
}
UNKNOWN_RATES = Rates.of(15, 75)


def rates_for(model: str) -> Rates:
    matches = [prefix for prefix in ANTHROPIC_RATES if model.startswith(prefix)]
    return ANTHROPIC_RATES[max(matches, key=len)] if matches else UNKNOWN_RATES


def cost_usd(rates: Rates, *, input: int, output: int, cache_read: int = 0, cache_write: int = 0) -> float:
    return (
        input * rates.input + output * rates.output + cache_read * rates.cache_read + cache_write * rates.cache_write
    ) / 1_000_000
