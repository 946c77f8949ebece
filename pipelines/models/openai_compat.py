"""`openai:<model>`: any OpenAI-compatible chat-completions server (vLLM, Ollama, LiteLLM) via OPENAI_BASE_URL.

Requests and replies are mapped to and from the Messages API form the agent speaks, so the agent never knows
which provider it talks to. Tool-call arguments that are not valid JSON come back as a `tool_use` block whose
`input` is the raw string; the agent answers that with an error the model can act on. Servers have no price list:
with `agent.price` the calls are priced (so `search.max_cost_usd` applies to a paid proxy), without it the dollar
cost is 0 and the run's token budget holds it. Retries are the SDK's own.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from typing import Any

import openai

from pipelines.models.base import ModelError, ModelReply, ModelRequest, Usage
from pipelines.models.pricing import Rates, cost_usd

_STOP_REASONS = {"tool_calls": "tool_use", "length": "max_tokens", "stop": "end_turn"}


class OpenAIModel:
    def __init__(self, model: str, *, rates: Rates | None = None, max_retries: int = 5) -> None:
        self.name = f"openai:{model}"
        self._model = model
        self._rates = rates
        self._client = openai.OpenAI(
            api_key=os.environ.get("OPENAI_API_KEY") or "unused",
            base_url=os.environ.get("OPENAI_BASE_URL") or None,
            max_retries=max_retries,
        )

    def complete(self, request: ModelRequest) -> ModelReply:
        try:
            response = self._client.chat.completions.create(
                model=self._model,
                messages=to_chat_messages(request.system, request.messages),  # type: ignore[arg-type]
                tools=[_chat_tool(tool) for tool in request.tools],  # type: ignore[misc]
                max_tokens=request.max_tokens,
            )
        except openai.OpenAIError as e:
            raise ModelError(f"{self.name}: {e}") from e
        if not response.choices:
            raise ModelError(f"{self.name}: the server returned no choices")
        choice = response.choices[0]
        content = from_chat_message(choice.message.content, choice.message.tool_calls or [])
        usage = _usage(response)
        if self._rates is not None:
            counts = {"input": usage.input_tokens, "output": usage.output_tokens, "cache_read": usage.cache_read_tokens}
            usage = replace(usage, usd=cost_usd(self._rates, **counts))
        return ModelReply(content, _STOP_REASONS.get(choice.finish_reason or "stop", "end_turn"), usage)


def to_chat_messages(system: str, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Messages API form -> chat-completions form (tool results become `tool` messages)."""
    chat: list[dict[str, Any]] = [{"role": "system", "content": system}]
    for message in messages:
        blocks = message["content"]
        if isinstance(blocks, str):
            chat.append({"role": message["role"], "content": blocks})
            continue
        text = "\n".join(b["text"] for b in blocks if b["type"] == "text")
        if message["role"] == "assistant":
            calls = [_chat_call(b) for b in blocks if b["type"] == "tool_use"]
            chat.append({"role": "assistant", "content": text or None, **({"tool_calls": calls} if calls else {})})
            continue
        for b in blocks:
            if b["type"] == "tool_result":
                chat.append({"role": "tool", "tool_call_id": b["tool_use_id"], "content": _result_text(b)})
        if text:
            chat.append({"role": "user", "content": text})
    return chat


def from_chat_message(text: str | None, tool_calls: list[Any]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [{"type": "text", "text": text}] if text else []
    for call in tool_calls:
        raw = call.function.arguments or "{}"
        try:
            arguments: Any = json.loads(raw)
        except json.JSONDecodeError:
            arguments = raw
        blocks.append({"type": "tool_use", "id": call.id, "name": call.function.name, "input": arguments})
    return blocks


def _chat_tool(tool: dict[str, Any]) -> dict[str, Any]:
    function = {"name": tool["name"], "description": tool.get("description", ""), "parameters": tool["input_schema"]}
    return {"type": "function", "function": function}


def _chat_call(block: dict[str, Any]) -> dict[str, Any]:
    arguments = block["input"] if isinstance(block["input"], str) else json.dumps(block["input"])
    return {"id": block["id"], "type": "function", "function": {"name": block["name"], "arguments": arguments}}


def _result_text(block: dict[str, Any]) -> str:
    content = block.get("content", "")
    return content if isinstance(content, str) else "\n".join(c.get("text", "") for c in content)


def _usage(response: Any) -> Usage:
    usage = response.usage
    if usage is None:
        return Usage()
    details = getattr(usage, "prompt_tokens_details", None)
    cached = (getattr(details, "cached_tokens", 0) or 0) if details else 0
    return Usage(
        input_tokens=usage.prompt_tokens - cached, output_tokens=usage.completion_tokens, cache_read_tokens=cached
    )
