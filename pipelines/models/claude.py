"""`anthropic:<model>`: Claude through the official SDK, with prompt caching, retries and cost accounting.

Honours ANTHROPIC_API_KEY and ANTHROPIC_BASE_URL. The stable prefix of a session (tool definitions, system
prompt, the messages `ModelRequest.stable_messages` names) is marked with `cache_control`, and so is the newest
message, so each call reads the conversation so far from the cache and pays full price only for what is new.
The SDK's own retries are off: retries on 429, 5xx and 529 (overloaded) live in one tenacity policy here.
"""

from __future__ import annotations

import copy
import os
from typing import Any

import anthropic
from tenacity import RetryCallState, retry_if_exception, stop_after_attempt, wait_exponential_jitter
from tenacity import Retrying as _Retrying

from pipelines.errors import ConfigError
from pipelines.models.base import ModelError, ModelReply, ModelRequest, Usage
from pipelines.models.pricing import Rates, cost_usd

_CACHE = {"type": "ephemeral"}
MAX_RETRY_AFTER_S = 60.0


def _retryable(error: BaseException) -> bool:
    if isinstance(error, anthropic.APIStatusError):
        return error.status_code == 429 or error.status_code >= 500
    return isinstance(error, anthropic.APIConnectionError)


class AnthropicModel:
    def __init__(
        self,
        model: str,
        *,
        rates: Rates | None = None,
        attempts: int = 6,
        backoff_s: float = 1.0,
        timeout_s: float = 600.0,
        cache: bool = True,
    ) -> None:
        """`rates` prices the calls (None: unknown, the cost is 0 and the run's token budget holds it);
        `cache=False` sends no cache breakpoints (only to measure what caching saves)."""
        key = os.environ.get("ANTHROPIC_API_KEY")
        if not key:
            raise ConfigError(
                f"model 'anthropic:{model}' needs ANTHROPIC_API_KEY; without a key, "
                "try the bundled scripted session: --model scripted:demo/closest-pair.yaml"
            )
        self.name = f"anthropic:{model}"
        self._model = model
        self._rates = rates
        self._attempts = attempts
        self._backoff_s = backoff_s
        self._cache = cache
        self._client = anthropic.Anthropic(
            api_key=key, base_url=os.environ.get("ANTHROPIC_BASE_URL") or None, max_retries=0, timeout=timeout_s
        )

    def complete(self, request: ModelRequest) -> ModelReply:
        params = _cached_params(request) if self._cache else _plain_params(request)
        retrying = _Retrying(
            retry=retry_if_exception(_retryable),
            stop=stop_after_attempt(self._attempts),
            wait=self._wait,
            reraise=True,
        )
        try:
            message = retrying(self._client.messages.create, model=self._model, **params)
        except anthropic.APIError as e:
            raise ModelError(f"{self.name}: {_describe(e)}") from e
        return ModelReply(
            # warnings off: a tool input that is not an object is passed on as it is, for the agent to refuse
            content=[_plain_block(block.model_dump(warnings=False)) for block in message.content],
            stop_reason=message.stop_reason or "end_turn",
            usage=self._usage(message.usage),
        )

    def _wait(self, state: RetryCallState) -> float:
        """The server's retry-after when it gives one, else exponential backoff with jitter."""
        error = state.outcome.exception() if state.outcome else None
        header = error.response.headers.get("retry-after") if isinstance(error, anthropic.APIStatusError) else None
        try:
            return min(float(header), MAX_RETRY_AFTER_S)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return self._backoff(state)

    def _backoff(self, state: RetryCallState) -> float:
        return float(
            wait_exponential_jitter(multiplier=self._backoff_s, max=30 * self._backoff_s, jitter=self._backoff_s)(state)
        )

    def _usage(self, usage: Any) -> Usage:
        counts = {
            "input": usage.input_tokens,
            "output": usage.output_tokens,
            "cache_read": usage.cache_read_input_tokens or 0,
            "cache_write": usage.cache_creation_input_tokens or 0,
        }
        return Usage(
            input_tokens=counts["input"],
            output_tokens=counts["output"],
            cache_read_tokens=counts["cache_read"],
            cache_write_tokens=counts["cache_write"],
            usd=cost_usd(self._rates, **counts) if self._rates is not None else 0.0,
        )


def _cached_params(request: ModelRequest) -> dict[str, Any]:
    """The request with cache breakpoints on the tools, the system prompt, the stable prefix and the newest message
    (4, the API's maximum). The caller's messages are left untouched."""
    tools = copy.deepcopy(request.tools)
    if tools:
        tools[-1]["cache_control"] = _CACHE
    messages = copy.deepcopy(request.messages)
    for index in {request.stable_messages - 1, len(messages) - 1}:
        if 0 <= index < len(messages):
            _mark_last_block(messages[index])
    return {
        "system": [{"type": "text", "text": request.system, "cache_control": _CACHE}],
        "tools": tools,
        "messages": messages,
        "max_tokens": request.max_tokens,
    }


def _plain_params(request: ModelRequest) -> dict[str, Any]:
    return {
        "system": request.system,
        "tools": request.tools,
        "messages": request.messages,
        "max_tokens": request.max_tokens,
    }


def _mark_last_block(message: dict[str, Any]) -> None:
    if isinstance(message["content"], str):
        message["content"] = [{"type": "text", "text": message["content"]}]
    if message["content"]:
        message["content"][-1]["cache_control"] = _CACHE


def _plain_block(block: dict[str, Any]) -> dict[str, Any]:
    keep = {"text": ("type", "text"), "tool_use": ("type", "id", "name", "input")}.get(block["type"])
    return {k: block[k] for k in keep if k in block} if keep else block


def _describe(error: anthropic.APIError) -> str:
    if isinstance(error, anthropic.APIStatusError):
        return f"HTTP {error.status_code}: {error.message}"
    return str(error)
