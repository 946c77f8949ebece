"""`perfbot doctor`'s checks of a repository: its config loads, and everything `optimize` checks before it starts
(pipelines/preflight/) holds, each failure with its fix."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipelines.config import load_config, parse_config
from pipelines.errors import ConfigError
from pipelines.preflight import check
from sandbox.base import SandboxError


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    needed: bool = True
    """A failed check that is not needed is reported but does not fail the doctor."""
    config: bool = False
    """About the repository's config (exit 2 when it fails) rather than this machine (exit 1)."""


def repo_checks(repo: Path, args: argparse.Namespace, say: Callable[[str], None]) -> list[Check]:
    """The config's checks; [] when the repository has no config and none was named (only the machine is checked)."""
    try:
        config = load_config(repo, args.config)
    except ConfigError as e:
        if args.config is None and "no .perfbot.yml" in str(e):
            return []
        return [Check("config", False, str(e), config=True)]
    if args.model:
        raw = config.model_dump()
        raw["agent"]["model"] = args.model
        config = parse_config(raw, f"{config.source} (with --model)")
    try:
        checked = check(repo, config, kind=args.sandbox, model=True, say=say)
    except SandboxError as e:
        return [Check("config", False, f"the checks need a sandbox, which could not start: {e}", config=False)]
    found = [
        Check(f.key, False, f"{f.problem} (fix: {f.fix})", needed=f.level == "problem", config=True)
        for f in checked.findings
    ]
    if not any(c.needed for c in found):
        detail = f"{config.source}: the files it names, the model, the dependencies and the imports check out"
        found.insert(0, Check("config", True, detail, config=True))
    return found
