"""What every handler of the worker shares: the GitLab client, the retry policy, the store, and the two things every
step ends with, a reply on the request (found again by its marker, never posted twice) and closing the job."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from bot.forge import Forge, ForgeError, Noteable, User, marker
from bot.logs import get_logger
from bot.retry import Retry
from bot.server.handoff import Publisher
from bot.server.store import Job, Store
from pipelines.runfiles import Origin

log = get_logger()


def request_id(business_key: str) -> str:
    """A stable short id for a request; it is the `PERFBOT_REQUEST` variable of its pipeline."""
    return hashlib.sha256(business_key.encode()).hexdigest()[:20]


@dataclass
class Context:
    forge: Forge
    retry: Retry
    store: Store
    publisher: Publisher
    me: User
    ref: str | None
    max_runs: int
    wake_project: Callable[[int], None]
    """Called when a run of the project finished, so waiting requests get another look."""
    poll_after: float = 60.0
    """A run not heard of for this long has its pipeline status polled (its Pipeline Hook may be lost)."""
    trusted_branches: Literal["protected", "all", "none"] = "protected"

    async def reply(self, origin: Origin, req: str, kind: str, body: str) -> None:
        """Post `body` on the request's issue or merge request, once per (request, kind)."""
        target, mark = noteable(origin), marker(req, kind)
        note, created = await self.retry.ensure_async(
            lambda: self.forge.find_note(target, mark), lambda: self.forge.create_note(target, body)
        )
        log.info("note.posted" if created else "note.found", note=note.id, kind=kind)

    async def close(self, job: Job, state: str, detail: str) -> None:
        await self.store.update(job.id, state=state, detail=detail)
        log.info("job.closed", job=job.id, state=state, detail=detail)


def noteable(origin: Origin) -> Noteable:
    """The MR or issue a request came from (the webhook parser fills these fields for every request it accepts)."""
    assert origin.project_id is not None and origin.kind is not None and origin.iid is not None
    return Noteable(project_id=origin.project_id, kind=origin.kind, iid=origin.iid)


def refused_token(error: ForgeError) -> bool:
    """GitLab no longer accepts the bot's token (expired, revoked, or its user blocked)."""
    return error.status == 401
