"""`perfbot publish ARTIFACTS_DIR [--project ID]`: open the merge request for a finished run (or reply that
nothing was found). Safe to run again: an MR or reply that already exists is found, not duplicated.

GitLab from `PERFBOT_GITLAB_URL`, else `CI_SERVER_URL`; token from `PERFBOT_GITLAB_TOKEN`; project from
`--project`, else the run's request.json, else `CI_PROJECT_ID`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO, cast

from bot import logs
from bot.errors import ForgeError, PublishError
from bot.publish.publisher import Publisher
from pipelines.errors import UsageError
from pipelines.runfiles import load_run


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("artifacts", type=Path, metavar="ARTIFACTS_DIR", help="the run's artifacts (report.json, …)")
    parser.add_argument("--project", help="numeric project id (default: from request.json, else $CI_PROJECT_ID)")
    parser.epilog = (
        "Environment: PERFBOT_GITLAB_TOKEN (required), PERFBOT_GITLAB_URL or CI_SERVER_URL, "
        "PERFBOT_MR_LABELS (comma-separated, default perfbot,performance)."
    )


def run(args: argparse.Namespace) -> int:
    url, token = gitlab_credentials(os.environ)
    configure_logs(token)
    run_ = load_run(args.artifacts)
    project = args.project or run_.request.project_id or os.environ.get("CI_PROJECT_ID")
    if not project:
        raise UsageError("no project: pass --project ID (or set CI_PROJECT_ID)")
    publisher = Publisher(url, token, labels=labels(os.environ))
    try:
        outcome = publisher.publish(run_, project_id=_project_id(project))
    except ForgeError as e:
        raise PublishError(f"publishing failed (run it again to finish; nothing is duplicated): {e}") from e
    if outcome.kind == "merge_request":
        print(f"{'opened' if outcome.created else 'already open'}: {outcome.url}")
    else:
        print("no candidate was selected: " + ("replied to the request" if outcome.note_id else "nothing to publish"))
    return 0


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


def configure_logs(token: str) -> None:
    """JSON log lines on stderr (stdout carries the command's result), the token redacted."""
    logs.configure([token], stream=cast(TextIO, _Stderr()))


class _Stderr:
    """Whatever `sys.stderr` is when a line is written (it may be replaced after logging was configured)."""

    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def labels(env: Mapping[str, str]) -> tuple[str, ...]:
    raw = env.get("PERFBOT_MR_LABELS", "perfbot,performance")
    return tuple(label.strip() for label in raw.split(",") if label.strip())


def _project_id(value: int | str) -> int:
    try:
        return int(value)
    except ValueError:
        raise UsageError(f"--project: expected a numeric project id, got {value!r}") from None
