"""`perfbot ci`: the entry point of the GitLab CI job (see docs/ci.md and templates/perfbot/template.yml).

    perfbot ci                    one whole run: read the PERFBOT_* / CI_* variables, optimize, write artifacts
    perfbot ci --shard i/N        this job's share of the agents (artifacts in OUT/shard-i/)
    perfbot ci --gather           measure the shards' finalists together, select, write the run's artifacts
    perfbot ci --scheduled        profile, then optimize the hottest functions (the default when
                                  PERFBOT_RUN=scheduled and no request is given)

Exits 0 whether or not a faster version was found; a job that cannot do its work (the model's API key is not in
the job, the baseline fails its tests) writes a report.json/report.md that says why (and, with a token, replies
so on the request) and exits non-zero. With `PERFBOT_CHECKOUT` it first checks that merge request's code out.
With `PERFBOT_GITLAB_TOKEN` set (standalone mode, no bot server) the whole run or the gather job publishes the
merge request (or the reply) itself; the token is taken out of the environment before any candidate code runs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
from pathlib import Path

from bot.ci.gather import gather
from bot.ci.run import optimize_in_ci, run_id
from bot.ci.scheduled import run_scheduled
from bot.ci.shard import Shard
from bot.ci.variables import CiJob, checkout, narrowed, read_job, require_model_key
from bot.publish.publisher import Publisher, labels, publisher_from_env
from pipelines.agent.prompts import Focus
from pipelines.commands.optimize import report_failure, with_overrides
from pipelines.config import Config, load_config
from pipelines.errors import PerfbotError, UsageError
from pipelines.interrupt import Signals, exit_code, interruptible, signal_name
from pipelines.report.failure import FailedRun, failed_test_output
from pipelines.runfiles import Request, load_run, write_run_files
from pipelines.trace import LiveProgress
from sandbox.base import SandboxError
from sandbox.factory import SandboxKind

DEFAULT_OUT = Path(".perfbot") / "ci"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("repo", nargs="?", help="the checkout (default: $CI_PROJECT_DIR, else .)")
    parser.add_argument("--config", type=Path, help="config file (default: REPO/.perfbot.yml or pyproject)")
    parser.add_argument("--out", type=Path, help=f"artifacts directory (default: REPO/{DEFAULT_OUT})")
    parser.add_argument(
        "--sandbox", choices=["docker", "local"], help="where code runs (default: $PERFBOT_SANDBOX or docker)"
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--shard", type=_shard, help="run shard i of N (i/N, e.g. $CI_NODE_INDEX/$CI_NODE_TOTAL)")
    mode.add_argument("--gather", action="store_true", help="select among the shards' finalists in OUT/shard-*/")
    mode.add_argument("--scheduled", action="store_true", help="profile and optimize the hottest functions")
    parser.add_argument(
        "--max-mrs", type=int, help="scheduled mode: at most this many merge requests (default: $PERFBOT_MAX_MRS or 2)"
    )
    parser.add_argument("--no-publish", action="store_true", help="never publish, even with PERFBOT_GITLAB_TOKEN set")
    parser.epilog = "Reads the PERFBOT_* variables the bot sets and GitLab's CI_* variables; see docs/ci.md."


def run(args: argparse.Namespace) -> int:
    env = dict(os.environ)
    os.environ.pop("PERFBOT_GITLAB_TOKEN", None)  # nothing started from here on needs it
    repo = Path(args.repo or env.get("CI_PROJECT_DIR") or ".").resolve()
    if not repo.is_dir():
        raise UsageError(f"{repo}: not a directory")
    out = (args.out if args.out is not None else repo / DEFAULT_OUT).resolve()
    checked_out = bool(env.get("PERFBOT_CHECKOUT"))
    if checked_out:
        checkout(repo, env["PERFBOT_CHECKOUT"])
    job = read_job(env, repo, out, base_sha=_head(repo), checked_out=checked_out)
    kind = _sandbox_kind(args.sandbox or env.get("PERFBOT_SANDBOX"))
    publisher = _publisher(env) if not (args.no_publish or args.shard) else None
    progress = LiveProgress()
    shard: Shard | None = args.shard
    where = out / f"shard-{shard.index}" if shard else out
    with interruptible(progress.say) as signals:
        return _run(args, env, repo, out, where, job, kind, publisher, progress, shard, signals)


def _run(
    args: argparse.Namespace,
    env: dict[str, str],
    repo: Path,
    out: Path,
    where: Path,
    job: CiJob,
    kind: SandboxKind | None,
    publisher: Publisher | None,
    progress: LiveProgress,
    shard: Shard | None,
    signals: Signals,
) -> int:
    """The job's work. SIGTERM (GitLab cancelling the job or timing it out) or SIGINT: the artifacts of what was
    measured so far (`error.stage: "interrupted"`), nothing published, the exit status of that signal."""
    config: Config | None = None
    try:
        config = narrowed(with_overrides(load_config(repo, args.config), job.overrides), repo, job.request.target)
        if not args.gather:  # the gather job only measures: it needs no model
            require_model_key(config.agent.model, env)
        if args.scheduled or (job.scheduled and not args.gather and not args.shard):
            run_scheduled(
                repo,
                config,
                job.request,
                out,
                kind,
                progress,
                max_mrs=_max_mrs(args.max_mrs, env),
                publisher=publisher,
                label=(labels(env) or ("perfbot",))[0],
            )
            return 0
        if args.gather:
            gather(repo, config, job.request, out, kind, progress)
        else:
            focus = Focus.of(job.request.target)
            report = optimize_in_ci(repo, config, job.request, where, kind, shard=shard, focus=focus, progress=progress)
            stopped_by = report.error["signal"] if report.error else next(iter(signals.received), None)
            if stopped_by is not None:  # interrupted: the artifacts say what was measured; nothing is published
                progress.say(f"artifacts: {out}")
                return exit_code(stopped_by)
    except (Exception, KeyboardInterrupt) as e:
        if config is not None:
            _report_failure(e, repo, config, job.request, where, kind, progress, shard=shard)
        if isinstance(e, KeyboardInterrupt):
            return exit_code(signal_name(e))
        if publisher is not None and job.request.project_id is not None and isinstance(e, PerfbotError | SandboxError):
            publisher.failed(job.request, job.request.project_id, str(e), output=failed_test_output(e))
        raise
    progress.say(f"artifacts: {out}")
    if publisher is not None and not args.shard:
        outcome = publisher.publish(load_run(out), project_id=_require_project(job.request))
        progress.say(f"published: {outcome}")
    return 0


def _report_failure(
    error: BaseException,
    repo: Path,
    config: Config,
    request: Request,
    where: Path,
    kind: SandboxKind | None,
    progress: LiveProgress,
    *,
    shard: Shard | None,
) -> None:
    """The artifacts of a job that could not do its work, and (not for a shard) request.json for the publisher."""
    extra = {"request_id": request.request_id, "target": request.target, "shard": str(shard or "")}
    failed = FailedRun(error, config, kind or "docker", run_id=run_id(request), repo=str(repo), extra=extra)
    report_failure(failed, where, progress)
    if shard is None:
        write_run_files(where, request, None, None)


def _shard(text: str) -> Shard:
    try:
        return Shard.parse(text)
    except UsageError as e:
        raise argparse.ArgumentTypeError(str(e).removeprefix("--shard: ")) from None


def _sandbox_kind(value: str | None) -> SandboxKind | None:
    if value in (None, ""):
        return None
    if value == "docker":
        return "docker"
    if value == "local":
        return "local"
    raise UsageError(f"PERFBOT_SANDBOX: expected docker or local, got {value!r}")


def _publisher(env: dict[str, str]) -> Publisher | None:
    if not env.get("PERFBOT_GITLAB_TOKEN"):
        return None
    return publisher_from_env(env)


def _max_mrs(given: int | None, env: dict[str, str]) -> int:
    raw = given if given is not None else env.get("PERFBOT_MAX_MRS", "2")
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise UsageError(f"--max-mrs / PERFBOT_MAX_MRS: expected a whole number >= 1, got {raw!r}")
    return value


def _require_project(request: Request) -> int:
    if request.project_id is None:
        raise UsageError("publishing needs the project: set CI_PROJECT_ID (GitLab sets it in every job)")
    return request.project_id


def _head(repo: Path) -> str | None:
    result = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=False)
    return result.stdout.strip() if result.returncode == 0 else None
