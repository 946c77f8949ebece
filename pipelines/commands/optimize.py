"""`perfbot optimize [REPO]`: the whole workflow on a local checkout.

Config → the snapshot (HEAD as committed when the run starts) → baseline (tests + A/A noise) → K agents x M steps x
R rounds → selection / combination → artifacts (report.json/md/html, patch.diff, trace.jsonl), flushed → a branch
`perfbot/<slug>` with one commit on the snapshot's commit when a candidate is selected. The user's working tree, index
and HEAD are never touched. Exit 0 whether or not a speedup was found; a run that cannot be carried out (e.g. the
baseline fails its own tests) writes a report saying why and exits 1. SIGINT or SIGTERM: the report of what was
measured so far (`error.stage: "interrupted"`), its branch when one was selected, exit 130 or 143
(docs/interruptions.md).
"""

from __future__ import annotations

import argparse
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.commands.output import add_json_argument, print_json
from pipelines.config import Config, load_config, parse_config
from pipelines.errors import StorageError, UsageError
from pipelines.git import BranchError, create_branch, free_branch_name, is_git_repo
from pipelines.interrupt import exit_code, interruptible, signal_name
from pipelines.preflight import check, require
from pipelines.report import write_artifacts
from pipelines.report.build import build_report
from pipelines.report.failure import FailedRun, write_failure_artifacts
from pipelines.report.markdown import commit_message, outcome_line
from pipelines.runfiles import Request, mark_running, write_run_files
from pipelines.select.search import Searched, run_search
from pipelines.snapshot import taken
from pipelines.storage import check_free_space
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
    check_free_space(out)
    out.mkdir(parents=True, exist_ok=True)
    mark_running(out, run_id, repo)
    if config.agent.model.startswith("scripted:"):
        progress.say(
            f"using the scripted demo model {config.agent.model}: it replays recorded turns, "
            "no API is called (set ANTHROPIC_API_KEY and pass --model anthropic:<model> for a real one)"
        )
    progress.say(
        f"optimizing {repo} with {config.search.agents} agent(s) x {config.search.steps} steps x "
        f"{config.search.rounds} round(s), model {config.agent.model}, sandbox {args.sandbox or 'docker'}"
    )
    with interruptible(progress.say) as signals:
        try:
            with taken(repo, progress.say) as snap:
                searched = run_search(
                    snap.path,
                    config,
                    sandbox_kind=args.sandbox,
                    trace_path=out / "trace.jsonl",
                    progress=progress,
                    evaluator_progress=progress.evaluator,
                )
                signals.defer()  # measured: what is left runs to its end, a signal is only said
        except (Exception, KeyboardInterrupt) as e:
            failed = FailedRun(e, config, args.sandbox or "docker", run_id=run_id, repo=str(repo))
            report_failure(failed, out, progress)
            if isinstance(e, KeyboardInterrupt):
                return exit_code(signal_name(e))
            raise
        return finish(args, repo, config, searched, Run(run_id, out, snap.commit), progress)


@dataclass(frozen=True)
class Run:
    id: str
    out: Path
    commit: str | None
    """The commit the run measured (its snapshot), which the branch is built on."""


def finish(
    args: argparse.Namespace, repo: Path, config: Config, searched: Searched, run: Run, progress: LiveProgress
) -> int:
    """The artifacts, flushed to the disk, then the branch (so a branch never exists without its report), then the
    lines saying what was found. An interrupted search still gets its report and, when it selected a candidate,
    its branch; it exits as a process stopped by that signal does."""
    report = build_report(repo, config, searched, run_id=run.id, sandbox_kind=args.sandbox or "docker")
    files = searched.result.selected_files
    slug = branch_slug(config)
    wanted = branch_name(repo, report.selected, files, slug, progress)
    report.extra["branch"] = wanted
    write_artifacts(report, run.out)
    write_run_files(run.out, Request(run.id, base_sha=run.commit), report.selected, files)  # for perfbot publish
    branch = write_branch(repo, slug, wanted, run.commit, report.to_json(), files, progress)
    if branch != wanted:  # taken meanwhile (another run), or not written: the report says what is there
        report.extra["branch"] = branch
        write_artifacts(report, run.out)
    interrupted = searched.result.interrupted
    if interrupted:
        progress.say(f"interrupted by {interrupted}: the report holds the candidates measured until then")
    progress.say(outcome_line(report.to_json(), branch))
    progress.say(f"artifacts: {run.out}")
    if args.json:
        print_json(report.to_json())
    return exit_code(interrupted) if interrupted else 0


def report_failure(failed: FailedRun, out: Path, progress: LiveProgress) -> None:
    """Write the artifacts of a run that could not be carried out; the caller re-raises the error (exit 1). When the
    disk is full even that fails: the one message is then the caller's error, and no file is left cut."""
    try:
        paths = write_failure_artifacts(failed, out)
    except StorageError:
        if isinstance(failed.error, StorageError):
            return
        raise
    if isinstance(failed.error, KeyboardInterrupt):
        progress.say(f"interrupted before the baseline was measured: nothing was changed; {paths['report.md']}")
    else:
        progress.say(f"the run failed and nothing was changed; {paths['report.md']} says why")


def branch_slug(config: Config) -> str:
    return config.benchmark.entry.split(":")[-1].replace("_", "-").replace(".", "-").lower()


def branch_name(
    repo: Path, selected: str | None, files: dict[str, str] | None, slug: str, progress: LiveProgress
) -> str | None:
    """The name the selected candidate's branch will have (the report says it before the branch exists); None when
    no branch will be written."""
    if selected is None or files is None:
        return None
    if not is_git_repo(repo):
        progress.say(f"{repo} is not a git repository: no branch written (the patch is in patch.diff)")
        return None
    return free_branch_name(repo, slug)


def write_branch(
    repo: Path,
    slug: str,
    wanted: str | None,
    base: str | None,
    report: dict[str, Any],
    files: dict[str, str] | None,
    progress: LiveProgress,
) -> str | None:
    """A branch with one commit on `base` holding the selected candidate's `files`: `wanted`, or the next free name
    when another process took it meanwhile. None when there is nothing to write or git refused."""
    if wanted is None or files is None or base is None:
        return None
    try:
        return create_branch(repo, slug, files, commit_message(report), base=base, name=wanted)
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
