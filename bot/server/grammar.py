"""The `/optimize` command grammar. Pure: text in, `OptimizeArgs` / `Help` out, `CommandError` for anything else.

`find_command` picks the command line out of a comment; `parse_command` reads it.

    /optimize [PATH[::SYMBOL]] [--agents K] [--steps M] [--model NAME] [--rounds R] [--max-cost USD]
    /optimize retry | rebase | help

Every value ends up in a CI variable, so each is checked against a narrow pattern and a range here.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from bot.forge import CommandError

GRAMMAR = """\
`/optimize [PATH[::SYMBOL]] [--agents K] [--steps M] [--model NAME] [--rounds R] [--max-cost USD]`

- `PATH` a Python file in the repository, optionally `::SYMBOL` (a function or `Class.method`); default: the
  files listed under `target.files` in `.perfbot.yml`
- `--agents K` independent agents (1–16), `--steps M` steps per agent (1–200), `--rounds R` rounds (1–10)
- `--model NAME` e.g. `anthropic:claude-sonnet-4-6` or `openai:NAME`
- `--max-cost USD` stop spending beyond this many dollars (0.01–1000)
- `/optimize retry` runs the last request made here again, on the current code; on a perfbot merge request, the
  request that opened it, and the new merge request replaces this one
- `/optimize rebase` (on a perfbot merge request) rebases it onto its target branch
- `/optimize help` shows this text"""

_PATH = re.compile(r"^(?!/)(?!.*\.\.)[\w./-]+\.py(::[A-Za-z_]\w*(\.[A-Za-z_]\w*)*)?$")
_MODEL = re.compile(r"^(anthropic|openai):[\w.:/-]{1,100}$")
_INTS = {"--agents": ("agents", 1, 16), "--steps": ("steps", 1, 200), "--rounds": ("rounds", 1, 10)}
_OPTIONS = (*_INTS, "--model", "--max-cost")


@dataclass(frozen=True)
class Help:
    """`/optimize help`."""


@dataclass(frozen=True)
class Again:
    """`/optimize retry`."""


@dataclass(frozen=True)
class Rebase:
    """`/optimize rebase`."""


@dataclass(frozen=True)
class OptimizeArgs:
    target: str | None = None
    agents: int | None = None
    steps: int | None = None
    rounds: int | None = None
    model: str | None = None
    max_cost: float | None = None

    def variables(self) -> dict[str, str]:
        """The CI variables this request sets (`PERFBOT_TARGET`, `PERFBOT_AGENTS`, …); unset options are absent."""
        values = {
            "PERFBOT_TARGET": self.target,
            "PERFBOT_AGENTS": self.agents,
            "PERFBOT_STEPS": self.steps,
            "PERFBOT_ROUNDS": self.rounds,
            "PERFBOT_MODEL": self.model,
            "PERFBOT_MAX_COST_USD": self.max_cost,
        }
        return {key: str(value) for key, value in values.items() if value is not None}


def target_slug(target: str | None) -> str:
    """`PERFBOT_TARGET_SLUG`: the target as lower-case letters, digits and dashes (`src/stats.py::pairwise_min_gap`
    → `src-stats-py-pairwise-min-gap`), `all` without a target. The CI template keys its `resource_group` on it,
    so two runs on the same branch and target queue instead of racing."""
    if not target:
        return "all"
    return re.sub(r"[^a-z0-9]+", "-", target.lower()).strip("-")[:100].strip("-") or "all"


def find_command(text: str) -> str | None:
    """The first line that starts with `/optimize`, outside code blocks and quotes; None if there is none."""
    fence: str | None = None
    in_quote_block = False
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            continue
        if indent <= 3 and (stripped.startswith("```") or stripped.startswith("~~~")):
            fence = stripped[:3]
        elif indent <= 3 and stripped.startswith(">>>"):
            in_quote_block = not in_quote_block
        elif in_quote_block or indent > 3 or line.startswith("\t") or stripped.startswith(">"):
            continue
        elif re.match(r"/optimize(\s|$)", stripped):
            return stripped.strip()
    return None


def parse_command(line: str) -> OptimizeArgs | Help | Again | Rebase:
    """Parse one `/optimize …` line (as found by `find_command`)."""
    try:
        words = shlex.split(line)
    except ValueError as e:
        raise CommandError(f"cannot split the command into words: {e}") from None
    if not words or words[0] != "/optimize":
        raise CommandError("the command must start with /optimize")
    words = words[1:]
    if words in (["help"], ["--help"]):
        return Help()
    if words == ["retry"]:
        return Again()
    if words == ["rebase"]:
        return Rebase()
    fields: dict[str, object] = {}
    while words:
        word = words.pop(0)
        name, _, inline = word.partition("=")
        if name.startswith("--"):
            if name not in _OPTIONS:
                raise CommandError(f"unknown option {name} (known: {', '.join(_OPTIONS)})")
            value = inline if inline else _take_value(name, words)
            fields.update(_option(name, value, fields))
        elif "target" in fields:
            raise CommandError(f"only one PATH may be given, got {fields['target']!r} and {word!r}")
        elif _PATH.match(word):
            fields["target"] = word
        else:
            raise CommandError(
                f"{word!r} is not PATH[::SYMBOL] (a relative path to a .py file, e.g. src/stats.py::mean)"
            )
    return OptimizeArgs(**fields)  # type: ignore[arg-type]


def _take_value(name: str, words: list[str]) -> str:
    if not words or words[0].startswith("--"):
        raise CommandError(f"{name} needs a value")
    return words.pop(0)


def _option(name: str, value: str, seen: dict[str, object]) -> dict[str, object]:
    if name in _INTS:
        field, low, high = _INTS[name]
        if not value.isdigit() or not low <= int(value) <= high:
            raise CommandError(f"{name} must be a whole number from {low} to {high}, got {value!r}")
        parsed: tuple[str, object] = (field, int(value))
    elif name == "--model":
        if not _MODEL.match(value):
            raise CommandError(f"--model must be anthropic:NAME or openai:NAME, got {value!r}")
        parsed = ("model", value)
    else:
        try:
            cost = float(value)
        except ValueError:
            cost = -1.0
        if not 0.01 <= cost <= 1000:
            raise CommandError(f"--max-cost must be a number of dollars from 0.01 to 1000, got {value!r}")
        parsed = ("max_cost", cost)
    if parsed[0] in seen:
        raise CommandError(f"{name} is given twice")
    return dict([parsed])
