"""Concluding a run: what the bot does when GitLab says perfbot's final job ended (Job Hook) or the pipeline ended
(Pipeline Hook), or when polling finds a run whose hooks never came.

Only perfbot's own jobs decide (`bot.server.handoff.judge`): once `perfbot-gather` succeeded the run is handed to the
publisher, however the project's other jobs in the same pipeline fare. A pipeline that ends in any other way
(`failed`, `canceled`, `skipped`, `manual`) gives its run slot back and gets a reply saying why: the failed
perfbot jobs with their logs and the reason the job's own report gives (an API key missing, a baseline failing
its tests), or that perfbot's jobs never ran. Concluding twice (Job Hook, then Pipeline Hook) publishes once.
"""

from __future__ import annotations

import asyncio
import time

from bot.forge import CommandError, ForgeError, PipelineJob, PublishError
from bot.logs import get_logger
from bot.server import notes
from bot.server.context import Context, request_id
from bot.server.events import TERMINAL_PIPELINE, JobFinished, OptimizeRequested, PipelineFinished
from bot.server.grammar import OptimizeArgs, parse_command
from bot.server.handoff import Handoff, Verdict, judge
from bot.server.payloads import JobInfo
from bot.server.store import Job
from pipelines.runfiles import Origin

log = get_logger()
PUBLISHED = "published: "


class Finisher:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx

    async def handle(self, job: Job, event: PipelineFinished | JobFinished) -> None:
        ctx = self._ctx
        request = event.request_id if isinstance(event, PipelineFinished) else None
        run = await ctx.store.run_for(event.project_id, event.pipeline_id, request)
        if run is None or not isinstance(run.event, OptimizeRequested):
            return await ctx.close(job, "done", "no request of this bot started that pipeline")
        if isinstance(event, JobFinished):
            verdict = judge([_job(event.project_url, event.job)], pipeline_ended=False)
            if verdict.outcome != "publish":  # the reasons are in the other jobs: ask GitLab for all of them
                verdict = judge(await self._jobs(event.project_id, event.pipeline_id), pipeline_ended=True)
            url = run.pipeline_url or ""
        else:
            jobs = [_job(event.project_url, j) for j in event.jobs] or await self._jobs(
                event.project_id, event.pipeline_id
            )
            verdict, url = judge(jobs, pipeline_ended=True), event.url
        detail = await self.conclude(run, event.pipeline_id, url, verdict, pipeline_status=_status(event))
        await ctx.close(job, "done", detail)
        return None

    async def conclude(self, run: Job, pipeline_id: int, url: str, verdict: Verdict, *, pipeline_status: str) -> str:
        """Publish or reply, record the outcome on the run, free its slot; returns what happened."""
        ctx = self._ctx
        assert isinstance(run.event, OptimizeRequested)
        if verdict.outcome == "running":
            return "perfbot's jobs are still running"
        if run.state == "finished" and (run.detail or "").startswith(PUBLISHED):
            return f"already {run.detail}"
        origin, req = run.event.origin, request_id(run.business_key)
        if verdict.outcome == "publish" and verdict.final is not None:
            handoff = Handoff(
                project_id=run.project_id,
                pipeline_id=pipeline_id,
                pipeline_url=url,
                request_id=req,
                origin=origin,
                variables=_requested(run),
                jobs=[verdict.final],
            )
            try:
                result = await asyncio.to_thread(ctx.publisher, handoff)
                log.info("publish.handed_over", pipeline=pipeline_id, result=result)
                detail = f"{PUBLISHED}{result}"
            except Exception as e:
                if isinstance(e, ForgeError) and e.status == 401:
                    raise  # the token: the run stays open until a new one is set (bot.server.worker)
                log.error("publish.failed", pipeline=pipeline_id, error=str(e))
                detail = f"publish failed: {e}"
                if not isinstance(e, PublishError):  # a PublishError has told the requester already
                    await self._tell(origin, req, notes.publish_failed(req, url, str(e)))
        else:
            reason = await self._reason(run.project_id, verdict)
            kind = f"pipeline-{pipeline_id}-{verdict.outcome}"
            body = notes.run_ended(req, pipeline_id, url, pipeline_status, verdict, reason=reason, marker_kind=kind)
            await ctx.reply(origin, req, kind, body)
            detail = f"pipeline {pipeline_status}: {verdict.outcome}"
        await ctx.store.update(run.id, state="finished", pipeline_id=pipeline_id, detail=detail)
        ctx.wake_project(run.project_id)
        return detail

    async def running(self, project_id: int) -> int:
        """Runs holding a slot. A run not heard of for `poll_after` seconds has its pipeline looked at: if perfbot's
        jobs are done (their hooks lost), it is concluded now and gives its slot back."""
        ctx, count = self._ctx, 0
        stale = time.time() - ctx.poll_after
        for slot in await ctx.store.active_runs(project_id):
            if slot.state == "running" and slot.pipeline_id is not None and slot.updated_at <= stale:
                pipeline = await ctx.retry.read_async(ctx.forge.pipeline, project_id, slot.pipeline_id)
                ended = pipeline.status in TERMINAL_PIPELINE
                verdict = judge(await self._jobs(project_id, slot.pipeline_id), pipeline_ended=ended)
                if verdict.outcome != "running":
                    run = await ctx.store.get(slot.id)
                    status = pipeline.status
                    detail = await self.conclude(run, pipeline.id, pipeline.web_url, verdict, pipeline_status=status)
                    log.info("run.polled", job=slot.id, detail=detail)
                    continue
                await ctx.store.update(slot.id, state="running")
            count += 1
        return count

    async def _tell(self, origin: Origin, req: str, body: str) -> None:
        """A reply that may itself fail (GitLab refusing what publishing needed may refuse this too): logged."""
        try:
            await self._ctx.reply(origin, req, "publish-failed", body)
        except ForgeError as e:
            log.error("note.failed", kind="publish-failed", error=str(e))

    async def _jobs(self, project_id: int, pipeline_id: int) -> list[PipelineJob]:
        return await self._ctx.retry.read_async(self._ctx.forge.pipeline_jobs, project_id, pipeline_id)

    async def _reason(self, project_id: int, verdict: Verdict) -> str | None:
        """What the first failed perfbot job's own report says went wrong, when it left one."""
        for job in verdict.failed:
            try:
                reason = await asyncio.to_thread(self._ctx.publisher.explain, project_id, job.id)
            except (ForgeError, PublishError) as e:  # the reply names the job and its log all the same
                log.warning("publish.explain_failed", job=job.id, error=str(e))
                continue
            if reason:
                return reason
        return None


def _job(project_url: str, info: JobInfo) -> PipelineJob:
    return PipelineJob(info.id, info.name, info.status, f"{project_url}/-/jobs/{info.id}", info.failure_reason)


def _status(event: PipelineFinished | JobFinished) -> str:
    return event.status if isinstance(event, PipelineFinished) else f"{event.job.name} {event.job.status}"


def _requested(run: Job) -> dict[str, str]:
    """The CI variables the request set (what was asked for), from the command the request carried."""
    assert isinstance(run.event, OptimizeRequested)
    try:
        args = parse_command(run.event.again_of or run.event.command)
    except CommandError:
        return {}
    values = args.variables() if isinstance(args, OptimizeArgs) else {}
    if run.event.supersedes is not None:
        values["PERFBOT_SUPERSEDES"] = str(run.event.supersedes)
    return values
