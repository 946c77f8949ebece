"""`.perfbot.yml` (or `[tool.perfbot]` in pyproject.toml): typed, validated, with defaults in place.

`load_config(repo)` is the one entry point. Every error names the file, the key and what was expected,
and unknown keys are errors (a typo must not silently fall back to a default).
"""

from __future__ import annotations

import itertools
import posixpath
import re
import tomllib
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from pipelines.config_errors import describe
from pipelines.config_sections import PriceConfig, SandboxConfig, pythonpath_entries
from pipelines.config_sections import Section as _Section
from pipelines.errors import ConfigError

CONFIG_NAMES = (".perfbot.yml", ".perfbot.yaml")
DEFAULT_MODEL = "anthropic:claude-sonnet-5-5"
"""The newest Sonnet the pinned anthropic SDK lists (tests/pipelines/models/test_pricing.py keeps it so)."""
ALL_TOOLS = ("view_file", "replace", "write_file", "rewrite_symbol", "bash", "evaluate", "finish")
_EVALUATE_TRIGGER = re.compile(r"^(agent|on_change|every:[1-9][0-9]*)$")
Metric = Literal["time", "memory"]
_IMPORT_REF = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")


def _time_only() -> dict[Metric, float]:
    return {"time": 1.0}


class TargetConfig(_Section):
    files: list[str] = Field(min_length=1)
    """Globs (relative to the repo root) of the files the agent may edit."""

    def matches(self, path: str) -> bool:
        """True when the repo-relative `path` matches a glob: `*` and `?` stay within a directory, `**` crosses
        them. The one definition used by `evaluate`, the agent's workspace and every other check."""
        return matches_globs(path, self.files)


def matches_globs(path: str, globs: list[str] | tuple[str, ...]) -> bool:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts:
        return False
    rel = posixpath.normpath(path)
    return any(_glob_regex(glob).fullmatch(rel) for glob in globs)


@lru_cache(maxsize=256)
def _glob_regex(glob: str) -> re.Pattern[str]:
    stripped = glob.strip()
    while stripped.startswith("./"):
        stripped = stripped[2:]
    norm = posixpath.normpath(stripped) if stripped else "**"
    parts: list[str] = []
    i = 0
    while i < len(norm):
        if norm.startswith("**/", i):
            parts.append("(?:.*/)?")
            i += 3
        elif norm.startswith("**", i):
            parts.append(".*")
            i += 2
        elif norm[i] in "*?":
            parts.append("[^/]*" if norm[i] == "*" else "[^/]")
            i += 1
        else:
            parts.append(re.escape(norm[i]))
            i += 1
    return re.compile("".join(parts))


class TestsConfig(_Section):
    command: str = "python -m pytest -q"
    timeout: float = Field(default=300, gt=0)


class CheckConfig(_Section):
    """Outputs compared beyond the grid: on inputs from fresh seeds, and on degenerate variants of the inputs."""

    seeds: int = Field(default=5, ge=0, le=1000)
    variants: bool = True


class BenchmarkConfig(_Section):
    entry: str
    inputs: str
    params: dict[str, list[Any]] = Field(min_length=1)
    metrics: dict[Metric, float] = Field(default_factory=_time_only)
    weights: dict[str, dict[Any, float]] = Field(default_factory=dict)
    repeat: int = Field(default=7, ge=1, le=1000)
    """Paired rounds measured first (at least 5 are always taken); more are added until the verdict is clear."""
    max_repeat: int = Field(default=25, ge=5, le=1000)
    """The most paired rounds one evaluation may take before it says it cannot decide."""
    warmup: int = Field(default=1, ge=0, le=100)
    """Warm-up values on other inputs before the timed calls in every timing process, each as many calls as a timed
    value (one call each with `measure: cold`); 0 times first calls (cold) only."""
    measure: Literal["warm", "cold"] = "warm"
    """Which time the score and acceptance use: the steady state after warm-up, or the first call of a process."""
    timeout: float = Field(default=120, gt=0)
    check_outputs: bool = True
    check: CheckConfig = CheckConfig()
    rel_tol: float = Field(default=1e-9, ge=0)
    abs_tol: float = Field(default=1e-12, ge=0)
    pythonpath: list[str] | None = None
    """Directories (relative to the repo root) put first on sys.path for the benchmark, the output check, the
    profiler and the tests; None: `src` when the repository has one, else the root (pipelines/layout.py)."""

    @field_validator("pythonpath")
    @classmethod
    def _relative_dirs(cls, value: list[str] | None) -> list[str] | None:
        return pythonpath_entries(value)

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
    def _cold_needs_no_warmup(self) -> BenchmarkConfig:
        if self.measure == "warm" and self.warmup == 0:
            raise ValueError("measure: 'warm' needs warmup >= 1 (warmup: 0 times first calls only: use measure: cold)")
        return self

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
    max_tokens: int | None = Field(default=None, gt=0, le=1_000_000)
    """Output tokens per model call (thinking included); None: what the model allows, up to 32k (models/catalog.py)."""
    price: PriceConfig | None = None
    """USD per million tokens, overriding perfbot's table (and pricing an `openai:` model, so max_cost_usd applies)."""
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
    max_tokens: int | None = Field(default=None, gt=0)
    """A hard budget in tokens (input, cached or not, plus output) shared by all agents; always applies when set,
    and stands in for max_cost_usd when the model has no known price."""


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
    sandbox: SandboxConfig = SandboxConfig()

    source: str = Field(default="", exclude=True)
    """Where this config was read from (for messages); not a key users write."""
    run_image: str = Field(default="", exclude=True)
    """The image sandboxes of this run start from, once resolved (pipelines/sandbox_image.py); '' until then."""


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
        raise ConfigError(f"{source}: invalid perfbot config:\n" + describe(e, Config)) from e
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


def _kind(value: Any) -> str:
    return "an empty file" if value is None else type(value).__name__
