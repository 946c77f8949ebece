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
    },
    "claude-code": {
        "command": (
            'claude -p "$(cat {prompt_file})" --dangerously-skip-permissions --output-format json --max-turns {steps} '
            "{args}"
        ),
        "image": "perfbot/claude-code:latest",
        "usage": "claude",
        "pass_env": ["ANTHROPIC_API_KEY"],
    },
}

NO_HEADLESS_MODE: dict[str, str] = {
    "cursor": "Cursor is an IDE: its agent runs only inside the editor's UI, with no command to run it unattended",
    "windsurf": "Windsurf (Cascade) is an IDE agent with no command-line or headless mode a harness could drive",
}


def read_usage(parser: str, output: str) -> dict[str, float]:
    """Tokens and dollars an agent printed ({} when it printed none): input_tokens, output_tokens, usd."""
    if parser == "aider":
        return _aider_usage(output)
    if parser == "claude":
        return _claude_usage(output)
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


def _claude_usage(output: str) -> dict[str, float]:
    for line in reversed(output.strip().splitlines()):
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(data, dict) and "total_cost_usd" in data:
            usage = data.get("usage") or {}
            return {
                "input_tokens": float(usage.get("input_tokens", 0)),
                "output_tokens": float(usage.get("output_tokens", 0)),
                "usd": float(data["total_cost_usd"]),
            }
    return {}
