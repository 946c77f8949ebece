"""The publisher of `perfbot publish` and `perfbot ci`, set up from the environment.

GitLab from `PERFBOT_GITLAB_URL`, else `CI_SERVER_URL`; token from `PERFBOT_GITLAB_TOKEN`; merge request labels
from `PERFBOT_MR_LABELS` (comma-separated, default perfbot,performance); assignees and reviewers from
`PERFBOT_MR_ASSIGNEES` and `PERFBOT_MR_REVIEWERS` (usernames, `requester` for whoever asked; the default).
"""

from __future__ import annotations

from collections.abc import Mapping

from bot import logs
from bot.publish.people import REQUESTER, People
from bot.publish.publisher import Publisher
from pipelines.errors import UsageError


def publisher_from_env(env: Mapping[str, str]) -> Publisher:
    """The publisher; from here on, log lines are JSON on stderr (stdout carries the command's result) with the
    token redacted."""
    url, token = gitlab_credentials(env)
    logs.configure_stderr([token])
    people = People(env.get("PERFBOT_MR_ASSIGNEES", REQUESTER), env.get("PERFBOT_MR_REVIEWERS", REQUESTER))
    return Publisher(url, token, labels=labels(env), people=people)


def gitlab_credentials(env: Mapping[str, str]) -> tuple[str, str]:
    """(GitLab URL, token) from the environment; a `UsageError` names what is missing."""
    url = env.get("PERFBOT_GITLAB_URL") or env.get("CI_SERVER_URL")
    token = env.get("PERFBOT_GITLAB_TOKEN")
    if not url:
        raise UsageError("no GitLab URL: set PERFBOT_GITLAB_URL (in CI, CI_SERVER_URL is used)")
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"PERFBOT_GITLAB_URL must start with http:// or https://, got {url!r}")
    if not token:
        raise UsageError("no token: set PERFBOT_GITLAB_TOKEN to a token with the api scope (a masked CI variable)")
    return url.rstrip("/"), token


def labels(env: Mapping[str, str]) -> tuple[str, ...]:
    raw = env.get("PERFBOT_MR_LABELS", "perfbot,performance")
    return tuple(label.strip() for label in raw.split(",") if label.strip())
