"""Hot-spot localization: where does the configured benchmark spend its time inside `target.files`?

`find_hotspots(repo, config, sandbox)` runs the benchmark entry once under cProfile, in the sandbox (it is the
repo's code), at the largest grid point, and returns the functions of the target files ranked by their own
time (comprehensions, generator expressions and lambdas count for the function around them), each with its
share of the whole call. Scheduled runs optimize the top ones.
"""

from __future__ import annotations

import json
import math
import shlex
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from pipelines.config import Config
from pipelines.errors import EvaluationError
from pipelines.layout import import_paths
from sandbox.base import Sandbox

PROFILER = "_perfbot_profile.py"
RESULT_PREFIX = "PERFBOT_PROFILE "


@dataclass(frozen=True)
class Hotspot:
    path: str
    """Repo-relative file."""
    symbol: str
    """Dotted name inside the file (`Class.method`, `function`)."""
    line: int
    self_s: float
    share: float
    """Own time as a fraction of the whole benchmark call (0..1)."""

    @property
    def target(self) -> str:
        """`PATH::SYMBOL`, the form `/optimize` and `PERFBOT_TARGET` take."""
        return f"{self.path}::{self.symbol}"


def target_files(repo: Path, config: Config) -> list[str]:
    """The repo's files that `target.files` matches (the one glob rule of pipelines.config)."""
    found = (path.relative_to(repo).as_posix() for path in repo.rglob("*.py") if ".git" not in path.parts)
    return sorted(rel for rel in found if config.target.matches(rel))


def find_hotspots(repo: Path, config: Config, sandbox: Sandbox, *, top: int = 5) -> list[Hotspot]:
    """The `top` hottest functions of the target files, hottest first. Raises EvaluationError when the
    benchmark cannot run under the profiler (the message has the end of its output)."""
    bench = config.benchmark
    spec = {
        "entry": bench.entry,
        "inputs": bench.inputs,
        "params": largest_point(bench.grid()),
        "files": target_files(repo, config),
        "pythonpath": import_paths(repo, config),
    }
    return ranked(_profile(sandbox, repo, spec, bench.timeout * 3 + 30, f"{bench.entry} at {spec['params']}"), top)


def profile_tests(
    repo: Path, files: list[str], pythonpath: list[str], sandbox: Sandbox, *, timeout: float, top: int = 10
) -> list[Hotspot]:
    """The `top` hottest functions of `files` while pytest runs the repository's tests (what `perfbot init` proposes
    an entry from). Raises EvaluationError when they cannot run under the profiler."""
    spec = {"mode": "tests", "args": ["-q", "-x", "-p", "no:cacheprovider"], "files": files, "pythonpath": pythonpath}
    return ranked(_profile(sandbox, repo, spec, timeout, "the tests"), top)


def _profile(sandbox: Sandbox, repo: Path, spec: dict[str, Any], timeout: float, what: str) -> dict[str, Any]:
    sandbox.put_dir(repo, "repo")
    sandbox.put_files({PROFILER: files("pipelines.localize.inside").joinpath("profile_script.py").read_bytes()})
    command = f"python ../{PROFILER} {shlex.quote(json.dumps(spec))}"
    result = sandbox.execute(command, timeout=timeout, cwd="repo")
    line = next((ln for ln in reversed(result.output.splitlines()) if ln.startswith(RESULT_PREFIX)), None)
    if result.returncode != 0 or line is None:
        tail = "\n".join(result.output.strip().splitlines()[-12:])
        raise EvaluationError(f"profiling {what} failed (exit {result.returncode}):\n{tail}")
    return dict(json.loads(line[len(RESULT_PREFIX) :]))


def ranked(profile: dict[str, Any], top: int) -> list[Hotspot]:
    total = max(float(profile["total_s"]), 1e-12)
    spots = [
        Hotspot(f["path"], f["symbol"], int(f["line"]), float(f["self_s"]), float(f["self_s"]) / total)
        for f in profile["functions"]
    ]
    return sorted(spots, key=lambda h: (-h.self_s, h.path, h.line))[:top]


def largest_point(grid: list[dict[str, Any]]) -> dict[str, Any]:
    """The grid point whose numeric parameters have the largest product (the slowest one, as a rule)."""

    def size(point: dict[str, Any]) -> float:
        numbers = [v for v in point.values() if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0]
        return math.prod(numbers) if numbers else 0.0

    return max(grid, key=size)
