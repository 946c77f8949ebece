"""The bot's replies. Each ends with a hidden marker (`bot.forge.marker`) naming the request and the kind of reply,
which is how the bot finds a reply it already posted (after a retry or a restart) instead of posting it twice."""

from __future__ import annotations

from collections.abc import Sequence

from bot.forge import PipelineJob, marker
from bot.server.grammar import GRAMMAR


def started(request_id: str, pipeline_id: int, url: str, what: str) -> str:
    return (
        f"Started perfbot on {what}: pipeline [#{pipeline_id}]({url}). "
        f"I will reply here when it has finished.\n\n{marker(request_id, 'started')}"
    )


def denied(request_id: str, username: str) -> str:
    return (
        f"Sorry @{username}, only members of this project with at least the Developer role can run `/optimize`. "
        f"A maintainer can add you, or run it for you.\n\n{marker(request_id, 'denied')}"
    )


def usage(request_id: str, problem: str) -> str:
    return f"I could not read that command: {problem}.\n\nUsage:\n\n{GRAMMAR}\n\n{marker(request_id, 'usage')}"


def help_text(request_id: str) -> str:
    return f"Usage:\n\n{GRAMMAR}\n\n{marker(request_id, 'help')}"


def queued(request_id: str, running: int) -> str:
    return (
        f"Queued: {running} perfbot run(s) are already going in this project. This one starts as soon as one of "
        f"them finishes.\n\n{marker(request_id, 'queued')}"
    )


def start_failed(request_id: str, problem: str) -> str:
    return f"I could not start the perfbot pipeline: {problem}\n\n{marker(request_id, 'start-failed')}"


def pipeline_failed(request_id: str, pipeline_id: int, url: str, status: str, jobs: Sequence[PipelineJob]) -> str:
    lines = [f"The perfbot pipeline [#{pipeline_id}]({url}) {'was canceled' if status == 'canceled' else 'failed'}."]
    failed = [job for job in jobs if job.status in ("failed", "canceled")]
    if failed:
        lines.append("")
        for job in failed:
            reason = f", {job.failure_reason.replace('_', ' ')}" if job.failure_reason else ""
            lines.append(f"- `{job.name}` {job.status}{reason}: [job log]({job.web_url})")
    lines += ["", marker(request_id, f"pipeline-{pipeline_id}-{status}")]
    return "\n".join(lines)
