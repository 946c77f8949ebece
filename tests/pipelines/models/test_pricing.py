"""The one price table: every current model family the pinned SDK lists is priced, an unknown model is not (and its
run gets a token budget), agent.price overrides, and the default model is the newest Sonnet the SDK lists."""

from __future__ import annotations

import re
import typing
from dataclasses import astuple

import pytest
from anthropic.types.model_param import ModelParam

from pipelines.config import DEFAULT_MODEL, parse_config
from pipelines.config_sections import PriceConfig
from pipelines.models import open_model
from pipelines.models.limits import DEFAULT_TOKEN_BUDGET, max_tokens_for, rates_for, run_budget, unpriced_warning
from pipelines.models.pricing import BudgetExhausted, Rates, cost_usd, model_info

SDK_MODELS = [m for m in typing.get_args(typing.get_args(ModelParam)[0]) if isinstance(m, str)]


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        ("claude-fable-5-2", Rates(8, 40, 0.2, 10)),
        ("claude-mythos-5-1", Rates(10, 50, 0.25, 12.5)),
        ("claude-opus-5-5", Rates(4, 20, 0.2, 5)),
        ("claude-opus-4-8", Rates(5, 25, 0.5, 6.25)),
        ("claude-sonnet-5-5", Rates(2, 10, 0.2, 2.5)),
        ("claude-sonnet-4-6", Rates(3, 15, 0.3, 3.75)),
        ("claude-haiku-5-5", Rates(0.1, 0.5, 0.01, 0.125)),
        ("claude-haiku-4-5-20251001", Rates(1, 5, 0.1, 1.25)),
    ],
)
def test_each_current_family_has_its_published_rates(model: str, expected: Rates) -> None:
    assert astuple(rates_for(f"anthropic:{model}")) == pytest.approx(astuple(expected))


def test_every_non_preview_model_the_sdk_lists_is_priced() -> None:
    unpriced = [m for m in SDK_MODELS if model_info(m) is None and "preview" not in m]
    assert unpriced == []


def test_the_default_is_the_newest_sonnet_the_sdk_lists() -> None:
    def version(name: str) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", name.removeprefix("claude-sonnet-")) if len(part) < 8)

    sonnets = [m for m in SDK_MODELS if m.startswith("claude-sonnet-")]
    assert f"anthropic:{max(sonnets, key=version)}" == DEFAULT_MODEL


def test_an_unknown_model_has_no_price_a_warning_and_a_token_budget() -> None:
    assert rates_for("anthropic:claude-next-9") is None
    config = parse_config(_raw("anthropic:claude-next-9"), "t.yml")
    assert "claude-next-9" in (unpriced_warning(config) or "")
    budget = run_budget(config)
    assert budget.limit_tokens == DEFAULT_TOKEN_BUDGET
    assert max_tokens_for("anthropic:claude-next-9") == 16_384


def test_agent_price_overrides_the_table_and_prices_an_openai_model() -> None:
    price = PriceConfig(input=1, output=2)
    assert rates_for("openai:qwen3-coder", price) == Rates(1, 2, 0.1, 1.25)
    assert rates_for("anthropic:claude-sonnet-5-5", price) == Rates(1, 2, 0.1, 1.25)
    config = parse_config(_raw("openai:qwen3-coder", price={"input": 1, "output": 2}), "t.yml")
    assert unpriced_warning(config) is None
    assert run_budget(config).limit_tokens is None


def test_a_token_budget_stops_the_next_call() -> None:
    config = parse_config(_raw("openai:qwen3-coder", search={"max_tokens": 100}), "t.yml")
    budget = run_budget(config)
    from pipelines.models.base import Usage

    budget.charge("a0", Usage(input_tokens=90, output_tokens=20))
    with pytest.raises(BudgetExhausted, match="100 tokens"):
        budget.check()


def test_a_model_that_thinks_gets_room_to_think() -> None:
    assert max_tokens_for("anthropic:claude-sonnet-5-5") == 32_000
    assert max_tokens_for("anthropic:claude-haiku-3-5") == 8_192
    assert max_tokens_for("anthropic:claude-sonnet-5-5", 4096) == 4096


def test_the_anthropic_model_prices_with_the_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    model = open_model("anthropic:claude-next-9", price=PriceConfig(input=1, output=1))
    assert model._rates == Rates(1, 1, 0.1, 1.25)  # type: ignore[attr-defined]
    assert cost_usd(Rates(1, 1, 0.1, 1.25), input=1_000_000, output=0) == 1.0


def _raw(model: str, **sections: object) -> dict[str, object]:
    agent: dict[str, object] = {"model": model}
    if "price" in sections:
        agent["price"] = sections.pop("price")
    return {
        "target": {"files": ["a.py"]},
        "benchmark": {"entry": "a:f", "inputs": "a:g", "params": {"n": [1]}},
        "agent": agent,
        **sections,
    }
