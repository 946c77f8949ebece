"""`perfbot serve`: the GitLab webhook server, in two processes.

The acceptor (this process) verifies, parses and records each delivery and answers at once; the worker (a child
process) starts pipelines, replies and publishes. They share the SQLite store, and the acceptor hands each recorded
job over a pipe. So the worker's GitLab calls never hold the acceptor's GIL, and an acknowledgement does not wait
behind them. If the worker dies, `/healthz` answers 503 (restart the server: the store keeps every open job).

Settings come from `PERFBOT_*` environment variables, optionally from a YAML file (`--config`); a missing or
invalid setting, a damaged database, or a token GitLab refuses, stops the server at start with a message naming it
(exit 2); a token
without the `api` scope or about to expire is logged (`gitlab.token_check`) and the server starts.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import multiprocessing
import os
from multiprocessing.connection import Connection
from pathlib import Path

from aiohttp import web

from bot import logs
from bot.checks import token_check
from bot.forge import ForgeError, SettingsError
from bot.gitlab import GitLabForge
from bot.publish.publisher import make_publisher
from bot.retry import Retry
from bot.server.app import favour_the_event_loop, make_acceptor, start_worker
from bot.server.settings import Settings, load_settings
from bot.server.store import Store, open_database


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, help="YAML file with settings (environment variables win)")
    parser.epilog = (
        "Environment: PERFBOT_GITLAB_URL, PERFBOT_GITLAB_TOKEN, PERFBOT_WEBHOOK_SECRET (required); "
        "PERFBOT_LISTEN (0.0.0.0:8080), PERFBOT_DB (./perfbot.db), PERFBOT_LABEL (perfbot), PERFBOT_REF, "
        "PERFBOT_MAX_RUNS_PER_PROJECT (2), PERFBOT_TRUSTED_BRANCHES (protected), PERFBOT_MR_ASSIGNEES and "
        "PERFBOT_MR_REVIEWERS (requester), PERFBOT_MR_LABELS, PERFBOT_WEBHOOK_SIGNING_TOKEN. See docs/bot.md."
    )


def run(args: argparse.Namespace) -> int:
    settings = load_settings(os.environ, args.config)
    logs.configure(settings.secrets())
    open_database(settings.db).close()  # a damaged database stops the server here, with a message naming it
    forge = GitLabForge(settings.gitlab_url, settings.gitlab_token.get_secret_value())
    try:
        forge.current_user()
    except ForgeError as e:
        raise SettingsError(f"GitLab at {settings.gitlab_url} refused the bot's token or did not answer: {e}") from e
    check = token_check(forge, datetime.date.today())
    if not check.ok:
        logs.get_logger().warning("gitlab.token_check", detail=check.detail)
    spawn = multiprocessing.get_context("spawn")
    jobs, worker_end = spawn.Pipe()
    worker = spawn.Process(target=work, args=(settings, worker_end), name="perfbot-worker", daemon=True)
    worker.start()
    worker_end.close()
    app = make_acceptor(settings, forge, jobs.send, worker.is_alive)
    favour_the_event_loop()
    try:
        # Stop reading what is left of a refused or timed-out upload after 2 s (aiohttp's default lingers 10 s).
        handler = {"lingering_time": 2.0}
        web.run_app(app, host=settings.host, port=settings.port, print=None, access_log=None, handler_args=handler)
    finally:
        jobs.close()  # the worker sees the pipe close and stops; its open jobs resume at the next start
        worker.join(30)
        if worker.is_alive():
            worker.terminate()
    return 0


def work(settings: Settings, jobs: Connection) -> None:
    """The worker process: act on the jobs the acceptor records, until the acceptor goes away."""
    logs.configure(settings.secrets())
    asyncio.run(_work(settings, jobs))


async def _work(settings: Settings, jobs: Connection) -> None:
    forge = GitLabForge(settings.gitlab_url, settings.gitlab_token.get_secret_value())
    store, retry = Store(settings.db), Retry()
    await store.open()
    me = await retry.read_async(forge.current_user)
    worker = await start_worker(settings, store, forge, make_publisher(settings), retry, me)
    gone = asyncio.Event()
    loop = asyncio.get_running_loop()

    def received() -> None:
        try:
            worker.submit(jobs.recv())
        except (EOFError, OSError):
            loop.remove_reader(jobs.fileno())
            gone.set()

    loop.add_reader(jobs.fileno(), received)
    await gone.wait()
    await worker.stop()
    await store.close()
