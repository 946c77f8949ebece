"""Built-in command adapters: how to run a known CLI agent headless inside the sandbox.

Each adapter is a set of defaults for a `CommandContestant` (command, image, usage parser), filled in by
`contestants.apply_adapter`; keys written in the contestants file win. Agents without a headless mode cannot be
driven by a harness and are listed in `NO_HEADLESS_MODE` with the reason, so `perfbot bench --list-adapters` can
say so.
"""

from __future__ import annotations

import json
import re
from typing import Any

DEFAULT_PROMPT = """\
Make this Python code faster without changing what it does.

Task: {description}

You may edit only these files: {files}. The tests (`{tests}`) must keep passing; do not edit them.
The benchmark calls `{entry}` on inputs of several sizes and compares its outputs with the original's, so the
results must stay exactly the same. Change the code in place; do not just explain the change.
"""

ADAPTERS: dict[str, dict[str, Any]] = {
    "aider": {
        "command": (
            "aider --yes-always --no-auto-commits --no-dirty-commits --no-gitignore --no-check-update "
            "--no-show-release-notes --no-show-model-warnings --analytics-disable --no-pretty --no-fancy-input "
            "--no-stream --model {model} {args} --message-file {prompt_file} {files}"
        ),
        "image": "perfbot/aider:latest",
        "usage": "aider",
        "env": {"LITELLM_LOCAL_MODEL_COST_MAP": "True"},
        # Aider has no step or dollar cap: one --message-file is one request plus at most 3 automatic reflections.
        # The sandbox's timeout is the limit it gets; what it used is read from its output.
        "enforces": ["timeout"],
    },
    "claude-code": {
        "command": (
            'claude -p "$(cat {prompt_file})" --dangerously-skip-permissions --output-format stream-json --verbose '
            "--max-turns {steps} --max-budget-usd {max_cost_usd} {model_flag} {args}"
        ),
        "image": "perfbot/claude-code:latest",
        "usage": "claude",
        "pass_env": ["ANTHROPIC_API_KEY"],
        "enforces": ["steps", "usd", "timeout"],
    },
    "cursor": {
        "command": ('cursor-agent -p "$(cat {prompt_file})" --force --output-format json {model_flag} {args}'),
        "image": "perfbot/cursor:latest",
        "usage": "cursor",
        "pass_env": ["CURSOR_API_KEY"],
        # cursor-agent has no turn or dollar cap; the sandbox's timeout is the limit it gets.
        "enforces": ["timeout"],
    },
}

NO_HEADLESS_MODE: dict[str, str] = {
    "windsurf": "Windsurf (Cascade) is an IDE agent with no command-line or headless mode a harness could drive",
}

BUILD_COMMANDS: dict[str, str] = {
    "perfbot/claude-code:latest": (
        "docker build -f bench/agents/Dockerfile.claude-code -t perfbot/claude-code:latest bench/agents/claude-code  "
        "# context: claude-code.tgz from `npm pack @anthropic-ai/claude-code` and Node.js .debs in debs/"
    ),
    "perfbot/cursor:latest": (
        "docker build -f bench/agents/Dockerfile.cursor -t perfbot/cursor:latest bench/agents/cursor  "
        "# context: the cursor-agent release tarball from https://cursor.com/install, unpacked as cursor-agent/"
    ),
}
"""Images perfbot cannot build by itself (their agent is not on PyPI): the exact command to build each."""


def read_usage(parser: str, output: str) -> dict[str, float]:
    """Tokens and dollars an agent printed ({} when it printed none): input_tokens, output_tokens, usd."""
    if parser == "aider":
        return _aider_usage(output)
    if parser == "claude":
        return _claude_usage(output)
    if parser == "cursor":
        return _cursor_usage(output)
    return {}


_AIDER_TOKENS = re.compile(r"Tokens: ([\d.,]+)(k?) sent, ([\d.,]+)(k?) received")
_AIDER_COST = re.compile(r"Cost: \$([\d.]+) message")


def _aider_usage(output: str) -> dict[str, float]:
    def count(number: str, k: str) -> float:
        return float(number.replace(",", "")) * (1000 if k else 1)

    tokens = _AIDER_TOKENS.findall(output)
    if not tokens:
        return {}
    costs = [float(c) for c in _AIDER_COST.findall(output)]
    return {
        "input_tokens": sum(count(a, b) for a, b, _, _ in tokens),
        "output_tokens": sum(count(c, d) for _, _, c, d in tokens),
        "usd": sum(costs),
    }


def _last_result(output: str, *, needs: str | None = None) -> dict[str, Any] | None:
    """The last JSON line of `output` that is an object of type "result" (and has the key `needs`, if given)."""
    for line in reversed(output.strip().splitlines()):
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict) and data.get("type") == "result" and (needs is None or needs in data):
            return data
    return None


def _claude_usage(output: str) -> dict[str, float]:
    data = _last_result(output, needs="total_cost_usd")
    if data is None:
        return {}
    usage = data.get("usage") or {}
    out = {
        "input_tokens": float(usage.get("input_tokens", 0))
        + float(usage.get("cache_read_input_tokens", 0))
        + float(usage.get("cache_creation_input_tokens", 0)),
        "output_tokens": float(usage.get("output_tokens", 0)),
        "usd": float(data["total_cost_usd"]),
    }
    if "num_turns" in data:
        out["turns"] = float(data["num_turns"])
    return out


def _cursor_usage(output: str) -> dict[str, float]:
    """cursor-agent's json result reports no tokens or dollars, only its duration: the API seconds are kept."""
    data = _last_result(output)
    if data is None:
        return {}
    out = {"api_s": float(data.get("duration_api_ms", 0)) / 1000}
    usage = data.get("usage") or {}
    if "inputTokens" in usage or "input_tokens" in usage:
        out["input_tokens"] = float(usage.get("inputTokens", usage.get("input_tokens", 0)))
        out["output_tokens"] = float(usage.get("outputTokens", usage.get("output_tokens", 0)))
    return out
