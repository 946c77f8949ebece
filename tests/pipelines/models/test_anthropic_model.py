"""The anthropic:<model> path: the official SDK over HTTP against the local fake Messages API."""

from __future__ import annotations

import re

import anthropic
import pytest

from pipelines.config import DEFAULT_MODEL
from pipelines.errors import ConfigError
from pipelines.models import ModelError, ModelRequest, open_model
from pipelines.models.claude import AnthropicModel
from tests.fakes.anthropic import FakeAnthropic

TOOLS = [
    {
        "name": "view_file",
        "description": "Show a file with line numbers. " * 20,
        "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]},
    }
]
FILE = "def f(x):\n    return x\n" * 200


def view(path: str) -> list[dict[str, object]]:
    return [{"type": "text", "text": "looking"}, {"type": "tool_use", "name": "view_file", "input": {"path": path}}]


@pytest.fixture
def fake(fake_anthropic: FakeAnthropic) -> FakeAnthropic:
    return fake_anthropic


def first_request() -> ModelRequest:
    return ModelRequest("You make code faster. " * 40, TOOLS, [{"role": "user", "content": FILE}], stable_messages=1)


def test_the_default_model_is_not_deprecated_by_the_installed_sdk() -> None:
    from anthropic._data import DEPRECATED_MODELS

    provider, _, name = DEFAULT_MODEL.partition(":")
    assert provider == "anthropic"
    assert name not in DEPRECATED_MODELS


def test_a_reply_comes_back_as_messages_api_blocks_with_usage_and_cost(fake: FakeAnthropic) -> None:
    fake.turns.append(view("a.py"))
    reply = open_model("anthropic:claude-sonnet-4-6").complete(first_request())
    assert reply.stop_reason == "tool_use"
    assert reply.content[1]["name"] == "view_file"
    assert reply.content[1]["input"] == {"path": "a.py"}
    assert reply.content[1]["id"]
    usage = fake.usages[0]
    assert reply.usage.prompt_tokens == usage["input_tokens"] + usage["cache_creation_input_tokens"]
    expected = (
        usage["input_tokens"] * 3 + usage["cache_creation_input_tokens"] * 3.75 + usage["output_tokens"] * 15
    ) / 1e6
    assert reply.usage.usd == pytest.approx(expected)


def test_the_stable_prefix_is_written_once_and_read_from_the_cache_afterwards(fake: FakeAnthropic) -> None:
    fake.turns.extend([view("a.py"), view("b.py")])
    model = open_model("anthropic:claude-sonnet-4-6")
    request = first_request()
    first = model.complete(request)
    answered = [
        *request.messages,
        {"role": "assistant", "content": first.content},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": first.content[1]["id"], "content": "1"}]},
    ]
    second = model.complete(ModelRequest(request.system, TOOLS, answered, stable_messages=1))
    assert first.usage.cache_write_tokens > 1024
    assert first.usage.cache_read_tokens == 0
    assert second.usage.cache_read_tokens == first.usage.cache_write_tokens
    assert "cache_control" not in request.messages[0]  # the caller's messages are not modified
    breakpoints = sum(1 for m in fake.requests[1]["messages"] for b in m["content"] if "cache_control" in b)
    assert breakpoints == 2


def test_an_overloaded_answer_529_is_retried(fake: FakeAnthropic) -> None:
    fake.fail_next(529)
    fake.turns.append(view("a.py"))
    reply = AnthropicModel("claude-sonnet-4-6", backoff_s=0.001).complete(first_request())
    assert reply.content[1]["input"] == {"path": "a.py"}
    assert len(fake.requests) == 2


def test_a_rate_limit_429_is_retried_after_the_servers_retry_after(fake: FakeAnthropic) -> None:
    fake.fail_next(429, times=2)
    fake.turns.append(view("a.py"))
    reply = AnthropicModel("claude-sonnet-4-6", backoff_s=0.001).complete(first_request())
    assert reply.stop_reason == "tool_use"
    assert len(fake.requests) == 3


def test_retries_give_up_with_a_model_error_naming_the_status(fake: FakeAnthropic) -> None:
    fake.fail_next(529, times=3)
    with pytest.raises(ModelError, match="529"):
        AnthropicModel("claude-sonnet-4-6", attempts=3, backoff_s=0.001).complete(first_request())
    assert len(fake.requests) == 3


def test_a_bad_request_is_not_retried(fake: FakeAnthropic) -> None:
    bad = ModelRequest("s", TOOLS, [{"role": "assistant", "content": "hi"}])
    with pytest.raises(ModelError, match="400"):
        AnthropicModel("claude-sonnet-4-6", backoff_s=0.001).complete(bad)
    assert len(fake.requests) == 1


def test_a_missing_api_key_is_a_config_error_pointing_at_the_scripted_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    with pytest.raises(ConfigError, match=re.escape("scripted:demo/closest-pair.yaml")):
        open_model("anthropic:claude-sonnet-4-6")


def test_the_sdk_itself_does_not_retry(fake: FakeAnthropic) -> None:
    model = AnthropicModel("claude-sonnet-4-6")
    assert model._client.max_retries == 0
    assert isinstance(model._client, anthropic.Anthropic)


def test_malformed_tool_calls_from_the_server_reach_the_agent_as_they_are(fake: FakeAnthropic) -> None:
    fake.turns.append(
        [
            {"type": "tool_use", "name": "view_file", "input": "geometry.py"},
            {"type": "tool_use", "name": "run_everything", "input": {}},
        ]
    )
    reply = open_model("anthropic:claude-sonnet-4-6").complete(first_request())
    assert [(b["name"], b["input"]) for b in reply.content] == [("view_file", "geometry.py"), ("run_everything", {})]
