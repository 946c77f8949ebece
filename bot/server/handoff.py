"""The hand-over from the bot to the publisher when a perfbot pipeline succeeds.

The bot calls a `Publisher` with a `Handoff` (which pipeline, which request, where to reply) in a worker thread
and records what it returned; when a run failed, it asks the publisher what the failed job's own report says.
The real publisher (download the artifacts, commit, open the MR, reply) is `bot.publish.publisher.Publisher`,
which `perfbot serve` passes in; tests inject their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from bot.forge import PipelineJob
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
