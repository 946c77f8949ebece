"""`perfbot init [REPO]`: write a `.perfbot.yml` that works for this repository (never over an existing one).

It detects the layout (a `src/` directory or the root), the tests command and the dependency files, proposes the
file to optimize and the entry from profiling the tests in the sandbox, writes `perfbot_inputs.py` with the inputs
function to fill in, and adds `.perfbot/` (where runs keep their artifacts) to `.gitignore`. What it could not
propose is left as a marked placeholder, and the last lines say what to fill in; `perfbot doctor` says what is left.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pipelines.config import CONFIG_NAMES
from pipelines.errors import UsageError
from pipelines.propose import detect, propose_entry
from pipelines.starter import INPUTS_FILE, Proposal, inputs_module, render_config

IGNORED = ".perfbot/"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("repo", nargs="?", type=Path, default=Path("."), help="the repository (default: .)")
    parser.add_argument(
        "--sandbox", choices=["docker", "local"], default="docker", help="where the tests are profiled (docker)"
    )
    parser.add_argument("--no-profile", action="store_true", help="do not run the tests to propose an entry")


def run(args: argparse.Namespace) -> int:
    repo = args.repo.resolve()
    if not repo.is_dir():
        raise UsageError(f"{args.repo}: not a directory")
    existing = [name for name in CONFIG_NAMES if (repo / name).exists()]
    if existing:
        raise UsageError(f"{repo / existing[0]} already exists; refusing to overwrite it")
    proposal = detect(repo)
    why_not = "not asked to (--no-profile)" if args.no_profile else propose_entry(repo, proposal, args.sandbox, _say)
    written = write_files(repo, proposal)
    _say(describe(proposal, why_not))
    _say("wrote " + ", ".join(written))
    _say("next:\n" + "\n".join(f"  - fill in {item}" for item in proposal.placeholders()))
    _say(f"  - commit {' and '.join(n for n in written if n != '.gitignore')}: perfbot measures HEAD")
    _say("  - run `perfbot doctor` to see what is left, then `perfbot optimize`")
    return 0


def write_files(repo: Path, proposal: Proposal) -> list[str]:
    """The config, the inputs module (unless the repository has one) and the .gitignore line; the names written."""
    written = [CONFIG_NAMES[0]]
    (repo / CONFIG_NAMES[0]).write_text(render_config(proposal), encoding="utf-8")
    if not (repo / INPUTS_FILE).exists():
        (repo / INPUTS_FILE).write_text(inputs_module(proposal), encoding="utf-8")
        written.append(INPUTS_FILE)
    gitignore = repo / ".gitignore"
    lines = gitignore.read_text(encoding="utf-8").splitlines() if gitignore.is_file() else []
    if not {IGNORED, IGNORED.rstrip("/"), "/" + IGNORED} & {line.strip() for line in lines}:
        gitignore.write_text("\n".join([*lines, IGNORED]) + "\n", encoding="utf-8")
        written.append(".gitignore")
    return written


def describe(proposal: Proposal, why_not: str | None) -> str:
    roots = ", ".join(r or "." for r in proposal.pythonpath)
    install = "none" if proposal.install.empty else proposal.install.model_dump(exclude_defaults=True)
    lines = [f"layout: code imported from {roots}; tests: `{proposal.tests_command}`; dependencies: {install}"]
    if proposal.entry:
        lines.append(f"proposed entry: {proposal.entry} in {proposal.target} ({proposal.share:.0%} of the tests' time)")
    else:
        lines.append(f"no entry proposed ({why_not}): target.files and benchmark.entry are placeholders")
    return "\n".join(lines)


def _say(message: str) -> None:
    print(message, flush=True)
