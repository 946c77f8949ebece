"""`/optimize retry` and `/optimize rebase`: acting again on an earlier request, or on the merge request it opened.

retry    on an issue or MR: the last `/optimize` request made there runs again, with the same arguments, on the
         current code. On a perfbot MR: the request that opened it runs again on the code it came from, and the new
         MR replaces this one (closed with a link once the new one is open).
rebase   on a perfbot MR: GitLab rebases its branch onto the target branch (a conflict is reported, not forced).
"""

from __future__ import annotations

from bot.errors import CommandError
from bot.forge import BRANCH_PREFIX, MergeRequest
from bot.logs import get_logger
from bot.server import notes
from bot.server.context import Context, noteable
from bot.server.events import OptimizeRequested
from bot.server.grammar import OptimizeArgs, parse_command
from bot.server.store import Job

log = get_logger()


class Followups:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    async def rebase(self, job: Job, event: OptimizeRequested, req: str) -> None:
        ctx, origin = self._ctx, event.origin
        mr = await self._perfbot_mr(event)
        if mr is None:
            await ctx.reply(origin, req, "rebase", notes.not_perfbot_mr(req, "rebase"))
            return await ctx.close(job, "rejected", "rebase outside a perfbot merge request")
        problem = await ctx.retry.read_async(ctx.forge.rebase_merge_request, noteable(origin).project_id, mr.iid)
        await ctx.reply(origin, req, "rebase", notes.rebased(req, mr.target_branch, problem))
        log.info("merge_request.rebased" if problem is None else "merge_request.rebase_failed", mr=mr.iid)
        return await ctx.close(job, "finished", f"rebase: {problem or 'done'}")

    async def again(self, job: Job, event: OptimizeRequested, req: str) -> OptimizeRequested | None:
        """The request to run again, recorded on `job` (None: there is none, and the requester was told so)."""
        ctx, origin = self._ctx, event.origin
        project = noteable(origin).project_id
        mr = await self._perfbot_mr(event)
        if mr is not None:
            earlier = await ctx.store.request_by_prefix(project, mr.source_branch.rpartition("-")[2])
        else:
            made_here = await ctx.store.requests_on(project, str(origin.kind), int(origin.iid or 0))
            earlier = next((j for j in made_here if j.id != job.id and _reruns(j)), None)
        if earlier is None or not isinstance(earlier.event, OptimizeRequested):
            await ctx.reply(origin, req, "retry", notes.nothing_to_retry(req))
            await ctx.close(job, "rejected", "nothing to retry")
            return None
        first = earlier.event
        again = event.model_copy(
            update={
                "again_of": first.again_of or first.command,
                "code": first.code or first.origin,
                "supersedes": mr.iid if mr is not None else None,
            }
        )
        await ctx.store.update(job.id, payload=again.model_dump_json())
        log.info("request.retried", job=job.id, of=earlier.id)
        return again

    async def _perfbot_mr(self, event: OptimizeRequested) -> MergeRequest | None:
        origin = event.origin
        if origin.kind != "merge_request" or origin.iid is None:
            return None
        mr = await self._ctx.retry.read_async(self._ctx.forge.merge_request, noteable(origin).project_id, origin.iid)
        return mr if mr.source_branch.startswith(BRANCH_PREFIX) else None


def _reruns(job: Job) -> bool:
    """A request that ran (or would run) perfbot, rather than `help`, `retry` or `rebase`."""
    if not isinstance(job.event, OptimizeRequested):
        return False
    if job.event.again_of is not None:
        return True
    try:
        return isinstance(parse_command(job.event.command), OptimizeArgs)
    except CommandError:
        return False
