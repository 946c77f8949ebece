"""What a reader needs to reproduce a run, and the fingerprint that decides whether a stored run is still valid.

`environment()` is the same for every run of one `perfbot bench` invocation: perfbot's version and commit, Python,
the host, its CPU and the CPU set measurements are pinned to. `run_metadata()` adds what is particular to one run:
the task's content hash, the contestant's model and settings, and the hash of any scripted session it replays.

`run_fingerprint()` covers everything that changes a result: the contestant's settings, the task's files (repo,
reference, wrong, task.yml), the scripted session's content and perfbot's version and commit. A stored record
with another fingerprint is run again.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from pipelines.bench.contestants import AnyContestant, CommandContestant, PerfbotContestant
from pipelines.bench.suite import Task
from pipelines.trace import secret_values

SOURCE = Path(__file__).resolve().parents[2]
_SKIPPED = ("__pycache__", ".pytest_cache", ".perfbot")


def task_hash(task: Task) -> str:
    """sha256 over every file of the task folder (paths and bytes), caches left out."""
    return _tree_hash(task.root)


def scripted_hash(contestant: AnyContestant, task: Task) -> str | None:
    """sha256 of the scripted session a perfbot contestant replays on `task` (None for any other model).
    A missing file hashes as 'missing', so creating it later changes the fingerprint."""
    model = contestant.model if isinstance(contestant, PerfbotContestant | CommandContestant) else None
    if not model or not model.startswith("scripted:"):
        return None
    path = Path(model.removeprefix("scripted:").replace("{task}", task.name)).expanduser()
    if not path.is_file():
        return "missing"
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run_fingerprint(contestant: AnyContestant, task: Task) -> str:
    parts = {
        "contestant": contestant.fingerprint(),
        "task": task_hash(task),
        "scripted": scripted_hash(contestant, task),
        "perfbot": perfbot_version(),
        "commit": perfbot_commit(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def run_metadata(contestant: AnyContestant, task: Task) -> dict[str, Any]:
    """The run's reproducibility metadata. Variables handed to an agent appear by name only, and any secret value
    written into a setting (a key pasted into `args`, say) is redacted."""
    settings = contestant.model_dump(exclude={"env", "pass_env", "name", "kind"})
    secrets = {*secret_values(), *(v for v in getattr(contestant, "env", {}).values() if len(v) >= 8)}
    text = json.dumps(settings)
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(json.dumps(secret)[1:-1], "[redacted]")
    settings = json.loads(text)
    return {
        **environment(),
        "task_sha256": task_hash(task),
        "model": _model(contestant, task),
        "model_settings": settings,
        "scripted_sha256": scripted_hash(contestant, task),
        "env_names": sorted({*getattr(contestant, "env", {}), *getattr(contestant, "pass_env", [])}),
        "seed": None,
        "seed_note": "no model seed is set (provider default sampling); the judge draws fresh secret input seeds "
        "per measurement",
    }


@functools.cache
def environment() -> dict[str, Any]:
    """The machine and the software, the same for every run of this process."""
    return {
        "perfbot_version": perfbot_version(),
        "perfbot_commit": perfbot_commit(),
        "python": platform.python_version(),
        "python_implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "host": platform.node(),
        "cpu": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "cpus_available": _affinity(),
        "bench_cpus": os.environ.get("PERFBOT_BENCH_CPUS") or None,
    }


@functools.cache
def perfbot_version() -> str:
    try:
        return version("perfbot")
    except PackageNotFoundError:
        return "unknown"


@functools.cache
def perfbot_commit() -> str | None:
    """The source checkout's commit, with '-dirty' when it has uncommitted changes (None outside a checkout)."""
    if not (SOURCE / ".git").exists():
        return None
    try:
        head = subprocess.run(
            ["git", "-C", str(SOURCE), "rev-parse", "HEAD"], capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            [
                "git",
                "-C",
                str(SOURCE),
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                "bot",
                "pipelines",
                "sandbox",
                "templates",
            ],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}-dirty" if dirty else head


def _model(contestant: AnyContestant, task: Task) -> str | None:
    """The model the run used: the contestant's ({task} filled in), a perfbot contestant's default the task's."""
    if isinstance(contestant, PerfbotContestant):
        return (contestant.model or task.config.agent.model).replace("{task}", task.name)
    if isinstance(contestant, CommandContestant):
        return contestant.model or None
    return None


def _tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and not any(part in _SKIPPED for part in path.parts) and path.suffix != ".pyc":
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _affinity() -> list[int] | None:
    return sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
