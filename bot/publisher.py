"""The hand-over from the bot to the publisher when a perfbot pipeline succeeds.

The bot calls a `Publisher` with a `Handoff` (which pipeline, which request, where to reply) in a worker thread
and records what it returned. The real publisher (download the artifacts, commit, open the MR, reply) lives in
`bot/publish.py`: `default_publisher(settings)` uses `bot.publish.make_publisher(settings)` when that exists,
and otherwise a stand-in that only records the hand-over. Tests inject any callable.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Protocol

from bot.events import JobInfo, Origin
from bot.logs import get_logger
from bot.settings import Settings


@dataclass(frozen=True)
class Handoff:
    project_id: int
    pipeline_id: int
    pipeline_url: str
    ref: str
    request_id: str
    origin: Origin
    """Where the request came from: the publisher replies there."""
    variables: dict[str, str] = field(default_factory=dict)
    """The pipeline's `PERFBOT_*` variables (what was asked for)."""
    jobs: list[JobInfo] = field(default_factory=list)
    """The pipeline's jobs, as the Pipeline Hook listed them (the artifacts are on the successful ones)."""


class Publisher(Protocol):
    def __call__(self, handoff: Handoff) -> str | None:
        """Publish the run (idempotent: it may be called again for the same pipeline after a restart).

        Returns a short result to record (e.g. the MR URL). Raising records the failure; the bot does not retry.
        """
        ...


def default_publisher(settings: Settings) -> Publisher:
    try:
        module = importlib.import_module("bot.publish")
    except ModuleNotFoundError:
        return record_only
    factory = getattr(module, "make_publisher", None)
    return factory(settings) if callable(factory) else record_only


def record_only(handoff: Handoff) -> str | None:
    """Stand-in until `bot.publish.make_publisher` exists: logs the hand-over, publishes nothing."""
    get_logger().warning("publish.unavailable", pipeline=handoff.pipeline_id, request=handoff.request_id)
    return "recorded (no publisher installed)"
