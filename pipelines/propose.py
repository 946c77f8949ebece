"""`perfbot init`'s guesses: the repository's layout, tests and dependencies, and an entry to benchmark found by
profiling its tests in the sandbox (the hottest top-level function of the repository's own code)."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

from pipelines.config import Config, parse_config
from pipelines.dependencies import detect_install
from pipelines.errors import PerfbotError
from pipelines.layout import code_files, command_for_tests, default_pythonpath, module_name
from pipelines.localize.profile import Hotspot, profile_tests
from pipelines.sandbox_image import with_sandbox_image
from pipelines.starter import Proposal
from sandbox.base import SandboxError
from sandbox.factory import SandboxKind, open_sandbox

Say = Callable[[str], None]
TESTS_TIMEOUT = 300.0


def detect(repo: Path) -> Proposal:
    """Layout, tests command and dependencies, from the files alone."""
    return Proposal(
        pythonpath=default_pythonpath(repo), tests_command=command_for_tests(repo), install=detect_install(repo)
    )


def propose_entry(repo: Path, proposal: Proposal, kind: SandboxKind | None, say: Say) -> str | None:
    """Fill `proposal`'s target and entry from profiling the tests; None when done, else why it could not be."""
    if "pytest" not in proposal.tests_command:
        return "the tests are not run with pytest, so they could not be profiled"
    files = code_files(repo, proposal.pythonpath)
    if not files:
        return f"no Python code found under {', '.join(r or '.' for r in proposal.pythonpath)}"
    try:
        config = with_sandbox_image(repo, _provisional(proposal), kind, say)
        say("profiling the tests in the sandbox to find the hottest function")
        with open_sandbox(kind, label="perfbot-init", image=config.run_image or None) as sandbox:
            spots = profile_tests(repo, files, proposal.pythonpath, sandbox, timeout=TESTS_TIMEOUT, top=20)
    except (PerfbotError, SandboxError) as e:
        return f"profiling the tests failed: {e}"
    spot = _entry_spot(spots, proposal.pythonpath)
    if spot is None:
        return "the tests spent no measurable time in a top-level function of the code"
    module = module_name(spot.path, proposal.pythonpath)
    proposal.target, proposal.entry, proposal.share = spot.path, f"{module}:{spot.symbol}", spot.share
    proposal.parameters = _parameters(repo / spot.path, spot.symbol)
    return None


def _entry_spot(spots: list[Hotspot], roots: list[str]) -> Hotspot | None:
    """The hottest top-level function (a method cannot be an entry), public ones first."""
    usable = [s for s in spots if "." not in s.symbol and module_name(s.path, roots) and s.self_s > 0]
    public = [s for s in usable if not s.symbol.startswith("_")]
    return next(iter(public or usable), None)


def _parameters(path: Path, name: str) -> list[str]:
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == name:
            return [a.arg for a in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]]
    return []


def _provisional(proposal: Proposal) -> Config:
    """A config good enough to build the dependency image with (entry and target do not matter there)."""
    raw = {
        "target": {"files": ["FILL_IN"]},
        "benchmark": {"entry": "FILL_IN:f", "inputs": "FILL_IN:f", "params": {"n": [1]}},
        "sandbox": {"install": proposal.install.model_dump()},
    }
    return parse_config(raw, "perfbot init")
