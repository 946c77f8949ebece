"""A task suite: a folder of tasks, each a small repo for contestants to make faster.

    SUITE/
      TASK/
        task.yml        description, kind (algorithmic, allocation, repeated-work, parsing, numeric, ...),
                        optional reference_speedup (what a known-good solution reaches)
        repo/           what a contestant gets: code, tests, benchmark inputs and a .perfbot.yml
        reference/      optional: a known-good solution, files laid over repo/ (same relative paths)
        wrong/          optional: a plausible wrong optimization that the task's tests must reject

Only `repo/` is ever copied into a sandbox, so contestants never see the reference or the wrong version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipelines.config import Config, load_config
from pipelines.errors import ConfigError

TASK_KEYS = {"description", "kind", "slowness", "reference_speedup"}


@dataclass(frozen=True)
class Task:
    name: str
    root: Path
    config: Config
    description: str
    kind: str
    slowness: str = ""
    reference_speedup: float | None = None
    overlays: dict[str, dict[str, str]] = field(default_factory=dict)
    """'reference' / 'wrong' -> repo-relative path -> full text of that version of the file."""

    @property
    def repo(self) -> Path:
        return self.root / "repo"


def load_suite(path: Path, only: list[str] | None = None) -> list[Task]:
    """The tasks of the suite at `path`, sorted by name; `only` keeps the named ones (each must exist).
    Raises ConfigError naming the task and what is wrong with it."""
    if not path.is_dir():
        raise ConfigError(f"{path}: no such task suite (expected a folder of tasks)")
    tasks = [load_task(child) for child in sorted(path.iterdir()) if child.is_dir() and not _hidden(child)]
    if not tasks:
        raise ConfigError(f"{path}: the suite has no tasks (each task is a folder with task.yml and repo/)")
    if only:
        names = {t.name for t in tasks}
        missing = [name for name in only if name not in names]
        if missing:
            raise ConfigError(f"{path}: no task(s) {missing}; the suite has {sorted(names)}")
        tasks = [t for t in tasks if t.name in only]
    return tasks


def load_task(root: Path) -> Task:
    meta = _read_meta(root)
    repo = root / "repo"
    if not repo.is_dir():
        raise ConfigError(f"task {root.name}: no repo/ folder (the code a contestant works on)")
    config = load_config(repo)
    overlays = {kind: _overlay(root, kind) for kind in ("reference", "wrong") if (root / kind).is_dir()}
    speedup = meta.get("reference_speedup")
    if speedup is not None and (not isinstance(speedup, int | float) or speedup <= 0):
        raise ConfigError(f"{root / 'task.yml'}: reference_speedup: expected a positive number, got {speedup!r}")
    return Task(
        name=root.name,
        root=root,
        config=config,
        description=str(meta.get("description", "")),
        kind=str(meta.get("kind", "unspecified")),
        slowness=str(meta.get("slowness", "")),
        reference_speedup=float(speedup) if speedup is not None else None,
        overlays=overlays,
    )


def _read_meta(root: Path) -> dict[str, Any]:
    path = root / "task.yml"
    if not path.is_file():
        return {}
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: not valid YAML: {e}") from e
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping with keys {sorted(TASK_KEYS)}")
    unknown = set(raw) - TASK_KEYS
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {sorted(unknown)}; the keys are {sorted(TASK_KEYS)}")
    return raw


def _overlay(root: Path, kind: str) -> dict[str, str]:
    files = {}
    for path in sorted((root / kind).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            rel = path.relative_to(root / kind).as_posix()
            if not (root / "repo" / rel).is_file():
                raise ConfigError(f"task {root.name}: {kind}/{rel} replaces no file of repo/")
            files[rel] = path.read_text(encoding="utf-8")
    return files


def _hidden(path: Path) -> bool:
    return path.name.startswith((".", "_"))
