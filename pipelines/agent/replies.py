"""Model replies the API would not take back as they came, and what the agent is told about them.

- An empty reply (no text, no tool call: it happens) is never sent back as an empty assistant message, which the
  Messages API rejects with HTTP 400; it is kept as a short placeholder text, and the agent is told its reply was empty.
- Text blocks with nothing but whitespace are dropped for the same reason.
- A reply cut off at `max_tokens` cuts off its last tool call: that call is answered as cut off (and not run),
  never as a call with a missing argument, so the model resends it in smaller pieces.
"""

from __future__ import annotations

from typing import Any

Block = dict[str, Any]

EMPTY_REPLY = "(empty reply)"


def sendable(content: list[Block]) -> list[Block]:
    """The assistant message to keep for `content`: whitespace-only text dropped; a placeholder when nothing is left
    that the model said (thinking blocks alone do not count)."""
    kept = [b for b in content if not (b.get("type") == "text" and not str(b.get("text", "")).strip())]
    if not any(b.get("type") in ("text", "tool_use") for b in kept):
        kept.append({"type": "text", "text": EMPTY_REPLY})
    return kept


def is_empty(content: list[Block]) -> bool:
    """True when the reply has no text with something in it and no tool call."""
    return not any(
        b.get("type") == "tool_use" or (b.get("type") == "text" and str(b.get("text", "")).strip()) for b in content
    )


def cut_off_call(name: Any, max_tokens: int) -> str:
    """The tool result of a call whose input the `max_tokens` limit cut off."""
    return (
        f"This `{name}` call was cut off: your reply reached max_tokens ({max_tokens:,} output tokens, thinking "
        "included) before its input was complete, so it was not run. Send a smaller call: `replace` one region or "
        "`rewrite_symbol` one function at a time instead of a whole file, and think less before a long edit."
    )


def no_tool_call(content: list[Block], stop_reason: str, max_tokens: int) -> str:
    """What the agent is told when its reply called no tool."""
    if stop_reason == "max_tokens":
        why = f"Your reply was cut off at max_tokens ({max_tokens:,} output tokens, thinking included)."
    elif is_empty(content):
        why = "Your reply was empty."
    else:
        why = "No tool was called."
    return f"{why} Use a tool to continue, or call `finish` with a summary to propose the current state."
