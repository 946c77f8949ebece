"""The model contract: `Model` and what goes in and out of one call.

    ModelError                  a model could not answer (after retries), or its spec is bad
    └── ScriptExhausted         a scripted model has no turns left

Every model speaks the Messages API form: `complete(request)` gets a system prompt, tool definitions and
messages whose content is a list of blocks (`text`, `tool_use`, `tool_result`), and returns the assistant's
blocks plus the `Usage` of that call (tokens incl. prompt-cache reads/writes, and dollars).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from pipelines.errors import PerfbotError

Block = dict[str, Any]
Message = dict[str, Any]


class ModelError(PerfbotError):
    pass


class ScriptExhausted(ModelError):
    pass


@dataclass(frozen=True)
class Usage:
    input_tokens: int = 0
    """Input tokens billed at the full rate (not read from or written to the prompt cache)."""
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    usd: float = 0.0

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cache_read_tokens + other.cache_read_tokens,
            self.cache_write_tokens + other.cache_write_tokens,
            self.usd + other.usd,
        )

    @property
    def prompt_tokens(self) -> int:
        """All input tokens of the call, cached or not."""
        return self.input_tokens + self.cache_read_tokens + self.cache_write_tokens

    def as_dict(self) -> dict[str, Any]:
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_read_tokens": self.cache_read_tokens,
            "cache_write_tokens": self.cache_write_tokens,
            "usd": round(self.usd, 6),
        }


@dataclass(frozen=True)
class ModelRequest:
    system: str
    tools: list[dict[str, Any]]
    messages: list[Message]
    stable_messages: int = 0
    """How many leading messages never change during a session (e.g. the one carrying the target file):
    models with a prompt cache mark the end of that prefix as cacheable."""
    max_tokens: int = 8192


@dataclass(frozen=True)
class ModelReply:
    content: list[Block]
    stop_reason: str
    usage: Usage = field(default_factory=Usage)


class Model(Protocol):
    name: str
    """The spec this model was opened from, e.g. 'anthropic:claude-sonnet-4-6'."""

    def complete(self, request: ModelRequest) -> ModelReply:
        """One assistant turn. Raises `ModelError` when no answer could be had (retries exhausted)."""
        ...
