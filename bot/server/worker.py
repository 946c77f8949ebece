"""The background worker: a few tasks that take job ids from a queue and run their handler.

On start it queues every job the store still has open, so deliveries received before a restart are finished
after it. A job whose GitLab calls kept failing transiently is queued again after `retry_after` seconds, and so
is one GitLab refused because it no longer accepts the bot's token (logged as `gitlab.token_refused`: the job
waits for a new token and a restart instead of failing);
requests waiting for a run slot are looked at again every `sweep_every` seconds (and whenever a run of their
project ends). A job is never run by two tasks at once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import structlog

from bot.forge import ForgeError
from bot.logs import get_logger
from bot.retry import is_transient
from bot.server.store import Store

log = get_logger()
TOKEN_FIX = (
    "GitLab answered 401: the bot's token expired, was revoked, or its user is blocked. Create a new token (scope "
    "api) for the bot user, set PERFBOT_GITLAB_TOKEN and restart `perfbot serve`; open jobs resume. "
    "`perfbot doctor --gitlab` checks a token."
)
FORBIDDEN_FIX = (
    "GitLab answered 403: the bot's token lacks the api scope, or the bot user lost its Developer role in the "
    "project. `perfbot doctor --gitlab --project ID` says which."
)


class Worker:
    def __init__(
        self,
        store: Store,
        handle: Callable[..., Awaitable[None]],
        *,
        tasks: int = 4,
        retry_after: float = 60.0,
        sweep_every: float = 300.0,
    ) -> None:
        self._store = store
        self._handle = handle
        self._queue: asyncio.Queue[int] = asyncio.Queue()
        self._size = tasks
        self._retry_after = retry_after
        self._sweep_every = sweep_every
        self._tasks: list[asyncio.Task[None]] = []
        self._busy: set[int] = set()
        self._queued: set[int] = set()

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._loop(), name=f"perfbot-worker-{i}") for i in range(self._size)]
        self._tasks.append(asyncio.create_task(self._sweep(), name="perfbot-sweep"))
        resumed = await self._store.open_jobs()
        for job in resumed:
            self.submit(job.id)
        if resumed:
            log.info("worker.resumed", jobs=[job.id for job in resumed])

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    def submit(self, job_id: int) -> None:
        if job_id not in self._queued:
            self._queued.add(job_id)
            self._queue.put_nowait(job_id)

    def wake_project(self, project_id: int) -> None:
        """Queue the project's waiting requests again (a run slot may have come free)."""
        asyncio.get_running_loop().create_task(self._wake(project_id))

    @property
    def idle(self) -> bool:
        return self._queue.empty() and not self._busy

    async def _sweep(self) -> None:
        """Look at waiting requests now and then: the Pipeline Hook that would free their slot may never come."""
        while True:
            await asyncio.sleep(self._sweep_every)
            for job in await self._store.open_jobs():
                if job.state == "waiting":
                    self.submit(job.id)

    async def _wake(self, project_id: int) -> None:
        for job in await self._store.waiting(project_id):
            self.submit(job.id)

    async def _loop(self) -> None:
        while True:
            job_id = await self._queue.get()
            self._queued.discard(job_id)
            if job_id in self._busy:
                self._later(job_id, 0.05)
                continue
            self._busy.add(job_id)
            try:
                await self._run(job_id)
            finally:
                self._busy.discard(job_id)

    async def _run(self, job_id: int) -> None:
        job = await self._store.get(job_id)
        with structlog.contextvars.bound_contextvars(delivery=job.delivery, job=job.id):
            try:
                await self._handle(job)
            except Exception as e:
                if isinstance(e, ForgeError) and e.status == 401:
                    log.error("gitlab.token_refused", error=str(e), fix=TOKEN_FIX, after_s=self._retry_after)
                    self._later(job_id, self._retry_after)
                elif isinstance(e, ForgeError) and e.status == 403:
                    log.error("gitlab.forbidden", error=str(e), fix=FORBIDDEN_FIX)
                    await self._store.update(job_id, state="failed", detail=str(e))
                elif is_transient(e):
                    log.warning("job.retry_later", error=str(e), after_s=self._retry_after)
                    self._later(job_id, self._retry_after)
                else:
                    log.exception("job.failed", error=str(e))
                    await self._store.update(job_id, state="failed", detail=str(e))

    def _later(self, job_id: int, delay: float) -> None:
        asyncio.get_running_loop().call_later(delay, self.submit, job_id)
