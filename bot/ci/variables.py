"""What a CI job was asked to do, read from its environment.

The bot starts the pipeline with `PERFBOT_*` variables (bot/server/handlers.py, bot/server/grammar.py):
`PERFBOT_REQUEST`, `PERFBOT_TARGET` (`PATH[::SYMBOL]`), `PERFBOT_AGENTS`, `PERFBOT_STEPS`, `PERFBOT_ROUNDS`,
`PERFBOT_MODEL`, `PERFBOT_MAX_COST_USD`, where to reply: `PERFBOT_PROJECT_ID`, `PERFBOT_MR_IID` or
`PERFBOT_ISSUE_IID`, `PERFBOT_NOTE_ID`, `PERFBOT_REQUESTER`, and for a merge request's code checked out by the
default branch's CI config, `PERFBOT_CHECKOUT` and `PERFBOT_TARGET_BRANCH` (the branch the result goes to);
`PERFBOT_SUPERSEDES` names the perfbot MR a retry replaces. `PERFBOT_RUN=scheduled` asks for scheduled mode.
GitLab adds the predefined `CI_*` variables (commit, branch, job, runner). A bad value is a `UsageError` naming
the variable.
"""

from __future__ import annotations

import argparse
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pipelines.commands.doctor import key_check
from pipelines.config import Config, TargetConfig
from pipelines.errors import UsageError
from pipelines.runfiles import Origin, Request

_TARGET = re.compile(r"^(?!/)(?!.*\.\.)[\w./-]+\.py(::[A-Za-z_]\w*(\.[A-Za-z_]\w*)*)?$")
_INTS = {"PERFBOT_AGENTS": "agents", "PERFBOT_STEPS": "steps", "PERFBOT_ROUNDS": "rounds"}


@dataclass(frozen=True)
class CiJob:
    request: Request
    overrides: argparse.Namespace
    """model, agents, steps, rounds, max_cost: what `pipelines.commands.optimize.with_overrides` applies
    (None: unset)."""
    scheduled: bool
    """`PERFBOT_RUN=scheduled` with no request and no target: profile, then optimize the hottest functions."""


def read_job(
    env: Mapping[str, str], repo: Path, out: Path, *, base_sha: str | None, checked_out: bool = False
) -> CiJob:
    """The job's request; `base_sha` is the commit checked out, which wins over `CI_COMMIT_SHA` when the job
    checked a merge request's code out itself (`checked_out`)."""
    target = env.get("PERFBOT_TARGET") or None
    if target is not None and not _TARGET.match(target):
        raise UsageError(f"PERFBOT_TARGET: expected PATH[::SYMBOL] (a relative .py path), got {target!r}")
    requested = bool(env.get("PERFBOT_REQUEST"))
    request = Request(
        request_id=env.get("PERFBOT_REQUEST") or f"p{env.get('CI_PIPELINE_ID') or 'local'}",
        project_id=_int(env, "PERFBOT_PROJECT_ID") or _int(env, "CI_PROJECT_ID"),
        base_sha=base_sha if checked_out else env.get("CI_COMMIT_SHA") or base_sha,
        target_branch=env.get("PERFBOT_TARGET_BRANCH") or env.get("CI_COMMIT_BRANCH") or env.get("CI_COMMIT_REF_NAME"),
        target=target,
        origin=_origin(env),
        pipeline_url=env.get("CI_PIPELINE_URL"),
        report_url=report_url(env, repo, out),
        runner=runner(env),
        supersedes=_int(env, "PERFBOT_SUPERSEDES"),
    )
    overrides = argparse.Namespace(
        model=env.get("PERFBOT_MODEL") or None,
        max_cost=_float(env, "PERFBOT_MAX_COST_USD"),
        **{field: _int(env, name) for name, field in _INTS.items()},
    )
    scheduled = env.get("PERFBOT_RUN") == "scheduled" and not requested and target is None
    return CiJob(request, overrides, scheduled)


def narrowed(config: Config, repo: Path, target: str | None) -> Config:
    """The config with `target.files` narrowed to the requested file (which must exist in the repo)."""
    if target is None:
        return config
    path = target.split("::", 1)[0]
    if not (repo / path).is_file():
        raise UsageError(f"PERFBOT_TARGET: {path} is not a file in {repo}")
    return config.model_copy(update={"target": TargetConfig(files=[path])})


def report_url(env: Mapping[str, str], repo: Path, out: Path) -> str | None:
    """The job's browsable `report.html` artifact, when this runs in a GitLab job and `out` is in the project."""
    project_url, job = env.get("CI_PROJECT_URL"), env.get("CI_JOB_ID")
    try:
        rel = out.resolve().relative_to(Path(env.get("CI_PROJECT_DIR") or repo).resolve())
    except ValueError:
        return None
    if not project_url or not job:
        return None
    return f"{project_url}/-/jobs/{job}/artifacts/file/{rel.as_posix()}/report.html"


def runner(env: Mapping[str, str]) -> str | None:
    """The runner the job ran on, as the MR names it: its description, and its tags when it has any."""
    description = env.get("CI_RUNNER_DESCRIPTION") or (
        f"runner {env['CI_RUNNER_ID']}" if env.get("CI_RUNNER_ID") else None
    )
    if description is None:
        return None
    tags = re.findall(r'"([^"]+)"', env.get("CI_RUNNER_TAGS", ""))
    return f"{description} ({', '.join(tags)})" if tags else description


def _origin(env: Mapping[str, str]) -> Origin:
    mr, issue = _int(env, "PERFBOT_MR_IID"), _int(env, "PERFBOT_ISSUE_IID")
    kind: Literal["merge_request", "issue"] | None = "merge_request" if mr else "issue" if issue else None
    return Origin(kind, mr or issue, _int(env, "PERFBOT_NOTE_ID"), env.get("PERFBOT_REQUESTER") or None)


def _int(env: Mapping[str, str], name: str) -> Any:
    value = env.get(name)
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise UsageError(f"{name}: expected a whole number >= 1, got {value!r}")
    return int(value)


def _float(env: Mapping[str, str], name: str) -> float | None:
    value = env.get(name)
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise UsageError(f"{name}: expected a number, got {value!r}") from None


# The model's API key must be in the job before any work starts: a job without it fails at once, and its report
# (and the bot's reply) says which CI/CD variable to add, and why a protected one may not have reached the job.

KEY_VARIABLES = {"anthropic": "ANTHROPIC_API_KEY", "openai": "OPENAI_API_KEY (or OPENAI_BASE_URL)"}


def require_model_key(model: str, env: Mapping[str, str]) -> None:
    if key_check(model).ok:
        return
    variable = KEY_VARIABLES.get(model.partition(":")[0], "the model's API key")
    ref = env.get("CI_COMMIT_REF_NAME") or "this ref"
    hint = (
        f" If it is marked Protected, GitLab passes it only to pipelines of protected branches and tags, and `{ref}` "
        "is not protected: protect the branch, or clear Protected on the variable."
        if env.get("CI_COMMIT_REF_PROTECTED") == "false"
        else ""
    )
    raise UsageError(
        f"{variable} is not set in this job (model {model}): add it under Settings → CI/CD → Variables, "
        f"with Masked (and Hidden) set.{hint}"
    )


# The code a CI job optimizes, when it is not the pipeline's own commit.
#
# A merge request from a branch the bot does not trust runs the default branch's CI configuration (the requester
# cannot change what the job does) with `PERFBOT_CHECKOUT=refs/merge-requests/IID/head`: the job fetches that ref,
# which GitLab keeps for every merge request, and checks its commit out before reading `.perfbot.yml`. The code it
# checks out only ever runs inside the sandbox.

MR_HEAD = re.compile(r"refs/merge-requests/[0-9]+/head")


def checkout(repo: Path, ref: str) -> str:
    """Fetch `ref` from the checkout's `origin` and check its commit out (detached); returns the commit id."""
    if not MR_HEAD.fullmatch(ref):
        raise UsageError(f"PERFBOT_CHECKOUT: expected refs/merge-requests/IID/head, got {ref!r}")
    _git(repo, "fetch", "--quiet", "--depth", "1", "origin", ref)
    _git(repo, "checkout", "--quiet", "--detach", "FETCH_HEAD")
    return _git(repo, "rev-parse", "HEAD")


def _git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise UsageError(f"PERFBOT_CHECKOUT: `git {' '.join(args)}` failed: {result.stderr.strip()[-500:]}")
    return result.stdout.strip()
