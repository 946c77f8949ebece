"""What a CI job settles before any work: the merge request's code it checks out when the default branch's CI config
runs it, the model's API key (missing: the job fails at once and says which variable, and why a protected one may
not have arrived), the branch the result goes to, the runner it names, and that only PERFBOT_RUN asks for
scheduled mode."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.ci.variables import checkout, read_job
from pipelines.errors import UsageError
from tests.bot.ci.conftest import BOT_TOKEN, CiRun, Lab, ci_env
from tests.conftest import git


def clone_with_merge_request(tmp_path: Path) -> tuple[Path, str]:
    """A clone of a repo whose `refs/merge-requests/3/head` (as GitLab keeps it) is one commit past `main`."""
    origin = tmp_path / "origin"
    origin.mkdir()
    git(origin, "init", "-q", "-b", "main")
    (origin / "stats.py").write_text("x = 1\n")
    git(origin, "add", "-A")
    git(origin, "commit", "-qm", "main")
    git(origin, "checkout", "-qb", "feature")
    (origin / "stats.py").write_text("x = 2\n")
    git(origin, "commit", "-qam", "feature")
    mr_head = git(origin, "rev-parse", "HEAD").strip()
    git(origin, "update-ref", "refs/merge-requests/3/head", mr_head)
    git(origin, "checkout", "-q", "main")
    git(origin, "branch", "-qD", "feature")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", str(clone))
    return clone, mr_head


def test_the_job_checks_the_merge_requests_head_out_and_measures_that_commit(tmp_path: Path) -> None:
    clone, mr_head = clone_with_merge_request(tmp_path)

    assert checkout(clone, "refs/merge-requests/3/head") == mr_head

    assert (clone / "stats.py").read_text() == "x = 2\n"
    env = {"CI_COMMIT_SHA": "f" * 40, "CI_COMMIT_BRANCH": "main", "PERFBOT_TARGET_BRANCH": "feature"}
    job = read_job(env, clone, clone / "out", base_sha=mr_head, checked_out=True)
    assert (job.request.base_sha, job.request.target_branch) == (mr_head, "feature")


@pytest.mark.parametrize("ref", ["refs/heads/main", "refs/merge-requests/3/head; rm -rf /", "main"])
def test_only_a_merge_request_head_can_be_checked_out(tmp_path: Path, ref: str) -> None:
    with pytest.raises(UsageError, match="PERFBOT_CHECKOUT: expected refs/merge-requests/IID/head"):
        checkout(tmp_path, ref)


def test_the_job_names_its_runner_and_the_mr_a_retry_replaces(tmp_path: Path) -> None:
    env = {
        "CI_RUNNER_DESCRIPTION": "blue-runner-3",
        "CI_RUNNER_TAGS": '["docker", "perfbot"]',
        "PERFBOT_SUPERSEDES": "17",
    }

    request = read_job(env, tmp_path, tmp_path / "out", base_sha=None).request

    assert (request.runner, request.supersedes) == ("blue-runner-3 (docker, perfbot)", 17)


@pytest.mark.parametrize(
    ("env", "scheduled"),
    [
        ({"CI_PIPELINE_SOURCE": "schedule"}, False),
        ({"CI_PIPELINE_SOURCE": "schedule", "PERFBOT_RUN": "scheduled"}, True),
        ({"CI_PIPELINE_SOURCE": "web", "PERFBOT_RUN": "scheduled"}, True),
        ({"PERFBOT_RUN": "scheduled", "PERFBOT_REQUEST": "r1"}, False),
    ],
)
def test_only_perfbot_run_scheduled_asks_for_scheduled_mode(
    tmp_path: Path, env: dict[str, str], scheduled: bool
) -> None:
    assert read_job(env, tmp_path, tmp_path / "out", base_sha=None).scheduled is scheduled


@pytest.mark.parametrize(("protected", "hint"), [("false", True), ("true", False)])
def test_a_job_without_the_models_api_key_fails_at_once_and_its_report_and_reply_say_which_variable(
    closest_pair: Callable[..., Path],
    lab: Callable[[Path], Lab],
    perfbot: Callable[..., CiRun],
    monkeypatch: pytest.MonkeyPatch,
    protected: str,
    hint: bool,
) -> None:
    repo = closest_pair(model="anthropic:claude-sonnet-4-6")
    gl = lab(repo)
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    env = ci_env(gl, CI_COMMIT_REF_PROTECTED=protected, PERFBOT_GITLAB_TOKEN=BOT_TOKEN, PERFBOT_GITLAB_URL=gl.fake.url)
    out = repo / ".perfbot" / "ci"

    run = perfbot(["ci", str(repo), "--sandbox", "local"], env, out)

    assert run.exit_code == 2
    error = json.loads((out / "report.json").read_text())["error"]["message"]
    assert "ANTHROPIC_API_KEY is not set in this job" in error and "Settings → CI/CD → Variables" in error
    assert ("marked Protected" in error) is hint
    [reply] = gl.bot_notes("merge_request", gl.mr["iid"])
    assert "ANTHROPIC\\_API\\_KEY is not set in this job" in reply["body"]  # shown as text: `_` escaped
