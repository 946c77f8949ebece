"""What the worker does with a job: start a pipeline for an optimize request, or close one when it finishes.

Every step that talks to GitLab is safe to repeat: the intent (`starting`, with the request id) is recorded
before the pipeline is created, the pipeline carries `PERFBOT_REQUEST`, and every reply carries a marker, so
after a duplicate delivery, a retry or a restart the bot finds what it already did instead of doing it again.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from bot.errors import CommandError, ForgeError
from bot.forge import DEVELOPER, REQUEST_VARIABLE, Forge, Noteable, PipelineJob, User, marker
from bot.logs import get_logger
from bot.retry import Retry, is_transient
from bot.server import notes
from bot.server.events import TERMINAL_PIPELINE, OptimizeRequested, PipelineFinished
from bot.server.grammar import Help, OptimizeArgs, parse_command, target_slug
from bot.server.handoff import Handoff, Publisher
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


class Handlers:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    async def handle(self, job: Job) -> None:
        if isinstance(job.event, PipelineFinished):
            await self._finished(job, job.event)
        elif job.state in ("pending", "waiting"):
            await self._admit(job, job.event)
        elif job.state == "starting":
            await self._start(job, job.event)

    async def _admit(self, job: Job, event: OptimizeRequested) -> None:
        """Check the requester and the command, then take a run slot (or wait for one)."""
        ctx, origin = self._ctx, event.origin
        req, project = request_id(job.business_key), _noteable(origin).project_id
        level = await ctx.retry.read_async(ctx.forge.access_level, project, origin.requester_id)
        if level < DEVELOPER:
            await self._reply(origin, req, "denied", notes.denied(req, str(origin.requester)))
            return await self._close(job, "rejected", f"{origin.requester} has access level {level}")
        try:
            args = parse_command(event.command)
        except CommandError as e:
            await self._reply(origin, req, "usage", notes.usage(req, str(e).rstrip(".")))
            return await self._close(job, "rejected", f"bad command: {e}")
        if isinstance(args, Help):
            await self._reply(origin, req, "help", notes.help_text(req))
            return await self._close(job, "finished", "help")
        async with self._locks[project]:
            running = await self._running(project)
            if running >= ctx.max_runs:
                if job.state != "waiting":
                    await self._reply(origin, req, "queued", notes.queued(req, running))
                    await ctx.store.update(job.id, state="waiting", request_id=req)
                log.info("request.waiting", job=job.id, running=running)
                return None
            await ctx.store.update(job.id, state="starting", request_id=req)
        log.info("request.admitted", job=job.id, request=req, requester=origin.requester)
        await self._start(await ctx.store.get(job.id), event)
        return None

    async def _start(self, job: Job, event: OptimizeRequested) -> None:
        ctx, origin = self._ctx, event.origin
        req, project = request_id(job.business_key), _noteable(origin).project_id
        if origin.note_id is not None:
            await ctx.retry.read_async(ctx.forge.award_emoji, _noteable(origin), origin.note_id, "eyes")
        args = parse_command(event.command)
        assert isinstance(args, OptimizeArgs)
        ref = await self._ref(origin)
        variables = _variables(event, args, req)
        try:
            pipeline, created = await ctx.retry.ensure_async(
                lambda: ctx.forge.find_pipeline(project, ref, req),
                lambda: ctx.forge.create_pipeline(project, ref, variables),
            )
        except ForgeError as e:
            if is_transient(e):
                raise
            await self._reply(origin, req, "start-failed", notes.start_failed(req, str(e)))
            return await self._close(job, "failed", str(e))
        log.info("pipeline.created" if created else "pipeline.found", job=job.id, pipeline=pipeline.id, ref=ref)
        await ctx.store.update(job.id, pipeline_id=pipeline.id, pipeline_url=pipeline.web_url)
        what = f"`{args.target}`" if args.target else "the configured target files"
        await self._reply(origin, req, "started", notes.started(req, pipeline.id, pipeline.web_url, what))
        await ctx.store.advance(job.id, "starting", "running")
        return None

    async def _finished(self, job: Job, event: PipelineFinished) -> None:
        ctx = self._ctx
        run = await ctx.store.run_for(event.project_id, event.pipeline_id, event.request_id)
        if run is None or not isinstance(run.event, OptimizeRequested):
            return await self._close(job, "done", "no request of this bot started that pipeline")
        origin, req = run.event.origin, request_id(run.business_key)
        if event.status == "success":
            handoff = Handoff(
                project_id=event.project_id,
                pipeline_id=event.pipeline_id,
                pipeline_url=event.url,
                ref=event.ref,
                request_id=req,
                origin=origin,
                variables=event.variables,
                jobs=event.jobs,
            )
            try:
                result = await asyncio.to_thread(ctx.publisher, handoff)
                log.info("publish.handed_over", pipeline=event.pipeline_id, result=result)
                detail = f"published: {result}"
            except Exception as e:
                log.error("publish.failed", pipeline=event.pipeline_id, error=str(e))
                detail = f"publish failed: {e}"
        else:
            jobs = await self._jobs(event)
            body = notes.pipeline_failed(req, event.pipeline_id, event.url, event.status, jobs)
            await self._reply(origin, req, f"pipeline-{event.pipeline_id}-{event.status}", body)
            detail = f"pipeline {event.status}"
        await ctx.store.update(run.id, state="finished", pipeline_id=event.pipeline_id, detail=detail)
        await self._close(job, "done", detail)
        ctx.wake_project(event.project_id)
        return None

    async def _running(self, project_id: int) -> int:
        """Runs holding a slot; a run whose pipeline already ended (its hook lost) gives its slot back."""
        ctx, count = self._ctx, 0
        stale = time.time() - ctx.poll_after
        for run in await ctx.store.active_runs(project_id):
            if run.state == "running" and run.pipeline_id is not None and run.updated_at <= stale:
                pipeline = await ctx.retry.read_async(ctx.forge.pipeline, project_id, run.pipeline_id)
                if pipeline.status in TERMINAL_PIPELINE:
                    await ctx.store.update(run.id, state="finished", detail=f"pipeline {pipeline.status} (polled)")
                    continue
                await ctx.store.update(run.id, state="running")
            count += 1
        return count

    async def _ref(self, origin: Origin) -> str:
        if self._ctx.ref:
            return self._ctx.ref
        if origin.kind == "merge_request" and origin.source_branch and origin.source_project_id == origin.project_id:
            return origin.source_branch
        if origin.default_branch:
            return origin.default_branch
        return await self._ctx.retry.read_async(self._ctx.forge.default_branch, origin.project_id)

    async def _jobs(self, event: PipelineFinished) -> list[PipelineJob]:
        if event.jobs:
            base = f"{event.project_url}/-/jobs"
            return [PipelineJob(j.id, j.name, j.status, f"{base}/{j.id}", j.failure_reason) for j in event.jobs]
        return await self._ctx.retry.read_async(self._ctx.forge.pipeline_jobs, event.project_id, event.pipeline_id)

    async def _reply(self, origin: Origin, req: str, kind: str, body: str) -> None:
        forge, target, mark = self._ctx.forge, _noteable(origin), marker(req, kind)
        note, created = await self._ctx.retry.ensure_async(
            lambda: forge.find_note(target, mark), lambda: forge.create_note(target, body)
        )
        log.info("note.posted" if created else "note.found", note=note.id, kind=kind)

    async def _close(self, job: Job, state: str, detail: str) -> None:
        await self._ctx.store.update(job.id, state=state, detail=detail)
        log.info("job.closed", job=job.id, state=state, detail=detail)


def _noteable(origin: Origin) -> Noteable:
    """The MR or issue a request came from (the webhook parser fills these fields for every request it accepts)."""
    assert origin.project_id is not None and origin.kind is not None and origin.iid is not None
    return Noteable(project_id=origin.project_id, kind=origin.kind, iid=origin.iid)


def _variables(event: OptimizeRequested, args: OptimizeArgs, req: str) -> dict[str, str]:
    origin = event.origin
    values: dict[str, str | int | None] = {
        REQUEST_VARIABLE: req,
        "PERFBOT_TRIGGER": event.trigger,
        "PERFBOT_PROJECT_ID": origin.project_id,
        "PERFBOT_PROJECT_PATH": origin.project_path,
        "PERFBOT_MR_IID": origin.iid if origin.kind == "merge_request" else None,
        "PERFBOT_ISSUE_IID": origin.iid if origin.kind == "issue" else None,
        "PERFBOT_NOTE_ID": origin.note_id,
        "PERFBOT_REQUESTER": origin.requester,
        "PERFBOT_SOURCE_BRANCH": origin.source_branch,
        "PERFBOT_TARGET_SLUG": target_slug(args.target),
    }
    plain = {key: str(value) for key, value in values.items() if value is not None}
    return plain | args.variables()
