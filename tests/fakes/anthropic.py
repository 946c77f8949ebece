"""A local Anthropic Messages API (aiohttp on 127.0.0.1) that replays scripted assistant turns.

The real SDK talks to it over HTTP. It checks what the real API checks that matters to perfbot (the API key
header, alternating roles, every `tool_use` answered by a `tool_result`, at most 4 cache breakpoints), reports
usage with prompt-cache accounting that honours `cache_control` (prefixes at breakpoints, a minimum cacheable
length), and can be told to answer the next requests with 429 or 529.

    with FakeAnthropic(turns) as fake:       # turns: list of turns, each a list of content blocks
        os.environ["ANTHROPIC_BASE_URL"] = fake.url

A turn may also be {"content": [...], "stop_reason": "max_tokens"}: a reply cut off (or otherwise ended) as given.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


LOOKBACK_BLOCKS = 20


@dataclass
class CacheLedger:
    """Which prompt prefixes are cached, as the API would see them."""

    min_tokens: int = 1024
    cached: set[str] = field(default_factory=set)

    def account(self, units: list[tuple[str, bool]]) -> tuple[int, int, int]:
        """(uncached input, cache read, cache write) tokens for a prompt made of `units` (text, is_breakpoint).

        Like the API, a breakpoint also finds a prefix cached at any of the 20 block boundaries before it, so
        moving the last breakpoint forward each turn reads the previous turn's prefix."""
        totals: list[int] = []
        hashes: list[str] = []
        digest = hashlib.sha256()
        for text, _ in units:
            totals.append((totals[-1] if totals else 0) + tokens(text))
            digest.update(text.encode())
            hashes.append(digest.copy().hexdigest())
        breakpoints = [i for i, (_, is_breakpoint) in enumerate(units) if is_breakpoint]
        looked_at = {k for b in breakpoints for k in range(max(0, b - LOOKBACK_BLOCKS + 1), b + 1)}
        read = max((totals[k] for k in looked_at if hashes[k] in self.cached), default=0)
        cacheable = [b for b in breakpoints if totals[b] >= self.min_tokens]
        write = max(max((totals[b] for b in cacheable), default=0) - read, 0)
        self.cached.update(hashes[b] for b in cacheable)
        total = totals[-1] if totals else 0
        return total - read - write, read, write


def tokens(text: str) -> int:
    return max(1, len(text) // 4)


class FakeAnthropic:
    def __init__(self, turns: list[Any] | None = None, *, min_cache_tokens: int = 1024) -> None:
        self.turns: deque[Any] = deque(turns or [])
        self.faults: deque[int] = deque()
        self.requests: list[dict[str, Any]] = []
        self.usages: list[dict[str, int]] = []
        self.ledger = CacheLedger(min_tokens=min_cache_tokens)
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._runner: web.AppRunner | None = None

    def fail_next(self, status: int, times: int = 1) -> None:
        """Answer the next `times` requests with HTTP `status` (e.g. 429 or 529) before replaying turns again."""
        self.faults.extend([status] * times)

    def __enter__(self) -> FakeAnthropic:
        self._thread.start()
        if not self._started.wait(10):
            raise RuntimeError("the fake Anthropic server did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._start())
        self._started.set()
        self._loop.run_forever()
        self._loop.close()

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/messages", self._messages)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}"

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _messages(self, request: web.Request) -> web.Response:
        # Older SDKs send the key as x-api-key, newer ones as a bearer token.
        if not request.headers.get("x-api-key") and not request.headers.get("authorization", "").startswith("Bearer "):
            return _error(401, "an API key is required (x-api-key or Authorization: Bearer)")
        body = await request.json()
        self.requests.append(body)
        if self.faults:
            status = self.faults.popleft()
            return _error(status, "Overloaded" if status == 529 else f"fake failure {status}")
        problem = validate(body)
        if problem:
            return _error(400, problem)
        if not self.turns:
            return _error(400, "fake: no scripted turn left to replay")
        turn = self.turns.popleft()
        blocks, stop = (turn["content"], turn["stop_reason"]) if isinstance(turn, dict) else (turn, None)
        content = [
            {**b, "id": b.get("id") or f"toolu_fake_{len(self.requests)}_{i}"} if b["type"] == "tool_use" else b
            for i, b in enumerate(blocks)
        ]
        uncached, read, write = self.ledger.account(prompt_units(body))
        usage = {
            "input_tokens": uncached,
            "output_tokens": tokens(json.dumps(content)),
            "cache_read_input_tokens": read,
            "cache_creation_input_tokens": write,
        }
        self.usages.append(usage)
        stop = stop or ("tool_use" if any(b["type"] == "tool_use" for b in content) else "end_turn")
        return web.json_response(
            {
                "id": f"msg_fake_{len(self.requests)}",
                "type": "message",
                "role": "assistant",
                "model": body["model"],
                "content": content,
                "stop_reason": stop,
                "stop_sequence": None,
                "usage": usage,
            }
        )


def prompt_units(body: dict[str, Any]) -> list[tuple[str, bool]]:
    """The prompt in cache order (tools, system, messages), one unit per block, breakpoints marked."""
    system = body.get("system") or []
    if isinstance(system, str):
        system = [{"type": "text", "text": system}]
    blocks = list(body.get("tools") or []) + list(system)
    for message in body["messages"]:
        content = message["content"]
        blocks.extend([{"type": "text", "text": content}] if isinstance(content, str) else content)
    units = []
    for block in blocks:
        plain = {k: v for k, v in block.items() if k != "cache_control"}
        units.append((json.dumps(plain, sort_keys=True), "cache_control" in block))
    return units


def validate(body: dict[str, Any]) -> str | None:
    """What the real API would reject in this request, or None."""
    messages = body.get("messages") or []
    if not body.get("model") or not body.get("max_tokens"):
        return "model and max_tokens are required"
    if not messages or messages[0]["role"] != "user":
        return "messages: the first message must use the user role"
    if sum(1 for _, bp in prompt_units(body) if bp) > 4:
        return "A maximum of 4 blocks with cache_control may be provided"
    pending: set[str] = set()
    for n, message in enumerate(messages):
        expected = "user" if n % 2 == 0 else "assistant"
        if message["role"] != expected:
            return f"messages.{n}: roles must alternate between user and assistant"
        blocks = message["content"] if isinstance(message["content"], list) else []
        last = n == len(messages) - 1
        if not message["content"] and not (last and message["role"] == "assistant"):
            return f"messages.{n}: all messages must have non-empty content except for the optional final assistant one"
        if any(b.get("type") == "text" and not str(b.get("text", "")).strip() for b in blocks):
            return f"messages.{n}: text content blocks must contain non-whitespace text"
        answered = {b["tool_use_id"] for b in blocks if b.get("type") == "tool_result"}
        if message["role"] == "user" and pending - answered:
            return f"messages.{n}: tool_use ids were found without tool_result blocks: {sorted(pending - answered)}"
        pending = {b["id"] for b in blocks if b.get("type") == "tool_use"}
    return None


def _error(status: int, message: str) -> web.Response:
    headers = {"retry-after": "0"} if status == 429 else {}
    error = {"type": "error", "error": {"type": _ERROR_TYPES.get(status, "api_error"), "message": message}}
    return web.json_response(error, status=status, headers=headers)
