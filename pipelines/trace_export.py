"""A run's trace as OpenAI chat fine-tuning data, one conversation per agent, labelled with how it ended.

Each line is `{"messages": [...], "tools": [...], "parallel_tool_calls": false, "metadata": {...}}`:
messages in the Chat Completions form (system, user, assistant with `tool_calls`, `role: tool` answers with their
`tool_call_id`), tools as `{"type": "function", "function": {name, description, parameters}}`, and metadata the
outcome label: `agent`, `round`, `model`, `ended` (why the agent stopped), `accepted` (one of its candidates was
accepted by the judge), `selected` (the run shipped one of its candidates; known when report.json is beside the
trace), `score` (its best measured score) and `rejection_reason` (the last one, when none was accepted).
`labels=False` leaves metadata out (for services that refuse unknown keys).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from pipelines.trace import export_messages


def export_openai(
    events: Iterable[dict[str, Any]], selected: str | None = None, *, labels: bool = True
) -> list[dict[str, Any]]:
    """`selected`: the id of the candidate the run shipped (from report.json), if known."""
    events = list(events)
    outcomes = _outcomes(events)
    out = []
    for session in export_messages(events):
        agent = session["agent"]
        record: dict[str, Any] = {
            "messages": _messages(session["system"], session["messages"]),
            "tools": [_tool(t) for t in session["tools"]],
            "parallel_tool_calls": False,
        }
        if labels:
            verdict = outcomes.get(agent, {"accepted": False, "score": None, "rejection_reason": None})
            record["metadata"] = {
                "agent": agent,
                "round": session["round"],
                "model": session["model"],
                "ended": session["outcome"],
                **verdict,
                "selected": None if selected is None else selected.split("-")[0] == agent,
            }
        out.append(record)
    return out


def _outcomes(events: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for event in events:
        if event.get("type") != "evaluation":
            continue
        agent = str(event.get("agent"))
        mine = out.setdefault(agent, {"accepted": False, "score": None, "rejection_reason": None})
        score = event.get("score")
        if score is not None and (mine["score"] is None or score > mine["score"]):
            mine["score"] = score
        if event.get("status") == "accepted":
            mine["accepted"] = True
        else:
            mine["rejection_reason"] = event.get("reason")
    for mine in out.values():
        if mine["accepted"]:
            mine["rejection_reason"] = None
    return out


def _tool(tool: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": tool["name"],
            "description": tool.get("description", ""),
            "parameters": tool.get("input_schema") or {"type": "object", "properties": {}},
        },
    }


def _messages(system: Any, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [{"role": "system", "content": _text(system)}] if system else []
    pending: list[str] = []  # ids of tool calls not yet answered, for replies that omit the id
    calls = 0
    for message in messages:
        content = message["content"]
        blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
        if message["role"] == "assistant":
            text = "".join(b.get("text", "") for b in blocks if b.get("type") == "text")
            tool_calls = []
            for block in (b for b in blocks if b.get("type") == "tool_use"):
                calls += 1
                ident = block.get("id") or f"call_{calls}"
                pending.append(ident)
                arguments = json.dumps(block.get("input") or {}, ensure_ascii=False)
                tool_calls.append(
                    {"id": ident, "type": "function", "function": {"name": block["name"], "arguments": arguments}}
                )
            reply: dict[str, Any] = {"role": "assistant", "content": text or None}
            if tool_calls:
                reply["tool_calls"] = tool_calls
            out.append(reply)
            continue
        texts = []
        for block in blocks:
            if block.get("type") == "tool_result":
                ident = block.get("tool_use_id") or (pending[0] if pending else "")
                if ident in pending:
                    pending.remove(ident)
                out.append({"role": "tool", "tool_call_id": ident, "content": _text(block.get("content"))})
            elif block.get("type") == "text":
                texts.append(block["text"])
        if texts:
            out.append({"role": "user", "content": "\n\n".join(texts)})
    return out


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(b.get("text", "") for b in content if isinstance(b, dict))
    return "" if content is None else str(content)
