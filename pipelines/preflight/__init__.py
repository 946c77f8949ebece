"""Check everything before spending anything: what `perfbot doctor` reports and `evaluate` / `optimize` run first.

In order, each step only when the ones before found no problem (a problem stops the run with exit code 2 before the
baseline runs, and nothing in the repository changes):

1. files (files.py): HEAD exists; `target.files` match committed files; the modules, directories and requirements
   files the config names are committed; no placeholder of `perfbot init` is left;
2. the model and the budget (model.py, `optimize` only): its key or script, a known price (else a warning and a
   token budget), a budget that can pay for something;
3. the image: the dependency image is built or found (pipelines/sandbox_image.py); a failing install names the
   package;
4. the sandbox (probe.py): entry and inputs import there and the inputs function gives arguments.

    config = require(check(repo, config, kind="docker", model=True, say=print), say=print)   # or PreflightError
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.config import Config
from pipelines.errors import ConfigError, PreflightError
from pipelines.preflight.files import check_files, read_tree
from pipelines.preflight.findings import Finding, problems, report
from pipelines.preflight.model import check_model
from pipelines.preflight.probe import probe
from pipelines.sandbox_image import with_sandbox_image
from sandbox.factory import SandboxKind

__all__ = ["Checked", "Finding", "check", "require"]

Say = Callable[[str], None]


@dataclass
class Checked:
    config: Config
    """The config with the run's image resolved (`run_image`) once the image step ran."""
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not problems(self.findings)


def check(
    repo: Path,
    config: Config,
    *,
    kind: SandboxKind | None,
    model: bool,
    code: Path | None = None,
    say: Say = lambda _: None,
) -> Checked:
    """Every finding about running `config` on `repo`; `code` is where the baseline's files are (the committed tree;
    default `repo`), `model` whether the run calls a model. Raises SandboxError when no sandbox can be started."""
    code = code or repo
    tree = read_tree(repo)
    if isinstance(tree, Finding):
        return Checked(config, [tree])
    found = check_files(repo, config, tree) + (check_model(config) if model else [])
    if problems(found):
        return Checked(config, found)
    try:
        config = with_sandbox_image(code, config, kind, say)
    except ConfigError as e:
        problem, _, fix = str(e).removeprefix(f"{config.source}: sandbox.install: ").partition("\nfix: ")
        return Checked(config, [*found, Finding("sandbox.install", problem, fix or _FIX)])
    return Checked(config, found + probe(code, config, kind))


def require(checked: Checked, say: Say = lambda _: None) -> Config:
    """The checked config, ready to run (its image resolved), after saying every warning; PreflightError listing the
    problems when there are any."""
    source = checked.config.source
    for finding in checked.findings:
        if finding.level == "warning":
            say(f"warning: {finding.line(source)}")
    if not checked.ok:
        raise PreflightError(report(checked.findings, source), [f.to_json(source) for f in checked.findings])
    return checked.config


_FIX = "correct sandbox.install (see the message), or name an image that has the dependencies in sandbox.image"
