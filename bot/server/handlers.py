"""What the worker does with a job: admit and start an optimize request, or conclude a run when GitLab says its
pipeline or its final job ended (`bot.server.finish`).

Every step that talks to GitLab is safe to repeat: the intent (`starting`, with the request id) is recorded
before the pipeline is created, the pipeline carries `PERFBOT_REQUEST`, and every reply carries a marker, so
after a duplicate delivery, a retry or a restart the bot finds what it already did instead of doing it again.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

from bot.forge import BRANCH_PREFIX, DEVELOPER, REQUEST_VARIABLE, CommandError, ForgeError, MergeRequest, PipelineJob
from bot.logs import get_logger
from bot.retry import is_transient
from bot.server import notes
from bot.server.context import Context, noteable, request_id
from bot.server.events import JobFinished, OptimizeRequested, PipelineFinished
from bot.server.finish import Finisher
from bot.server.grammar import Again, Help, OptimizeArgs, Rebase, parse_command, target_slug
from bot.server.handoff import judge
from bot.server.store import OPEN_STATES, Job
from pipelines.runfiles import Origin

__all__ = ["Context", "Handlers", "request_id"]
log = get_logger()


class Handlers:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._finisher = Finisher(ctx)
        self._followups = Followups(ctx)

    async def handle(self, job: Job) -> None:
        if job.state not in OPEN_STATES:  # handed over twice (resumed at start, and sent by the acceptor)
            return
        if isinstance(job.event, PipelineFinished | JobFinished):
            await self._finisher.handle(job, job.event)
        elif job.state in ("pending", "waiting"):
            await self._admit(job, job.event)
        elif job.state == "starting":
            await self._start(job, job.event)

    async def _admit(self, job: Job, event: OptimizeRequested) -> None:
        """Check the requester, the request and the command, then take a run slot (or wait for one)."""
        ctx, origin = self._ctx, event.origin
        req, project = request_id(job.business_key), noteable(origin).project_id
        level = await ctx.retry.read_async(ctx.forge.access_level, project, origin.requester_id)
        if level < DEVELOPER:
            await ctx.reply(origin, req, "denied", notes.denied(req, str(origin.requester)))
            return await ctx.close(job, "rejected", f"{origin.requester} has access level {level}")
        refusal = notes.refusal(req, event.state, event.fork)
        if refusal:
            await ctx.reply(origin, req, "refused", refusal)
            return await ctx.close(job, "rejected", f"{origin.kind} {event.state}, fork {event.fork}")
        try:
            args = parse_command(event.command)
        except CommandError as e:
            await ctx.reply(origin, req, "usage", notes.usage(req, str(e).rstrip(".")))
            return await ctx.close(job, "rejected", f"bad command: {e}")
        if isinstance(args, Help):
            await ctx.reply(origin, req, "help", notes.help_text(req))
            return await ctx.close(job, "finished", "help")
        if isinstance(args, Rebase):
            return await self._followups.rebase(job, event, req)
        if isinstance(args, Again) and event.again_of is None:
            again = await self._followups.again(job, event, req)
            if again is None:
                return None
            event = again
        async with self._locks[project]:
            running = await self._finisher.running(project)
            if running >= ctx.max_runs:
                if job.state != "waiting":
                    await ctx.reply(origin, req, "queued", notes.queued(req, running))
                    await ctx.store.update(job.id, state="waiting", request_id=req)
                log.info("request.waiting", job=job.id, running=running)
                return None
            await ctx.store.update(job.id, state="starting", request_id=req)
        log.info("request.admitted", job=job.id, request=req, requester=origin.requester)
        await self._start(await ctx.store.get(job.id), event, fresh=True)
        return None

    async def _start(self, job: Job, event: OptimizeRequested, *, fresh: bool = False) -> None:
        """Start the request's pipeline. `fresh`: the intent was recorded just now, so no earlier attempt can have
        created it (a request resumed after a restart looks for its pipeline first)."""
        ctx, origin = self._ctx, event.origin
        req, project = request_id(job.business_key), noteable(origin).project_id
        if origin.note_id is not None:
            await ctx.retry.read_async(ctx.forge.award_emoji, noteable(origin), origin.note_id, "eyes")
        args = parse_command(event.again_of or event.command)
        assert isinstance(args, OptimizeArgs)
        ref, checkout = await self._ref(event.code or origin)
        variables = _variables(event, args, req, checkout)
        try:
            pipeline, created = await ctx.retry.ensure_async(
                lambda: ctx.forge.find_pipeline(project, ref, req),
                lambda: ctx.forge.create_pipeline(project, ref, variables),
                fresh=fresh,
            )
        except ForgeError as e:
            if is_transient(e) or e.status == 401:
                raise
            log.warning("pipeline.refused", ref=ref, status=e.status, error=str(e))
            await ctx.reply(origin, req, "start-failed", notes.start_failed(req, e, ref))
            return await ctx.close(job, "failed", str(e))
        log.info("pipeline.created" if created else "pipeline.found", job=job.id, pipeline=pipeline.id, ref=ref)
        await ctx.store.update(job.id, pipeline_id=pipeline.id, pipeline_url=pipeline.web_url)
        jobs = await ctx.retry.read_async(ctx.forge.pipeline_jobs, project, pipeline.id)
        verdict = judge(jobs, pipeline_ended=False)
        if verdict.outcome == "no_perfbot_job":
            return await self._no_perfbot_job(job, origin, req, pipeline.id, ref, jobs)
        what = f"`{args.target}`" if args.target else "the configured target files"
        others = [j.name for j in verdict.others]
        body = notes.started(req, pipeline.id, pipeline.web_url, what, others=others, checkout=checkout)
        await ctx.reply(origin, req, "started", body)
        await ctx.store.advance(job.id, "starting", "running")
        return None

    async def _no_perfbot_job(
        self, job: Job, origin: Origin, req: str, pipeline_id: int, ref: str, jobs: list[PipelineJob]
    ) -> None:
        """The CI config of `ref` has no perfbot job for this pipeline: say how to add one, stop the pipeline (its
        other jobs were not asked for), free the slot."""
        ctx = self._ctx
        await ctx.retry.read_async(ctx.forge.cancel_pipeline, noteable(origin).project_id, pipeline_id)
        await ctx.reply(origin, req, "no-perfbot-job", notes.no_perfbot_job(req, ref, [j.name for j in jobs]))
        await ctx.close(job, "failed", f"no perfbot job in pipeline {pipeline_id} on {ref}")

    async def _ref(self, code: Origin) -> tuple[str, str | None]:
        """(the branch whose CI config the pipeline runs, the ref its job checks out instead, if any).

        A merge request's own branch runs only when it is trusted (`Context.trusted_branches`); otherwise the
        default branch's CI config runs and checks the MR's head out (`refs/merge-requests/IID/head`)."""
        ctx = self._ctx
        default = code.default_branch
        if not default:
            default = str(await ctx.retry.read_async(ctx.forge.default_branch, code.project_id))
        if code.kind != "merge_request" or not code.source_branch or code.source_project_id != code.project_id:
            return ctx.ref or default, None
        mr_head = f"refs/merge-requests/{code.iid}/head"
        if ctx.ref:
            return ctx.ref, mr_head
        trusted = ctx.trusted_branches == "all" or (
            ctx.trusted_branches == "protected"
            and await ctx.retry.read_async(ctx.forge.branch_protected, code.project_id, code.source_branch)
        )
        return (code.source_branch, None) if trusted else (default, mr_head)


def _variables(event: OptimizeRequested, args: OptimizeArgs, req: str, checkout: str | None) -> dict[str, str]:
    origin, code = event.origin, event.code or event.origin
    values: dict[str, str | int | None] = {
        REQUEST_VARIABLE: req,
        "PERFBOT_TRIGGER": event.trigger,
        "PERFBOT_PROJECT_ID": origin.project_id,
        "PERFBOT_PROJECT_PATH": origin.project_path,
        "PERFBOT_MR_IID": origin.iid if origin.kind == "merge_request" else None,
        "PERFBOT_ISSUE_IID": origin.iid if origin.kind == "issue" else None,
        "PERFBOT_NOTE_ID": origin.note_id,
        "PERFBOT_REQUESTER": origin.requester,
        "PERFBOT_SOURCE_BRANCH": code.source_branch,
        "PERFBOT_CHECKOUT": checkout,
        "PERFBOT_TARGET_BRANCH": code.source_branch if checkout and code.kind == "merge_request" else None,
        "PERFBOT_SUPERSEDES": event.supersedes,
        "PERFBOT_TARGET_SLUG": target_slug(args.target),
    }
    plain = {key: str(value) for key, value in values.items() if value is not None}
    return plain | args.variables()


# `/optimize retry` and `/optimize rebase`: acting again on an earlier request, or on the merge request it opened.
#
# retry    on an issue or MR: the last `/optimize` request made there runs again, with the same arguments, on the
# current code. On a perfbot MR: the request that opened it runs again on the code it came from, and the new
# MR replaces this one (closed with a link once the new one is open).
# rebase   on a perfbot MR: GitLab rebases its branch onto the target branch (a conflict is reported, not forced).

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
