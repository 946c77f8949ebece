"""`perfbot serve`: the GitLab webhook server.

Settings come from `PERFBOT_*` environment variables, optionally from a YAML file (`--config`); a missing or
invalid setting, or a token GitLab refuses, stops the server at start with a message naming it (exit 2).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from aiohttp import web

from bot import logs
from bot.errors import ForgeError, SettingsError
from bot.gitlab import GitLabForge
from bot.publish.publisher import make_publisher
from bot.server.app import favour_the_event_loop, make_app
from bot.server.settings import load_settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="YAML file with settings (environment variables win)")
    parser.epilog = (
        "Environment: PERFBOT_GITLAB_URL, PERFBOT_GITLAB_TOKEN, PERFBOT_WEBHOOK_SECRET (required); "
        "PERFBOT_LISTEN (0.0.0.0:8080), PERFBOT_DB (./perfbot.db), PERFBOT_LABEL (perfbot), PERFBOT_REF, "
        "PERFBOT_MAX_RUNS_PER_PROJECT (2), PERFBOT_WEBHOOK_SIGNING_TOKEN. See docs/bot.md."
    )


def run(args: argparse.Namespace) -> int:
    settings = load_settings(os.environ, args.config)
    logs.configure(settings.secrets())
    forge = GitLabForge(settings.gitlab_url, settings.gitlab_token.get_secret_value())
    try:
        forge.current_user()
    except ForgeError as e:
        raise SettingsError(f"GitLab at {settings.gitlab_url} refused the bot's token or did not answer: {e}") from e
    app = make_app(settings, forge, make_publisher(settings))
    favour_the_event_loop()
    web.run_app(app, host=settings.host, port=settings.port, print=None, access_log=None)
    return 0
