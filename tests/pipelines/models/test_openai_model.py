"""`openai:<model>`: Messages API form to chat completions and back."""

from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace
from typing import Any

import pytest
from aiohttp import web

from pipelines.models import ModelRequest, open_model
from pipelines.models.openai_compat import from_chat_message, to_chat_messages


def test_tool_calls_and_results_map_to_chat_messages() -> None:
    messages: list[dict[str, Any]] = [
        {"role": "user", "content": [{"type": "text", "text": "speed it up"}]},
        {
            "role": "assistant",
            "content": [
                {"type": "text", "text": "looking"},
                {"type": "tool_use", "id": "c1", "name": "view_file", "input": {"path": "a.py"}},
            ],
        },
        {
            "role": "user",
            "content": [
                {"type": "tool_result", "tool_use_id": "c1", "content": "1 x = 1"},
                {"type": "text", "text": "Automatic evaluation: ..."},
            ],
        },
    ]
    assert to_chat_messages("sys", messages) == [
        {"role": "system", "content": "sys"},
        {"role": "user", "content": "speed it up"},
        {
            "role": "assistant",
            "content": "looking",
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "view_file", "arguments": '{"path": "a.py"}'}}
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "1 x = 1"},
        {"role": "user", "content": "Automatic evaluation: ..."},
    ]


def test_a_reply_with_arguments_that_are_not_json_keeps_the_raw_string_for_the_agent_to_refuse() -> None:
    calls = [
        SimpleNamespace(id="c1", function=SimpleNamespace(name="view_file", arguments='{"path": "a.py"}')),
        SimpleNamespace(id="c2", function=SimpleNamespace(name="replace", arguments='{"path": "a.py", "old": ')),
    ]
    assert from_chat_message(None, calls) == [
        {"type": "tool_use", "id": "c1", "name": "view_file", "input": {"path": "a.py"}},
        {"type": "tool_use", "id": "c2", "name": "replace", "input": '{"path": "a.py", "old": '},
    ]


class FakeChatServer:
    """A minimal OpenAI-compatible /v1/chat/completions on 127.0.0.1 answering with one canned reply."""

    def __init__(self, reply: dict[str, Any]) -> None:
        self.reply = reply
        self.requests: list[dict[str, Any]] = []
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._runner: web.AppRunner | None = None

    async def _chat(self, request: web.Request) -> web.Response:
        self.requests.append(await request.json())
        return web.json_response(self.reply)

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/v1"

    def __enter__(self) -> FakeChatServer:
        def serve() -> None:
            self._loop.run_until_complete(self._start())
            self._ready.set()
            self._loop.run_forever()

        threading.Thread(target=serve, daemon=True).start()
        assert self._ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._runner is not None
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)


def test_the_openai_path_runs_through_the_sdk_against_a_compatible_server(monkeypatch: pytest.MonkeyPatch) -> None:
    reply = {
        "id": "c1",
        "object": "chat.completion",
        "created": 0,
        "model": "qwen",
        "choices": [
            {
                "index": 0,
                "finish_reason": "tool_calls",
                "message": {
                    "role": "assistant",
                    "content": "Reading it.",
                    "tool_calls": [
                        {
                            "id": "t1",
                            "type": "function",
                            "function": {"name": "view_file", "arguments": '{"path": "geometry.py"}'},
                        }
                    ],
                },
            }
        ],
        "usage": {
            "prompt_tokens": 120,
            "completion_tokens": 9,
            "total_tokens": 129,
            "prompt_tokens_details": {"cached_tokens": 100},
        },
    }
    tool = {
        "name": "view_file",
        "description": "Show a file.",
        "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"]},
    }
    with FakeChatServer(reply) as server:
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.delenv("OPENAI_API_KEY", raising=False)
        result = open_model("openai:qwen").complete(
            ModelRequest("be fast", [tool], [{"role": "user", "content": [{"type": "text", "text": "go"}]}])
        )
    assert result.content == [
        {"type": "text", "text": "Reading it."},
        {"type": "tool_use", "id": "t1", "name": "view_file", "input": {"path": "geometry.py"}},
    ]
    assert result.stop_reason == "tool_use"
    assert (result.usage.input_tokens, result.usage.cache_read_tokens, result.usage.output_tokens) == (20, 100, 9)
    [sent] = server.requests
    assert sent["messages"] == [{"role": "system", "content": "be fast"}, {"role": "user", "content": "go"}]
    assert sent["tools"][0]["function"]["parameters"] == tool["input_schema"]
