"""`.perfbot.yml` (or `[tool.perfbot]` in pyproject.toml): typed, validated, with defaults in place.

`load_config(repo)` is the one entry point. Every error names the file, the key and what was expected,
and unknown keys are errors (a typo must not silently fall back to a default).
"""

from __future__ import annotations

import itertools
import re
import tomllib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipelines.errors import ConfigError

CONFIG_NAMES = (".perfbot.yml", ".perfbot.yaml")
DEFAULT_MODEL = "anthropic:claude-sonnet-4-6"
ALL_TOOLS = ("view_file", "replace", "write_file", "rewrite_symbol", "bash", "evaluate", "finish")
_EVALUATE_TRIGGER = re.compile(r"^(agent|on_change|every:[1-9][0-9]*)$")
Metric = Literal["time", "memory"]
_IMPORT_REF = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")


def _time_only() -> dict[Metric, float]:
    return {"time": 1.0}


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TargetConfig(_Section):
    files: list[str] = Field(min_length=1)
    """Globs (relative to the repo root) of the files the agent may edit."""


class TestsConfig(_Section):
    command: str = "python -m pytest -q"
    timeout: float = Field(default=300, gt=0)


class BenchmarkConfig(_Section):
    entry: str
    inputs: str
    params: dict[str, list[Any]] = Field(min_length=1)
    metrics: dict[Metric, float] = Field(default_factory=_time_only)
    weights: dict[str, dict[Any, float]] = Field(default_factory=dict)
    repeat: int = Field(default=7, ge=1, le=1000)
    timeout: float = Field(default=120, gt=0)
    check_outputs: bool = True
    rel_tol: float = Field(default=1e-9, ge=0)
    abs_tol: float = Field(default=1e-12, ge=0)

    @field_validator("entry", "inputs")
    @classmethod
    def _is_import_ref(cls, value: str) -> str:
        if not _IMPORT_REF.match(value):
            raise ValueError(f"expected 'module:callable' (like 'stats:pairwise_min_gap'), got {value!r}")
        return value

    @field_validator("params")
    @classmethod
    def _axes_not_empty(cls, value: dict[str, list[Any]]) -> dict[str, list[Any]]:
        for axis, values in value.items():
            if not values:
                raise ValueError(f"axis {axis!r} has no values")
            if not axis.isidentifier():
                raise ValueError(f"axis {axis!r} is not a Python identifier (it is passed as a keyword)")
        return value

    @field_validator("metrics")
    @classmethod
    def _weights_positive(cls, value: dict[Metric, float]) -> dict[Metric, float]:
        if not value or any(w < 0 for w in value.values()) or sum(value.values()) <= 0:
            raise ValueError("expected weights >= 0 for 'time' and/or 'memory', at least one positive")
        return value

    @model_validator(mode="after")
    def _weights_name_known_points(self) -> BenchmarkConfig:
        for axis, by_value in self.weights.items():
            if axis not in self.params:
                raise ValueError(f"weights: {axis!r} is not an axis of params ({', '.join(self.params)})")
            for v, w in by_value.items():
                if v not in self.params[axis]:
                    raise ValueError(f"weights.{axis}: {v!r} is not one of params.{axis} {self.params[axis]}")
                if w < 0:
                    raise ValueError(f"weights.{axis}.{v}: expected a weight >= 0, got {w}")
        return self

    def grid(self) -> list[dict[str, Any]]:
        """The cross product of all axes, in the order the axes and values were written."""
        axes = list(self.params)
        return [dict(zip(axes, combo, strict=True)) for combo in itertools.product(*self.params.values())]

    def point_weight(self, point: dict[str, Any]) -> float:
        weight = 1.0
        for axis, value in point.items():
            weight *= self.weights.get(axis, {}).get(value, 1.0)
        return weight


class AgentConfig(_Section):
    model: str = DEFAULT_MODEL
    tools: list[str] = Field(default_factory=lambda: list(ALL_TOOLS))
    evaluate: str = "agent"
    max_tokens: int = Field(default=8192, gt=0)
    elisions: Literal["resolve", "refuse"] = "resolve"
    """What the edit tools do with code the model elided: put back what a placeholder clearly stands for, or refuse."""

    @field_validator("elisions", mode="before")
    @classmethod
    def _elision_mode(cls, value: Any) -> Any:
        if value not in ("resolve", "refuse"):
            raise ValueError(
                "expected 'resolve' (put back the original code a placeholder stands for) or 'refuse' "
                f"(refuse every elision), got {value!r}"
            )
        return value

    @field_validator("tools")
    @classmethod
    def _known_tools(cls, value: list[str]) -> list[str]:
        unknown = [t for t in value if t not in ALL_TOOLS]
        if unknown:
            raise ValueError(f"unknown tool(s) {unknown}; the tools are {list(ALL_TOOLS)}")
        if "finish" not in value:
            raise ValueError("'finish' must be among the tools (it is how an agent proposes its result)")
        return value

    @field_validator("evaluate")
    @classmethod
    def _trigger(cls, value: str) -> str:
        if not _EVALUATE_TRIGGER.match(value):
            raise ValueError(f"expected 'agent', 'on_change' or 'every:N' with N >= 1, got {value!r}")
        return value

    @field_validator("model")
    @classmethod
    def _model_name(cls, value: str) -> str:
        provider, _, name = value.partition(":")
        if provider not in ("anthropic", "openai", "scripted") or not name:
            raise ValueError(f"expected 'anthropic:<model>', 'openai:<model>' or 'scripted:<file>', got {value!r}")
        return value


class SearchConfig(_Section):
    agents: int = Field(default=4, ge=1, le=1000)
    steps: int = Field(default=25, ge=1, le=10000)
    rounds: int = Field(default=1, ge=1, le=100)
    combine: bool = True
    max_cost_usd: float = Field(default=5.0, ge=0)


class AcceptConfig(_Section):
    min_speedup: float = Field(default=1.05, ge=1.0)
    max_regression: float = Field(default=0.10, ge=0, lt=1)


class Config(_Section):
    target: TargetConfig
    tests: TestsConfig = TestsConfig()
    benchmark: BenchmarkConfig
    agent: AgentConfig = AgentConfig()
    search: SearchConfig = SearchConfig()
    accept: AcceptConfig = AcceptConfig()

    source: str = Field(default="", exclude=True)
    """Where this config was read from (for messages); not a key users write."""


def find_config(repo: Path, explicit: Path | None = None) -> Path:
    """The config file of `repo`: `explicit` if given, else `.perfbot.yml`, else pyproject's `[tool.perfbot]`."""
    if explicit is not None:
        path = explicit if explicit.is_absolute() else Path.cwd() / explicit
        if not path.is_file():
            raise ConfigError(f"{explicit}: no such config file")
        return path
    for name in CONFIG_NAMES:
        if (repo / name).is_file():
            return repo / name
    pyproject = repo / "pyproject.toml"
    if pyproject.is_file() and "perfbot" in _read_toml(pyproject).get("tool", {}):
        return pyproject
    raise ConfigError(
        f"{repo}: no .perfbot.yml and no [tool.perfbot] in pyproject.toml; `perfbot init` writes a starter file"
    )


def load_config(repo: Path, explicit: Path | None = None) -> Config:
    path = find_config(repo, explicit)
    raw = _read_raw(path)
    return parse_config(raw, str(path))


def parse_config(raw: Any, source: str) -> Config:
    """Validate an already-parsed mapping; errors name `source` and each offending key."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: expected a mapping with keys target, tests, benchmark, ...; got {_kind(raw)}")
    try:
        config = Config.model_validate(raw)
    except ValidationError as e:
        raise ConfigError(f"{source}: invalid perfbot config:\n" + _describe(e)) from e
    return config.model_copy(update={"source": source})


def _read_raw(path: Path) -> Any:
    if path.suffix == ".toml":
        return _read_toml(path).get("tool", {}).get("perfbot")
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: not valid YAML: {e}") from e
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8 text: {e}") from e


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from e


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        elif item["type"] == "missing":
            message = "required key is missing"
        else:
            message = item["msg"].removeprefix("Value error, ")
            if "input" in item and item["type"] not in ("value_error",):
                message += f" (got {item['input']!r})"
        lines.append(f"  {key}: {message}")
    return "\n".join(lines)


def _kind(value: Any) -> str:
    return "an empty file" if value is None else type(value).__name__
