"""The hand-over from the bot to the publisher when a perfbot pipeline succeeds.

The bot calls a `Publisher` with a `Handoff` (which pipeline, which request, where to reply) in a worker thread
and records what it returned; when a run failed, it asks the publisher what the failed job's own report says.
The real publisher (download the artifacts, commit, open the MR, reply) is `bot.publish.publisher.Publisher`,
which `perfbot serve` passes in; tests inject their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from bot.forge import FINAL_JOB, PipelineJob, is_perfbot_job
from pipelines.runfiles import Origin


@dataclass(frozen=True)
class Handoff:
    project_id: int
    pipeline_id: int
    pipeline_url: str
    request_id: str
    origin: Origin
    """Where the request came from: the publisher replies there."""
    variables: dict[str, str] = field(default_factory=dict)
    """The pipeline's `PERFBOT_*` variables (what was asked for)."""
    jobs: list[PipelineJob] = field(default_factory=list)
    """perfbot's final job, whose artifacts hold the run (empty: the publisher asks GitLab for the pipeline's)."""


class Publisher(Protocol):
    def __call__(self, handoff: Handoff) -> str | None:
        """Publish the run (idempotent: it may be called again for the same pipeline after a restart).

        Returns a short result to record (e.g. the MR URL). Raising records the failure; the bot does not retry.
        """
        ...

    def explain(self, project_id: int, job_id: int) -> str | None:
        """Why perfbot's job `job_id` failed, as the report it left among its artifacts says; None without one."""
        ...


# What a pipeline's jobs say about a perfbot run. Pure: jobs in, `Verdict` out.
#
# Only perfbot's own jobs count (`bot.forge.is_perfbot_job`): the project's other jobs may fail, wait for a click or
# still be running, and the run is published all the same once `perfbot-gather` succeeded. A retried job counts by
# its latest attempt.

Outcome = Literal["publish", "failed", "not_run", "no_perfbot_job", "running"]
FAILED = ("failed", "canceled")


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    """publish: the final job succeeded; failed: one of perfbot's jobs failed or was canceled; not_run: the
    pipeline ended with perfbot's jobs skipped or waiting for a click; no_perfbot_job: the pipeline has none;
    running: perfbot's jobs are not done yet."""
    final: PipelineJob | None = None
    jobs: list[PipelineJob] = field(default_factory=list)
    """perfbot's jobs (latest attempts)."""
    others: list[PipelineJob] = field(default_factory=list)
    """The pipeline's other jobs (latest attempts)."""

    @property
    def failed(self) -> list[PipelineJob]:
        return [job for job in self.jobs if job.status in FAILED]


def judge(jobs: Iterable[PipelineJob], *, pipeline_ended: bool) -> Verdict:
    latest: dict[str, PipelineJob] = {}
    for job in sorted(jobs, key=lambda j: j.id):
        latest[job.name] = job
    mine = [job for job in latest.values() if is_perfbot_job(job.name)]
    others = [job for job in latest.values() if not is_perfbot_job(job.name)]
    final = latest.get(FINAL_JOB)
    outcome: Outcome
    if final is not None and final.status == "success":
        outcome = "publish"
    elif any(job.status in FAILED for job in mine):
        outcome = "failed"
    elif not mine:
        outcome = "no_perfbot_job"
    elif pipeline_ended or (final is not None and final.status == "skipped"):
        outcome = "not_run"
    else:
        outcome = "running"
    return Verdict(outcome, final, mine, others)
