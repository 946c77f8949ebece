"""`perfbot doctor`: what this machine lacks for a run (pipelines/commands/doctor.py), and with `--gitlab`, what the
bot's GitLab side lacks (bot/checks.py): URL, token, scope and expiry, and with `--project`, the bot's role, the
pipeline-variables setting and the webhook.

GitLab from `PERFBOT_GITLAB_URL` (else `CI_SERVER_URL`), token from `PERFBOT_GITLAB_TOKEN`, as `perfbot serve` and
`perfbot publish` read them.
"""

from __future__ import annotations

import argparse
import datetime
import os

from bot.checks import gitlab_checks
from bot.gitlab import GitLabForge
from bot.publish.publisher import gitlab_credentials
from pipelines.commands import doctor


def add_arguments(parser: argparse.ArgumentParser) -> None:
    doctor.add_arguments(parser)
    parser.add_argument("--gitlab", action="store_true", help="check the GitLab side instead: URL, token, webhook")
    parser.add_argument("--project", help="with --gitlab: also check this project (id or group/name)")


def run(args: argparse.Namespace) -> int:
    if not args.gitlab:
        return doctor.run(args)
    url, token = gitlab_credentials(os.environ)
    forge = GitLabForge(url, token, timeout=20)
    return doctor.report(gitlab_checks(forge, url, args.project, datetime.date.today()))
