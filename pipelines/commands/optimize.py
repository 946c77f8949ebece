"""`perfbot optimize [REPO]`: the whole workflow on a local checkout.

Config → baseline (tests + A/A noise) → K agents x M steps x R rounds → selection / combination → artifacts
(report.json/md/html, patch.diff, trace.jsonl) → a branch `perfbot/<slug>` with one commit when a candidate is
selected. The user's working tree, index and HEAD are never touched. Exit 0 whether or not a speedup was found;
a run that cannot be carried out (e.g. the baseline fails its own tests) writes a report saying why and exits 1.
"""

from __future__ import annotations

import argparse
import time
import uuid
from pathlib import Path
from typing import Any

from pipelines.commands.output import add_json_argument, print_json
from pipelines.config import Config, load_config, parse_config
from pipelines.errors import UsageError
from pipelines.git import BranchError, create_branch, head_commit, is_git_repo
from pipelines.preflight import check, require
from pipelines.report import write_artifacts
from pipelines.report.build import build_report
from pipelines.report.failure import FailedRun, write_failure_artifacts
from pipelines.report.markdown import commit_message, outcome_line
from pipelines.runfiles import Request, write_run_files
from pipelines.select.search import run_search
from pipelines.trace import LiveProgress


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("repo", nargs="?", default=".", help="the checkout to optimize (default: .)")
    parser.add_argument(
        "--config", type=Path, metavar="F", help="config file (default: REPO/.perfbot.yml or pyproject)"
    )
    parser.add_argument("--model", metavar="M", help="anthropic:<model>, openai:<model> or scripted:<file.yaml>")
    parser.add_argument("--agents", type=int, metavar="K", help="K agents per round (search.agents)")
    parser.add_argument("--steps", type=int, metavar="M", help="M steps per agent (search.steps)")
    parser.add_argument("--rounds", type=int, metavar="R", help="rounds of fresh agents (search.rounds)")
    parser.add_argument(
        "--max-cost", type=float, dest="max_cost", metavar="USD", help="hard budget in USD (search.max_cost_usd)"
    )
    parser.add_argument("--sandbox", choices=["docker", "local"], help="where code runs (default: docker)")
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="artifacts directory (default: REPO/.perfbot/runs/<id>/)"
    )
    add_json_argument(parser)


def run(args: argparse.Namespace) -> int:
    repo = Path(args.repo).resolve()
    if not repo.is_dir():
        raise UsageError(f"{args.repo}: not a directory")
    config = with_overrides(load_config(repo, args.config), args)
    progress = LiveProgress()
    checked = check(repo, config, kind=args.sandbox, model=True, say=progress.say)  # before anything is written
    config = require(checked, progress.say)
    run_id = time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]
    out = (args.out or repo / ".perfbot" / "runs" / run_id).resolve()
    out.mkdir(parents=True, exist_ok=True)
    if config.agent.model.startswith("scripted:"):
        progress.say(
            f"using the scripted demo model {config.agent.model}: it replays recorded turns, "
            "no API is called (set ANTHROPIC_API_KEY and pass --model anthropic:<model> for a real one)"
        )
    progress.say(
        f"optimizing {repo} with {config.search.agents} agent(s) x {config.search.steps} steps x "
        f"{config.search.rounds} round(s), model {config.agent.model}, sandbox {args.sandbox or 'docker'}"
    )
    try:
        searched = run_search(
            repo,
            config,
            sandbox_kind=args.sandbox,
            trace_path=out / "trace.jsonl",
            progress=progress,
            evaluator_progress=progress.evaluator,
        )
    except Exception as e:
        failed = FailedRun(e, config, args.sandbox or "docker", run_id=run_id, repo=str(repo))
        report_failure(failed, out, progress)
        raise
    report = build_report(repo, config, searched, run_id=run_id, sandbox_kind=args.sandbox or "docker")
    files = searched.result.selected_files
    branch = report.extra["branch"] = write_branch(repo, config, report.to_json(), files, progress)
    write_artifacts(report, out)
    write_run_files(out, Request(run_id, base_sha=head_commit(repo)), report.selected, files)  # for perfbot publish
    progress.say(outcome_line(report.to_json(), branch))
    progress.say(f"artifacts: {out}")
    if args.json:
        print_json(report.to_json())
    return 0


def report_failure(failed: FailedRun, out: Path, progress: LiveProgress) -> None:
    """Write the artifacts of a run that could not be carried out; the caller re-raises the error (exit 1)."""
    paths = write_failure_artifacts(failed, out)
    progress.say(f"the run failed and nothing was changed; {paths['report.md']} says why")


def write_branch(
    repo: Path, config: Config, report: dict[str, Any], files: dict[str, str] | None, progress: LiveProgress
) -> str | None:
    """A branch `perfbot/<slug>` with one commit holding the selected candidate's `files`, if one was selected."""
    if report["selected"] is None or files is None:
        return None
    if not is_git_repo(repo):
        progress.say(f"{repo} is not a git repository: no branch written (the patch is in patch.diff)")
        return None
    slug = config.benchmark.entry.split(":")[-1].replace("_", "-").replace(".", "-").lower()
    try:
        return create_branch(repo, slug, files, commit_message(report))
    except BranchError as e:
        progress.say(f"no branch written: {e}")
        return None


def with_overrides(config: Config, args: argparse.Namespace) -> Config:
    """The config with command-line options applied, validated like the file itself."""
    raw = config.model_dump()
    overrides = {
        ("agent", "model"): args.model,
        ("search", "agents"): args.agents,
        ("search", "steps"): args.steps,
        ("search", "rounds"): args.rounds,
        ("search", "max_cost_usd"): args.max_cost,
    }
    changed = False
    for (section, key), value in overrides.items():
        if value is not None:
            raw[section][key] = value
            changed = True
    return parse_config(raw, f"{config.source} (with command-line options)") if changed else config
