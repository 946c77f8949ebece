"""What a run's model may spend: its price, the length of one reply, and the run's budget.

- `rates_for(spec, price)`: `agent.price` when given, else the table's row (pricing.py), else None (unknown).
- `max_tokens_for(spec, configured)`: `agent.max_tokens` when given; else enough for a model that thinks before it
  answers (its thinking spends output tokens too) — 32k, or the model's own limit when lower; 16k when unknown.
- `run_budget(config)`: dollars (`search.max_cost_usd`) when the model has a price, and tokens (`search.max_tokens`)
  when set; an unpriced model always gets a token budget, `DEFAULT_TOKEN_BUDGET` unless one is set, and
  `unpriced_warning` says so before the run starts (never a silent fallback to some price).
"""

from __future__ import annotations

from pipelines.config import Config
from pipelines.config_sections import PriceConfig
from pipelines.models.pricing import Budget, Rates, model_info

THINKING_MAX_TOKENS = 32_000
UNKNOWN_MAX_TOKENS = 16_384
PLAIN_MAX_TOKENS = 16_384
DEFAULT_TOKEN_BUDGET = 5_000_000
"""Tokens (input, cached or not, plus output) a run of an unpriced model may use when search.max_tokens is unset."""


def rates_for(spec: str, price: PriceConfig | None = None) -> Rates | None:
    """The rates of `spec` ('anthropic:<model>', 'openai:<model>'); None when nothing prices it."""
    if price is not None:
        return Rates.of(price.input, price.output, price.cache_read, price.cache_write)
    provider, _, name = spec.partition(":")
    info = model_info(name) if provider == "anthropic" else None
    return info.rates if info is not None else None


def max_tokens_for(spec: str, configured: int | None = None) -> int:
    if configured is not None:
        return configured
    provider, _, name = spec.partition(":")
    info = model_info(name) if provider == "anthropic" else None
    if info is None:
        return UNKNOWN_MAX_TOKENS
    return min(info.max_output, THINKING_MAX_TOKENS if info.thinks else PLAIN_MAX_TOKENS)


def priced(config: Config) -> bool:
    """Whether the run's cost in dollars is known (a scripted model prices itself, at its script's rates)."""
    spec = config.agent.model
    return spec.startswith("scripted:") or rates_for(spec, config.agent.price) is not None


def run_budget(config: Config) -> Budget:
    tokens = config.search.max_tokens
    if tokens is None and not priced(config):
        tokens = DEFAULT_TOKEN_BUDGET
    return Budget(config.search.max_cost_usd, tokens)


def unpriced_warning(config: Config) -> str | None:
    """What to tell the user before a run whose model has no price; None when it has one."""
    if priced(config):
        return None
    spec = config.agent.model
    tokens = config.search.max_tokens or DEFAULT_TOKEN_BUDGET
    known = "not in perfbot's price table" if spec.startswith("anthropic:") else "an OpenAI-compatible server's"
    return (
        f"agent.model {spec!r} is {known}, so its cost is unknown: search.max_cost_usd cannot apply and the run "
        f"stops after {tokens:,} tokens instead (search.max_tokens); set agent.price "
        "({input: USD, output: USD} per million tokens) to count dollars"
    )
