"""`perfbot init`: write a commented starter `.perfbot.yml` (never over an existing one)."""

from __future__ import annotations

import argparse
from importlib.resources import files
from pathlib import Path

from pipelines.config import CONFIG_NAMES, DEFAULT_MODEL
from pipelines.errors import UsageError

_SKIP_DIRS = {".git", ".venv", "venv", "tests", "test", "node_modules", "build", "dist", ".perfbot"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("repo", nargs="?", type=Path, default=Path("."), help="the repository (default: .)")


def run(args: argparse.Namespace) -> int:
    repo = args.repo.resolve()
    if not repo.is_dir():
        raise UsageError(f"{args.repo}: not a directory")
    existing = [name for name in CONFIG_NAMES if (repo / name).exists()]
    if existing:
        raise UsageError(f"{repo / existing[0]} already exists; refusing to overwrite it")
    path = repo / CONFIG_NAMES[0]
    path.write_text(starter_config(repo), encoding="utf-8")
    print(f"wrote {path}")
    print("next: set target.files, benchmark.entry, benchmark.inputs and benchmark.params, then run")
    print("  perfbot evaluate --sandbox local --candidate PATH=FILE   (to try a version by hand), or perfbot optimize")
    return 0


def starter_config(repo: Path) -> str:
    """The commented template, with target.files and benchmark.entry guessed from the repo's first module."""
    module = _first_module(repo)
    target = module.relative_to(repo).as_posix() if module else "src/yourmodule.py"
    entry = f"{module.stem}:your_function" if module else "yourmodule:your_function"
    text = files("templates").joinpath("init", "perfbot.yml").read_text(encoding="utf-8")
    return text.format(target=target, entry=entry, model=DEFAULT_MODEL)


def _first_module(repo: Path) -> Path | None:
    candidates = sorted(
        p
        for p in repo.rglob("*.py")
        if not (_SKIP_DIRS & set(p.relative_to(repo).parts[:-1]))
        and not p.name.startswith(("test_", "conftest", "setup", "bench_", "__"))
    )
    return candidates[0] if candidates else None
