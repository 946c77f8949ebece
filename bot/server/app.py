"""The aiohttp application: `POST /webhook` and `GET /healthz`.

The webhook handler only verifies, parses (no I/O), records and enqueues; it answers 202 as soon as the delivery
is in SQLite. The secret token is checked from the headers before the body is read; bodies are read a few at a
time (those over 1 MiB one at a time) and within a deadline. Answers (GitLab counts every 4xx and 5xx towards
disabling the webhook, so a 4xx means a misconfigured hook or a body GitLab would never send):

    200  an event perfbot does not act on (with the reason): most deliveries
    202  accepted, or a repeat of an accepted delivery
    401  wrong or missing token / signature
    400  a body that is not a JSON object, or lacks a field of an event perfbot acts on; a header that is not text
    408  the body did not arrive in time          413  the body is larger than GitLab's 25 MiB payload limit

No input gets a 5xx: `tests/bot/server/test_webhook_fuzz.py` sends thousands of mutated deliveries to check it.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import sys
import time
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field

from aiohttp import web

from bot.forge import Forge, PayloadError, User
from bot.logs import bind_delivery, get_logger
from bot.retry import Retry
from bot.server.context import Context
from bot.server.events import Event, Ignored, parse_event
from bot.server.handlers import Handlers
from bot.server.handoff import Publisher
from bot.server.settings import Settings
from bot.server.store import Store
from bot.server.worker import Worker

MAX_BODY = 25 * 1024 * 1024  # GitLab.com's webhook payload limit
MAX_CONCURRENT_READS = 4
LARGE_BODY = 1024 * 1024
"""A body above this (or of unknown length) is read one at a time: GitLab's deliveries are a few KiB, so only a
rare huge push event waits, and the server holds one large body at a time however many arrive."""
READ_TIMEOUT_S = 10.0
PARSE_INLINE_BYTES = 256 * 1024
log = get_logger()


@dataclass
class ServerState:
    settings: Settings
    store: Store
    bot_username: str | None = None
    worker: Worker | None = None
    """The worker, when it runs in this process (`make_app`)."""
    submit: Callable[[int], None] | None = None
    """Hands a recorded job to the worker; set once the server is ready."""
    alive: Callable[[], bool] = lambda: True
    """Whether the worker is still there (`perfbot serve` runs it in a process of its own)."""
    read_timeout: float = READ_TIMEOUT_S
    reads: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(MAX_CONCURRENT_READS))
    large_reads: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(1))


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
    read_timeout: float = READ_TIMEOUT_S,
) -> web.Application:
    """The server with its worker in this process; the store opens, the bot's identity is read and the worker
    starts when the app starts."""
    app, state = _application(settings, read_timeout)

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        the_retry = retry or Retry()
        me = await _open(state, forge, the_retry)
        worker = await start_worker(
            settings,
            state.store,
            forge,
            publisher,
            the_retry,
            me,
            tasks=worker_tasks,
            retry_after=retry_after,
            poll_after=poll_after,
        )
        state.worker, state.submit = worker, worker.submit
        log.info("server.started", bot=me.username, listen=settings.listen)
        yield
        await worker.stop()
        await state.store.close()

    app.cleanup_ctx.append(lifecycle)
    return app


def make_acceptor(
    settings: Settings,
    forge: Forge,
    submit: Callable[[int], None],
    alive: Callable[[], bool],
    *,
    read_timeout: float = READ_TIMEOUT_S,
) -> web.Application:
    """The webhook side alone, as `perfbot serve` runs it: each recorded job goes to `submit` (the worker process),
    so acknowledging a delivery never waits behind the worker's GitLab calls; `/healthz` fails once `alive` does."""
    app, state = _application(settings, read_timeout)

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        me = await _open(state, forge, Retry())
        state.submit, state.alive = submit, alive
        log.info("server.started", bot=me.username, listen=settings.listen)
        yield
        await state.store.close()

    app.cleanup_ctx.append(lifecycle)
    return app


async def start_worker(
    settings: Settings,
    store: Store,
    forge: Forge,
    publisher: Publisher,
    retry: Retry,
    me: User,
    *,
    tasks: int = 4,
    retry_after: float = 60.0,
    poll_after: float = 60.0,
) -> Worker:
    """The worker with its handlers, started; it resumes the jobs the store still has open."""
    worker = Worker(store, lambda job: handlers.handle(job), tasks=tasks, retry_after=retry_after)
    context = Context(
        forge=forge,
        retry=retry,
        store=store,
        publisher=publisher,
        me=me,
        ref=settings.ref,
        max_runs=settings.max_runs_per_project,
        wake_project=worker.wake_project,
        poll_after=poll_after,
        trusted_branches=settings.trusted_branches,
    )
    handlers = Handlers(context)
    await worker.start()
    return worker


def _application(settings: Settings, read_timeout: float) -> tuple[web.Application, ServerState]:
    app = web.Application(client_max_size=MAX_BODY)
    state = app[STATE] = ServerState(settings, Store(settings.db), read_timeout=read_timeout)
    app.router.add_post("/webhook", webhook)
    app.router.add_get("/healthz", healthz)
    return app, state


async def _open(state: ServerState, forge: Forge, retry: Retry) -> User:
    await state.store.open()
    me = await retry.read_async(forge.current_user)
    state.bot_username = me.username
    return me


def favour_the_event_loop(interval_s: float = 0.0005) -> None:
    """Shorten the GIL switch interval (default 5 ms) for this process.

    The worker's python-gitlab calls run in threads. With the default interval a busy worker thread holds the
    GIL for up to 5 ms each time the event loop thread gives it up, which shows up directly in acknowledgement
    latency; at 0.5 ms the loop gets it back sooner (bench/webhook_latency.py: p99 roughly halved under load).
    """
    sys.setswitchinterval(interval_s)


async def healthz(request: web.Request) -> web.Response:
    state = request.app[STATE]
    if state.submit is None:
        return web.json_response({"status": "starting"}, status=503)
    if not state.alive():
        return web.json_response({"status": "the worker has stopped"}, status=503)
    return web.json_response({"status": "ok"}, status=200)


async def webhook(request: web.Request) -> web.Response:
    started = time.perf_counter()
    state = request.app[STATE]
    settings = state.settings
    offered = request.headers.get("Idempotency-Key") or request.headers.get("X-Gitlab-Event-UUID")
    bind_delivery(offered[:200] if offered and offered.isprintable() else "-")
    problem = token_problem(request.headers.get("X-Gitlab-Token"), settings.webhook_secret.get_secret_value())
    if problem:
        log.warning("webhook.unauthorized", reason=problem)
        return web.json_response({"error": problem}, status=401)
    try:
        event_name = _text_header(request, "X-Gitlab-Event") or ""
        key = _text_header(request, "Idempotency-Key") or _text_header(request, "X-Gitlab-Event-UUID")
        body = await _read_body(request, state)
        delivery = key[:200] if key else "sha256:" + hashlib.sha256(body).hexdigest()
        if not key:
            bind_delivery(delivery)
        if settings.signing_token is not None:
            problem = signature_problem(request.headers, body, settings.signing_token.get_secret_value())
            if problem:
                log.warning("webhook.unauthorized", reason=problem)
                return web.json_response({"error": problem}, status=401)
        event = await _parse(event_name, body, settings.label, state.bot_username)
    except PayloadError as e:
        log.warning("webhook.rejected", gitlab_event=request.headers.get("X-Gitlab-Event", "")[:100], error=str(e))
        return web.json_response({"error": str(e)}, status=e.status)
    if isinstance(event, Ignored):
        log.info("webhook.ignored", gitlab_event=event_name, reason=event.reason)
        return web.json_response({"status": "ignored", "reason": event.reason}, status=200)
    recorded = await state.store.record(delivery, event_name[:100], event)
    if recorded.job_id is not None and state.submit is not None:
        state.submit(recorded.job_id)
    status = "duplicate" if recorded.duplicate_delivery or recorded.duplicate_job else "accepted"
    elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    log.info("webhook.received", gitlab_event=event_name, status=status, job=recorded.job_id, ms=elapsed_ms)
    return web.json_response({"status": status}, status=202)


def _text_header(request: web.Request, name: str) -> str | None:
    """A header GitLab sends as plain text; bytes that are not UTF-8 (which GitLab never sends) are refused."""
    value = request.headers.get(name)
    if value is not None and not value.isprintable():
        raise PayloadError(f"the {name} header is not printable UTF-8 text")
    return value


async def _read_body(request: web.Request, state: ServerState) -> bytes:
    """The body, read a few at a time (large ones one at a time) and within `state.read_timeout` seconds (GitLab
    itself gives up after 10 s): a stalled or oversized upload is answered with a 4xx instead of holding memory."""
    length = request.content_length
    if length is not None and length > MAX_BODY:
        raise PayloadError(f"the body is larger than {MAX_BODY} bytes, GitLab's webhook payload limit", 413)
    slots = state.large_reads if length is None or length > LARGE_BODY else state.reads
    try:
        async with asyncio.timeout(state.read_timeout), slots:
            return await request.read()
    except TimeoutError:
        raise PayloadError(f"the body did not arrive within {state.read_timeout:g} s", 408) from None
    except web.HTTPRequestEntityTooLarge:
        raise PayloadError(f"the body is larger than {MAX_BODY} bytes, GitLab's webhook payload limit", 413) from None


async def _parse(event_name: str, body: bytes, label: str, bot_username: str | None) -> Event:
    """`parse_event`, off the event loop for a body large enough to hold it up."""
    if len(body) < PARSE_INLINE_BYTES:
        return parse_event(event_name, body, label=label, bot_username=bot_username)
    return await asyncio.to_thread(parse_event, event_name, body, label=label, bot_username=bot_username)


# Who may deliver: the webhook's secret token, and (when configured) a Standard Webhooks signature.
#
# The token is checked from the headers alone, before a byte of the body is read, so a sender without it costs
# the server no memory. Both checks compare in constant time and take header values as the raw bytes GitLab
# sent (aiohttp hands undecodable bytes over as surrogate escapes; they are compared, never decoded).

SIGNATURE_TOLERANCE_S = 300


def token_problem(offered: str | None, secret: str) -> str | None:
    """Why `offered` (the X-Gitlab-Token header) is not the secret, or None when it is."""
    if offered is None:
        return "missing X-Gitlab-Token"
    if not hmac.compare_digest(_raw(offered), secret.encode()):
        return "wrong X-Gitlab-Token"
    return None


def signature_problem(headers: Mapping[str, str], body: bytes, signing_token: str) -> str | None:
    """Standard Webhooks: HMAC-SHA256 over `id.timestamp.body`, keyed with the base64 part of `whsec_…`."""
    wid, stamp, header = (headers.get(h) for h in ("webhook-id", "webhook-timestamp", "webhook-signature"))
    if not (wid and stamp and header):
        return "missing webhook-signature headers"
    if not stamp.isascii() or not stamp.isdigit() or abs(time.time() - int(stamp)) > SIGNATURE_TOLERANCE_S:
        return "webhook-timestamp too old or invalid"
    try:
        key = base64.b64decode(signing_token.removeprefix("whsec_"))
    except ValueError:
        key = signing_token.encode()
    digest = hmac.new(key, _raw(wid) + b"." + stamp.encode() + b"." + body, hashlib.sha256).digest()
    expected = base64.b64encode(digest)
    offered = [_raw(part)[3:] for part in header.split() if part.startswith("v1,")]
    if any(hmac.compare_digest(expected, candidate) for candidate in offered):
        return None
    return "wrong webhook-signature"


def _raw(value: str) -> bytes:
    return value.encode("utf-8", "surrogateescape")
