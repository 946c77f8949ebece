"""The aiohttp application: `POST /webhook` and `GET /healthz`.

The webhook handler only verifies, parses (no I/O), records and enqueues; it answers 202 as soon as the
delivery is in SQLite. 401: wrong or missing token/signature. 400: a body that is not JSON or lacks a field
the bot needs. 200: an event the bot does not act on. 202: accepted (or a repeat of an accepted delivery).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web

from bot.errors import PayloadError
from bot.forge import Forge
from bot.logs import bind_delivery, get_logger
from bot.retry import Retry
from bot.server.events import Ignored, parse_event
from bot.server.handlers import Context, Handlers
from bot.server.handoff import Publisher
from bot.server.settings import Settings
from bot.server.store import Store
from bot.server.worker import Worker

MAX_BODY = 25 * 1024 * 1024  # GitLab.com's webhook payload limit
SIGNATURE_TOLERANCE_S = 300
log = get_logger()


@dataclass
class ServerState:
    settings: Settings
    store: Store
    bot_username: str | None = None
    worker: Worker | None = None


STATE = web.AppKey("perfbot", ServerState)


def make_app(
    settings: Settings,
    forge: Forge,
    publisher: Publisher,
    *,
    retry: Retry | None = None,
    worker_tasks: int = 4,
    retry_after: float = 60.0,
    poll_after: float = 60.0,
) -> web.Application:
    """The server; the store opens, the bot's identity is read and the worker starts when the app starts."""
    app = web.Application(client_max_size=MAX_BODY)
    store = Store(settings.db)
    state = app[STATE] = ServerState(settings, store)

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        await store.open()
        the_retry = retry or Retry()
        me = await the_retry.read_async(forge.current_user)
        state.bot_username = me.username
        worker = Worker(store, lambda job: handlers.handle(job), tasks=worker_tasks, retry_after=retry_after)
        handlers = Handlers(
            Context(
                forge=forge,
                retry=the_retry,
                store=store,
                publisher=publisher,
                me=me,
                ref=settings.ref,
                max_runs=settings.max_runs_per_project,
                wake_project=worker.wake_project,
                poll_after=poll_after,
            )
        )
        state.worker = worker
        await worker.start()
        log.info("server.started", bot=me.username, listen=settings.listen)
        yield
        await worker.stop()
        await store.close()

    app.cleanup_ctx.append(lifecycle)
    app.router.add_post("/webhook", webhook)
    app.router.add_get("/healthz", healthz)
    return app


def favour_the_event_loop(interval_s: float = 0.0005) -> None:
    """Shorten the GIL switch interval (default 5 ms) for this process.

    The worker's python-gitlab calls run in threads. With the default interval a busy worker thread holds the
    GIL for up to 5 ms each time the event loop thread gives it up, which shows up directly in acknowledgement
    latency; at 0.5 ms the loop gets it back sooner (bench/webhook_latency.py: p99 roughly halved under load).
    """
    sys.setswitchinterval(interval_s)


async def healthz(request: web.Request) -> web.Response:
    ready = request.app[STATE].worker is not None
    return web.json_response({"status": "ok" if ready else "starting"}, status=200 if ready else 503)


async def webhook(request: web.Request) -> web.Response:
    started = time.perf_counter()
    state = request.app[STATE]
    settings = state.settings
    body = await request.read()
    delivery = _delivery_key(request, body)
    bind_delivery(delivery)
    problem = _authentication_problem(request, body, settings)
    if problem:
        log.warning("webhook.unauthorized", reason=problem)
        return web.json_response({"error": problem}, status=401)
    event_name = request.headers.get("X-Gitlab-Event", "")
    try:
        event = parse_event(event_name, body, label=settings.label, bot_username=state.bot_username)
    except PayloadError as e:
        log.warning("webhook.rejected", gitlab_event=event_name, error=str(e))
        return web.json_response({"error": str(e)}, status=400)
    if isinstance(event, Ignored):
        log.info("webhook.ignored", gitlab_event=event_name, reason=event.reason)
        return web.json_response({"status": "ignored", "reason": event.reason}, status=200)
    recorded = await state.store.record(delivery, event_name, event)
    if recorded.job_id is not None and state.worker is not None:
        state.worker.submit(recorded.job_id)
    status = "duplicate" if recorded.duplicate_delivery or recorded.duplicate_job else "accepted"
    elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    log.info("webhook.received", gitlab_event=event_name, status=status, job=recorded.job_id, ms=elapsed_ms)
    return web.json_response({"status": status}, status=202)


def _authentication_problem(request: web.Request, body: bytes, settings: Settings) -> str | None:
    token = request.headers.get("X-Gitlab-Token")
    if token is None:
        return "missing X-Gitlab-Token"
    if not hmac.compare_digest(token.encode(), settings.webhook_secret.get_secret_value().encode()):
        return "wrong X-Gitlab-Token"
    if settings.signing_token is not None:
        return _signature_problem(request, body, settings.signing_token.get_secret_value())
    return None


def _signature_problem(request: web.Request, body: bytes, signing_token: str) -> str | None:
    """Standard Webhooks: HMAC-SHA256 over `id.timestamp.body`, keyed with the base64 part of `whsec_…`."""
    wid, stamp, header = (request.headers.get(h) for h in ("webhook-id", "webhook-timestamp", "webhook-signature"))
    if not (wid and stamp and header):
        return "missing webhook-signature headers"
    if not stamp.isdigit() or abs(time.time() - int(stamp)) > SIGNATURE_TOLERANCE_S:
        return "webhook-timestamp too old or invalid"
    try:
        key = base64.b64decode(signing_token.removeprefix("whsec_"))
    except ValueError:
        key = signing_token.encode()
    digest = hmac.new(key, f"{wid}.{stamp}.".encode() + body, hashlib.sha256).digest()
    expected = base64.b64encode(digest).decode()
    offered = [part.split(",", 1)[1] for part in header.split() if part.startswith("v1,")]
    if any(hmac.compare_digest(expected, candidate) for candidate in offered):
        return None
    return "wrong webhook-signature"


def _delivery_key(request: web.Request, body: bytes) -> str:
    for header in ("Idempotency-Key", "X-Gitlab-Event-UUID"):
        value = request.headers.get(header)
        if value:
            return value[:200]
    return "sha256:" + hashlib.sha256(body).hexdigest()
