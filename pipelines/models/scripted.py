"""`scripted:<file.yaml>`: replays assistant turns written down in advance (tests, the demo, benchmarks).

A file is a list of turns, each a list of content blocks as the Messages API returns them
(`{type: text, text}` / `{type: tool_use, name, input}`; `id` may be omitted). A file may instead be a mapping
`{sessions: [turns, turns, ...], rates: {input: USD, output: USD}}`: agent i replays session i mod n, and `rates`
(USD per million tokens, default 0) prices the estimated tokens so budgets can be exercised without an API.
Token counts are estimates (4 characters a token); the tool results a session gets back are ignored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from pipelines.errors import ConfigError
from pipelines.models.base import ModelReply, ModelRequest, ScriptExhausted, Usage
from pipelines.models.pricing import Rates, cost_usd

Turn = list[dict[str, Any]]


class ScriptedModel:
    def __init__(self, path: Path, *, session: int = 0) -> None:
        self.name = f"scripted:{path.name}"
        sessions, self._rates = load_script(path)
        self._session = session % len(sessions)
        self._turns = sessions[self._session]
        self._next = 0

    def complete(self, request: ModelRequest) -> ModelReply:
        if self._next >= len(self._turns):
            raise ScriptExhausted(f"{self.name}: session {self._session} has no turn {self._next + 1}")
        turn = [
            {**block, "id": block.get("id") or f"toolu_s{self._session}_t{self._next}_{i}"}
            if block["type"] == "tool_use"
            else dict(block)
            for i, block in enumerate(self._turns[self._next])
        ]
        self._next += 1
        prompt = estimate_tokens([request.system, request.tools, request.messages])
        output = estimate_tokens(turn)
        usd = cost_usd(self._rates, input=prompt, output=output)
        stop = "tool_use" if any(b["type"] == "tool_use" for b in turn) else "end_turn"
        return ModelReply(turn, stop, Usage(input_tokens=prompt, output_tokens=output, usd=usd))


def estimate_tokens(value: Any) -> int:
    text = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    return max(1, len(text) // 4)


def load_script(path: Path) -> tuple[list[list[Turn]], Rates]:
    """The sessions and rates of a script file; errors name the file and the turn and block at fault."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot read the scripted session: {e}") from e
    rates = Rates(0, 0, 0, 0)
    if isinstance(raw, dict):
        unknown = set(raw) - {"sessions", "rates"}
        if unknown or not isinstance(raw.get("sessions"), list):
            raise ConfigError(f"{path}: expected a list of turns or a mapping with 'sessions' (and 'rates')")
        r = raw.get("rates") or {}
        rates = Rates.of(float(r.get("input", 0)), float(r.get("output", 0)))
        sessions = raw["sessions"]
    else:
        sessions = [raw]
    if not sessions:
        raise ConfigError(f"{path}: 'sessions' is empty")
    return [_check_turns(path, s, n) for n, s in enumerate(sessions)], rates


def _check_turns(path: Path, turns: Any, session: int) -> list[Turn]:
    where = f"{path}: session {session}" if session else str(path)
    if not isinstance(turns, list) or not turns:
        raise ConfigError(f"{where}: expected a non-empty list of turns (each a list of content blocks)")
    for t, turn in enumerate(turns, start=1):
        if not isinstance(turn, list) or not turn:
            raise ConfigError(f"{where}: turn {t}: expected a non-empty list of content blocks")
        for b, block in enumerate(turn, start=1):
            kind = block.get("type") if isinstance(block, dict) else None
            if kind == "text" and isinstance(block.get("text"), str):
                continue
            if kind == "tool_use" and isinstance(block.get("name"), str) and "input" in block:
                continue
            raise ConfigError(
                f"{where}: turn {t}, block {b}: expected {{type: text, text: ...}} or "
                f"{{type: tool_use, name: ..., input: ...}}, got {block!r}"
            )
    return turns
