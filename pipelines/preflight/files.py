"""Checks of the files a config names, against what is committed: the baseline is HEAD, so `target.files` must match
committed files, and the modules, directories and requirements files the config names must be committed too."""

from __future__ import annotations

import difflib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pipelines.config import Config
from pipelines.layout import SKIPPED, import_paths, module_files
from pipelines.preflight.findings import Finding, warning

PLACEHOLDER = "FILL_IN"
"""What `perfbot init` writes in the config where it could not propose a value."""
MARK = "PERFBOT-PLACEHOLDER"
"""What the function `perfbot init` writes raises until it is filled in."""


@dataclass(frozen=True)
class Tree:
    """The repository's files as committed (`committed`) and as they are in the working tree (`present`)."""

    committed: frozenset[str]
    present: frozenset[str]
    git: bool

    def is_committed(self, path: str) -> bool:
        return path in self.committed

    def is_dir(self, path: str) -> bool:
        return not path or any(p.startswith(path + "/") for p in self.committed)


def read_tree(repo: Path) -> Tree | Finding:
    """The tree of `repo`; a Finding when it is a git repository without a commit (there is no baseline)."""
    present = frozenset(_walk(repo))
    prefix = _git(repo, "rev-parse", "--show-prefix")
    if prefix is None:
        return Tree(present, present, git=False)
    listed = _git(repo, "ls-tree", "-r", "--name-only", "--full-tree", f"HEAD:{prefix.strip()}")
    if listed is None:
        return Finding("git", f"{repo} has no commit yet: the baseline is HEAD", "commit your code, then run again")
    return Tree(frozenset(listed.splitlines()), present, git=True)


def check_files(repo: Path, config: Config, tree: Tree) -> list[Finding]:
    return [
        *_target(config, tree),
        *_modules(repo, config, tree),
        *_pythonpath(repo, config, tree),
        *_requirements(config, tree),
        *_config_file(repo, config, tree),
    ]


def _target(config: Config, tree: Tree) -> list[Finding]:
    globs = config.target.files
    if any(PLACEHOLDER in glob for glob in globs):
        fix = "set it to the file(s) perfbot may edit, e.g. [src/yourpkg/core.py]"
        return [Finding("target.files", "is still perfbot init's placeholder", fix)]
    if any(config.target.matches(p) for p in tree.committed):
        return []
    uncommitted = sorted(p for p in tree.present if config.target.matches(p))
    if uncommitted:
        problem = f"{uncommitted[0]} is not committed: the baseline is HEAD"
        return [Finding("target.files", problem, f"commit {uncommitted[0]}")]
    python = sorted(p for p in tree.committed if p.endswith(".py"))
    close = difflib.get_close_matches(globs[0], python, n=1, cutoff=0.5)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    fix = "list repository-relative paths or globs of committed files (`*` within a directory, `**` across)"
    return [Finding("target.files", f"{globs} match no committed file{hint}", fix)]


def _modules(repo: Path, config: Config, tree: Tree) -> list[Finding]:
    found = []
    roots = import_paths(repo, config)
    for key, ref in (("benchmark.entry", config.benchmark.entry), ("benchmark.inputs", config.benchmark.inputs)):
        if PLACEHOLDER in ref:
            found.append(Finding(key, "is still perfbot init's placeholder", "set it to module:function"))
            continue
        present = [f for f in module_files(ref.partition(":")[0], roots) if f in tree.present]
        if present and MARK in (repo / present[0]).read_text(encoding="utf-8", errors="replace"):
            fix = "write the body of the function (the message in it says what to return), then commit the file"
            found.append(Finding(key, f"{ref} in {present[0]} is still perfbot init's placeholder", fix))
        if present and not tree.is_committed(present[0]):
            found.append(Finding(key, f"{present[0]} is not committed: the baseline is HEAD", f"commit {present[0]}"))
    return found


def _pythonpath(repo: Path, config: Config, tree: Tree) -> list[Finding]:
    missing = [p for p in import_paths(repo, config) if not tree.is_dir(p)]
    if not missing:
        return []
    fix = "list directories of the repository that hold your top-level packages (`src` for a src layout, `.` the root)"
    return [Finding("benchmark.pythonpath", f"no committed directory {missing[0]!r}", fix)]


def _requirements(config: Config, tree: Tree) -> list[Finding]:
    for path in config.sandbox.install.requirements:
        if not tree.is_committed(path):
            state = "is not committed" if path in tree.present else "does not exist"
            return [Finding("sandbox.install.requirements", f"{path} {state}", "fix the path, or commit the file")]
    return []


def _config_file(repo: Path, config: Config, tree: Tree) -> list[Finding]:
    source = Path(config.source.split(" (")[0])
    try:
        rel = source.resolve().relative_to(repo.resolve()).as_posix()
    except ValueError:
        return []
    if not tree.git or tree.is_committed(rel):
        return []
    fix = "commit it: CI and the bot read the committed file"
    return [warning("config", f"{rel} is not committed", fix, file=rel)]


def _walk(repo: Path) -> list[str]:
    """Every file of the working tree, outside VCS data, virtualenvs and caches."""
    found = []
    for folder, dirs, names in os.walk(repo):
        dirs[:] = [d for d in dirs if d not in SKIPPED]
        base = Path(folder).relative_to(repo)
        found += [(base / name).as_posix() for name in names]
    return found


def _git(repo: Path, *args: str) -> str | None:
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)
    return result.stdout if result.returncode == 0 else None
