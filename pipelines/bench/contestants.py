"""Contestants: perfbot under a named configuration, or any CLI agent run through the command adapter.

A contestants file is YAML:

    contestants:
      - name: perfbot-4x25            # perfbot (kind defaults to perfbot); unset keys keep the task's config
        model: anthropic:claude-sonnet-4-6
        tools: [view_file, replace, evaluate, finish]
        evaluate: on_change           # agent | on_change | every:N
        agents: 4
        steps: 25
        rounds: 1
        combine: true
        max_cost_usd: 2.0
      - name: aider
        kind: command
        adapter: aider                # a built-in template (pipelines.bench.adapters) filling the keys below
        model: openai/my-model
        env: {OPENAI_API_BASE: "http://127.0.0.1:8000/v1"}

`{task}` in a perfbot model spec is replaced by the task's name (scripted models per task).
`expand_sweep` turns each perfbot contestant into one contestant per K x M x R split (`name@KxM[xR]`).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pipelines.bench.adapters import ADAPTERS, NO_HEADLESS_MODE
from pipelines.errors import ConfigError, UsageError

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]*$")
_SPLIT = re.compile(r"^([1-9][0-9]*)x([1-9][0-9]*)(?:x([1-9][0-9]*))?$")


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=_NAME.pattern)

    def fingerprint(self) -> str:
        """Changes whenever a setting changes, so stored results of an older setting are not reused."""
        return hashlib.sha256(json.dumps(self.model_dump(), sort_keys=True).encode()).hexdigest()[:16]


class PerfbotContestant(_Spec):
    kind: Literal["perfbot"] = "perfbot"
    model: str | None = None
    tools: list[str] | None = None
    """A subset of the agent tools (validated with the task's config)."""
    evaluate: str | None = None
    agents: int | None = Field(default=None, ge=1)
    steps: int | None = Field(default=None, ge=1)
    rounds: int | None = Field(default=None, ge=1)
    combine: bool | None = None
    max_cost_usd: float | None = Field(default=None, ge=0)

    def overrides(self, task: str) -> dict[tuple[str, str], Any]:
        """(section, key) -> value of `.perfbot.yml` to change for this contestant on `task`."""
        values: dict[tuple[str, str], Any] = {
            ("agent", "model"): self.model.replace("{task}", task) if self.model else None,
            ("agent", "tools"): self.tools,
            ("agent", "evaluate"): self.evaluate,
            ("search", "agents"): self.agents,
            ("search", "steps"): self.steps,
            ("search", "rounds"): self.rounds,
            ("search", "combine"): self.combine,
            ("search", "max_cost_usd"): self.max_cost_usd,
        }
        return {key: value for key, value in values.items() if value is not None}


class CommandContestant(_Spec):
    kind: Literal["command"]
    adapter: str | None = None
    command: str = ""
    """Shell command run in the task's repo inside the sandbox. Placeholders: {prompt_file}, {files}, {model},
    {steps}, {max_cost_usd}, {agent_dir}, {workspace}, {args}."""
    before: str = ""
    """Shell run first in the same shell (e.g. start a local model server in the background)."""
    args: str = ""
    """Extra command-line arguments for the agent, put where an adapter's command says {args}."""
    prompt: str | None = None
    """The prompt template (default: `adapters.DEFAULT_PROMPT`). Placeholders: {description}, {files}, {entry},
    {tests}."""
    image: str | None = None
    """The sandbox image with the agent installed (docker sandboxes only)."""
    model: str = ""
    env: dict[str, str] = Field(default_factory=dict)
    pass_env: list[str] = Field(default_factory=list)
    """Names of host environment variables handed to the agent (its own credential, e.g. ANTHROPIC_API_KEY).
    Nothing else of the host environment reaches the sandbox; the values are redacted from stored logs."""
    agent_dir: str | None = None
    """A host folder copied into the sandbox beside the repo (helper scripts, a local model server)."""
    steps: int = Field(default=50, ge=1)
    max_cost_usd: float = Field(default=5.0, ge=0)
    timeout: float = Field(default=1800, gt=0)
    usage: Literal["none", "aider", "claude", "cursor"] = "none"
    """How to read tokens and dollars from the agent's output."""
    network: str = "none"
    """Set by `perfbot bench --network`: the Docker network of the agent's sandbox (see `network`)."""
    enforces: list[Literal["steps", "usd", "timeout"]] | None = None
    """Which budgets the agent's command really enforces (adapters say; by default: steps when the command passes
    {steps}, usd when it passes {max_cost_usd}, and always the timeout). Budgets not enforced are not claimed:
    the leaderboard records and plots what the agent actually used instead."""

    def enforced(self) -> list[str]:
        if self.enforces is not None:
            return sorted({*self.enforces, "timeout"})
        passed = [("steps", "{steps}"), ("usd", "{max_cost_usd}")]
        return sorted({"timeout", *(budget for budget, mark in passed if mark in self.command)})


class OverlayContestant(_Spec):
    """Submits a version the task ships: its known-good `reference` (a ceiling for the leaderboard) or its
    plausible `wrong` optimization (which the evaluator must reject). A task without that version is skipped."""

    kind: Literal["reference", "wrong"]


Contestant = Annotated[PerfbotContestant | CommandContestant | OverlayContestant, Field(discriminator="kind")]
AnyContestant = PerfbotContestant | CommandContestant | OverlayContestant


class ContestantsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contestants: list[Contestant] = Field(min_length=1)


def load_contestants(path: Path) -> list[AnyContestant]:
    """The contestants of `path`, with adapters applied; errors name the file and the key."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise ConfigError(f"{path}: cannot read the contestants file: {e}") from e
    if isinstance(raw, dict):
        for item in raw.get("contestants") or []:
            if isinstance(item, dict) and "kind" not in item:
                item["kind"] = "perfbot"
    try:
        parsed = ContestantsFile.model_validate(raw)
    except ValidationError as e:
        lines = [f"  {'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in e.errors()]
        raise ConfigError(f"{path}: invalid contestants file:\n" + "\n".join(lines)) from e
    contestants = [apply_adapter(c) if isinstance(c, CommandContestant) else c for c in parsed.contestants]
    require_unique(contestants, str(path))
    return contestants


def require_unique(contestants: list[AnyContestant], where: str) -> None:
    """ConfigError naming the repeated names: a leaderboard row is one contestant, counted once."""
    names = [c.name for c in contestants]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"{where}: contestant names must be unique; repeated: {duplicates}")


def with_reference(contestants: list[AnyContestant]) -> list[AnyContestant]:
    """The contestants plus the tasks' reference solutions, unless a reference contestant is already there (the
    reference is counted once). A different contestant already named 'reference' is an error."""
    if any(isinstance(c, OverlayContestant) and c.kind == "reference" for c in contestants):
        return contestants
    if any(c.name == "reference" for c in contestants):
        raise ConfigError("--with-reference: a contestant is already named 'reference' but is not kind: reference")
    return [*contestants, OverlayContestant(name="reference", kind="reference")]


def apply_adapter(contestant: CommandContestant) -> CommandContestant:
    """The contestant with its adapter's defaults filled in where the file left a key unset."""
    if contestant.adapter is None:
        if not contestant.command:
            raise ConfigError(f"contestant {contestant.name}: a command contestant needs `command` or `adapter`")
        return contestant
    name = contestant.adapter
    if name in NO_HEADLESS_MODE:
        raise ConfigError(f"contestant {contestant.name}: {name} cannot be benchmarked: {NO_HEADLESS_MODE[name]}")
    if name not in ADAPTERS:
        known = sorted(ADAPTERS)
        raise ConfigError(f"contestant {contestant.name}: unknown adapter {name!r}; the adapters are {known}")
    given = contestant.model_dump(exclude_unset=True)
    defaults = ADAPTERS[name]
    merged = {**defaults, **given, "env": {**defaults.get("env", {}), **given.get("env", {})}}
    return CommandContestant.model_validate(merged)


def parse_sweep(text: str) -> list[tuple[int, int, int]]:
    """'1x100,10x10,100x1' or '1x50x2,2x25x2' -> (K agents, M steps, R rounds) splits of one fixed total K*M*R.
    A bare total '100' means its powers-of-ten splits (1x100x1, 10x10x1, 100x1x1). Splits with different totals
    are refused: a sweep compares ways of spending the same budget."""
    text = text.strip()
    if text.isdigit() and int(text) > 0:
        total = int(text)
        return [(k, total // k, 1) for k in (10**e for e in range(len(text))) if k <= total and total % k == 0]
    splits = []
    for part in text.split(","):
        match = _SPLIT.match(part.strip())
        if not match:
            raise UsageError(
                f"--sweep: expected splits like '1x100,10x10,100x1' (K agents x M steps, optionally x R rounds) or a "
                f"total like '100', got {part!r}"
            )
        splits.append((int(match.group(1)), int(match.group(2)), int(match.group(3) or 1)))
    totals = {k * m * r for k, m, r in splits}
    if len(totals) > 1:
        shown = ", ".join(f"{k}x{m}x{r}={k * m * r}" for k, m, r in splits)
        raise UsageError(f"--sweep: every split must spend the same total K x M x R; got {shown}")
    return splits


def split_label(agents: int, steps: int, rounds: int) -> str:
    return f"{agents}x{steps}" if rounds == 1 else f"{agents}x{steps}x{rounds}"


def expand_sweep(contestants: list[AnyContestant], splits: list[tuple[int, int, int]]) -> list[AnyContestant]:
    """Each perfbot contestant once per split, named `name@KxM` (`name@KxMxR` with rounds), with agents, steps and
    rounds all set from the split (a contestant's own rounds never multiply a split's budget); others unchanged."""
    if not splits:
        return contestants
    out: list[AnyContestant] = []
    for c in contestants:
        if isinstance(c, PerfbotContestant):
            out += [
                c.model_copy(update={"name": f"{c.name}@{split_label(k, m, r)}", "agents": k, "steps": m, "rounds": r})
                for k, m, r in splits
            ]
        else:
            out.append(c)
    return out


def with_budget(contestants: list[AnyContestant], *, steps: int | None, usd: float | None) -> list[AnyContestant]:
    """Equal budgets: `steps` is the total K x M x rounds of every perfbot contestant (M = steps / K / rounds) and
    the step limit of every command contestant; `usd` is every contestant's dollar cap."""
    out: list[AnyContestant] = []
    for c in contestants:
        if isinstance(c, OverlayContestant):  # a shipped version has no budget to equalise
            out.append(c)
            continue
        update: dict[str, Any] = {}
        if usd is not None:
            update["max_cost_usd"] = usd
        if steps is not None:
            if isinstance(c, PerfbotContestant):
                runs = (c.agents or 1) * (c.rounds or 1)
                if steps % runs:
                    near = sorted({max(runs, steps // runs * runs), (steps // runs + 1) * runs})
                    raise UsageError(
                        f"--budget-steps {steps} does not split evenly over {c.name}'s {c.agents or 1} agent(s) x "
                        f"{c.rounds or 1} round(s) (steps would be lost); use a multiple of {runs}, e.g. {near}"
                    )
                update.update(steps=steps // runs, agents=c.agents or 1, rounds=c.rounds or 1)
            else:
                update["steps"] = steps
        out.append(c.model_copy(update=update))
    return out
