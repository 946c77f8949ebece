"""`perfbot publish ARTIFACTS_DIR [--project ID]`: open the merge request for a finished run (or reply that
nothing was found). Safe to run again: an MR or reply that already exists is found, not duplicated.

GitLab from `PERFBOT_GITLAB_URL`, else `CI_SERVER_URL`; token from `PERFBOT_GITLAB_TOKEN`; project from
`--project`, else the run's request.json, else `CI_PROJECT_ID`.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from bot.forge import ForgeError, PublishError
from bot.publish.publisher import publisher_from_env
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
    publisher = publisher_from_env(os.environ)
    run_ = load_run(args.artifacts)
    project = args.project or run_.request.project_id or os.environ.get("CI_PROJECT_ID")
    if not project:
        raise UsageError("no project: pass --project ID (or set CI_PROJECT_ID)")
    try:
        outcome = publisher.publish(run_, project_id=_project_id(project))
    except ForgeError as e:
        raise PublishError(f"publishing failed (run it again to finish; nothing is duplicated): {e}") from e
    if outcome.kind == "merge_request":
        print(f"{'opened' if outcome.created else 'already open'}: {outcome.url}")
    else:
        print("no candidate was selected: " + ("replied to the request" if outcome.note_id else "nothing to publish"))
    return 0


def _project_id(value: int | str) -> int:
    try:
        return int(value)
    except ValueError:
        raise UsageError(f"--project: expected a numeric project id, got {value!r}") from None
