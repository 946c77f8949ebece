"""The agent's prompts, rendered from Jinja2 templates in `templates/prompts/` (StrictUndefined: a missing
variable is an error, never an empty string)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import jinja2

from pipelines.config import Config

_ENV = jinja2.Environment(
    loader=jinja2.FunctionLoader(
        lambda name: resources.files("templates").joinpath("prompts", name).read_text("utf-8")
    ),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    autoescape=False,
)


@dataclass(frozen=True)
class Focus:
    """The one function the agents are pointed at: a request's `PATH::SYMBOL`, or a hot spot profiling found (with
    `share`, its part of the benchmark's time)."""

    path: str
    symbol: str
    share: float | None = None

    @classmethod
    def of(cls, target: str | None, share: float | None = None) -> Focus | None:
        """The focus of a `PATH[::SYMBOL]` target; None without a symbol (the whole file is the target)."""
        if target is None or "::" not in target:
            return None
        path, symbol = target.split("::", 1)
        return cls(path, symbol, share)


def evaluation_policy(trigger: str, tools: list[str]) -> str:
    """What the agent is told about when its code is measured (`agent.evaluate`: agent | on_change | every:N)."""
    can_call = "evaluate" in tools
    also = " You may also call `evaluate` at any time." if can_call else ""
    if trigger == "on_change":
        return (
            "Evaluation runs automatically after every step in which a file changed; its table is added "
            "to that step's tool results." + also
        )
    if trigger.startswith("every:"):
        n = int(trigger.split(":", 1)[1])
        return (
            f"Evaluation runs automatically every {n} step{'s' if n > 1 else ''} (when the code changed since "
            "the last one); its table is added to that step's tool results." + also
        )
    if can_call:
        return (
            "Evaluation runs only when you call `evaluate`: it measures the current state of the files "
            "(tests, then the benchmark grid). Evaluate before you finish, and after each promising change."
        )
    return "Nothing is measured while you work: your final state is evaluated after you finish."


def system_prompt(config: Config, tools: list[dict[str, Any]], steps: int, pythonpath: list[str] | None = None) -> str:
    """The system prompt; `pythonpath` (repository-relative, '' the root) is where the code is imported from."""
    bench = config.benchmark
    names = [tool["name"] for tool in tools]
    return _ENV.get_template("system.j2").render(
        entry=bench.entry,
        inputs=bench.inputs,
        targets=config.target.files,
        tests_command=config.tests.command,
        check_outputs=bench.check_outputs,
        params=bench.params,
        grid_size=len(bench.grid()),
        point_weights=", ".join(f"{axis}={v}: x{w}" for axis, by in bench.weights.items() for v, w in by.items()),
        metrics=bench.metrics,
        min_speedup=config.accept.min_speedup,
        max_regression=config.accept.max_regression,
        tools=tools,
        evaluation_policy=evaluation_policy(config.agent.evaluate, names),
        steps=steps,
        import_roots=pythonpath or [""],
    )


def task_message(files: Mapping[str, str], note: str = "", focus: Focus | None = None) -> str:
    """The first user message: the function to focus on (if any), what earlier agents tried (`note`, later rounds)
    and the target files as they stand (the stable, cached part of a session)."""
    return _ENV.get_template("task.j2").render(files=dict(files), note=note, focus=focus)
