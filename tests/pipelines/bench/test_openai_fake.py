"""The OpenAI-compatible fake speaks the protocol the real clients expect: the official SDK (plain and streamed)
and perfbot's own `openai:` model get the scripted answers, with usage, and an exhausted script is an error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import openai
import pytest

from pipelines.models import ModelRequest
from pipelines.models.openai_compat import OpenAIModel
from tests.fakes.openai_server import Replayer, serve


@pytest.fixture
def fake() -> Iterator[tuple[str, Replayer]]:
    answers: list[dict[str, Any]] = [
        {"content": "first"},
        {"content": "second"},
        {
            "content": None,
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "finish", "arguments": '{"summary": "ok"}'}}
            ],
        },
    ]
    server, replayer = serve(answers)
    yield f"http://127.0.0.1:{server.server_address[1]}/v1", replayer
    server.shutdown()
    server.server_close()


def test_the_sdk_gets_plain_and_streamed_answers_in_order(fake: tuple[str, Replayer]) -> None:
    base_url, replayer = fake
    client = openai.OpenAI(base_url=base_url, api_key="sk-local", max_retries=0)
    messages: Any = [{"role": "user", "content": "hello"}]
    plain = client.chat.completions.create(model="fake-model", messages=messages)
    assert plain.choices[0].message.content == "first" and plain.usage is not None and plain.usage.prompt_tokens > 0
    stream = client.chat.completions.create(model="fake-model", messages=messages, stream=True)
    assert "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices) == "second"
    assert [r["messages"] for r in replayer.requests] == [messages, messages]


def test_perfbot_openai_model_reads_tool_calls_and_an_exhausted_script_is_an_error(
    fake: tuple[str, Replayer], monkeypatch: pytest.MonkeyPatch
) -> None:
    base_url, _ = fake
    monkeypatch.setenv("OPENAI_BASE_URL", base_url)
    model = OpenAIModel("fake-model", max_retries=0)
    request = ModelRequest("system", [], [{"role": "user", "content": [{"type": "text", "text": "hi"}]}])
    assert [model.complete(request).content[0]["text"] for _ in range(2)] == ["first", "second"]
    reply = model.complete(request)
    assert reply.content == [{"type": "tool_use", "id": "call_1", "name": "finish", "input": {"summary": "ok"}}]
    assert reply.stop_reason == "tool_use" and reply.usage.output_tokens > 0
    with pytest.raises(Exception, match="script is used up"):
        model.complete(request)
