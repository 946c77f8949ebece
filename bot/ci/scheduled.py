"""Scheduled mode: a pipeline schedule with no request and no target.

Profile the configured benchmark to find the hottest functions in `target.files`, skip those that already
have an open perfbot merge request, and optimize at most `max_mrs` of the rest, one run each (artifacts in
`OUT/<slug>/`). With a token every run is published as it finishes, so at most `max_mrs` MRs are opened.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from bot.ci.run import optimize_in_ci
from bot.ci.variables import narrowed
from bot.publish.publisher import Outcome, Publisher, branch_prefix
from pipelines.agent.prompts import Focus
from pipelines.config import Config
from pipelines.errors import UsageError
from pipelines.interrupt import RunInterrupted
from pipelines.localize.profile import Hotspot, find_hotspots
from pipelines.runfiles import Origin, Request, load_run
from pipelines.sandbox_image import with_sandbox_image
from pipelines.trace import LiveProgress
from sandbox.factory import SandboxKind, open_sandbox

MIN_SHARE = 0.01
"""A function with less than 1% of the benchmark's own time is not worth an agent run."""


def run_scheduled(
    repo: Path,
    config: Config,
    request: Request,
    out: Path,
    kind: SandboxKind | None,
    progress: LiveProgress,
    *,
    max_mrs: int,
    publisher: Publisher | None,
    label: str,
) -> list[Outcome | None]:
    """One outcome per optimized hot spot (None where nothing was published: no token)."""
    config = with_sandbox_image(repo, config, kind, progress.say)  # the repository's dependencies, once for all runs
    with open_sandbox(kind, label="perfbot-profile", image=config.run_image) as sandbox:
        spots = [s for s in find_hotspots(repo, config, sandbox, top=max_mrs + 10) if s.share >= MIN_SHARE]
    progress.say("hot spots: " + (", ".join(f"{s.target} {s.share:.0%}" for s in spots) or "none in target.files"))
    chosen = _without_open_mrs(spots, request, publisher, label, progress)[:max_mrs]
    outcomes: list[Outcome | None] = []
    for spot in chosen:
        sub = replace(request, request_id=f"{request.request_id}-{_slug(spot)}", target=spot.target, origin=Origin())
        directory = out / _slug(spot)
        progress.say(f"optimizing {spot.target} ({spot.share:.0%} of the benchmark's time)")
        report = optimize_in_ci(
            repo,
            narrowed(config, repo, spot.target),
            sub,
            directory,
            kind,
            shard=None,
            focus=Focus.of(spot.target, spot.share),
            progress=progress,
        )
        if report.error is not None:  # interrupted: its artifacts are written; the job stops here, publishing nothing
            raise RunInterrupted(report.error["signal"])
        outcome = publisher.publish(load_run(directory), project_id=_project(request)) if publisher else None
        if outcome is not None:
            progress.say(f"{spot.target}: {outcome}")
        outcomes.append(outcome)
    return outcomes


def _without_open_mrs(
    spots: list[Hotspot], request: Request, publisher: Publisher | None, label: str, progress: LiveProgress
) -> list[Hotspot]:
    if publisher is None:
        progress.say("no PERFBOT_GITLAB_TOKEN: open merge requests cannot be checked and nothing is published")
        return spots
    kept = []
    for spot in spots:
        prefix = branch_prefix(spot.target)
        if publisher.open_merge_requests(_project(request), prefix, label):
            progress.say(f"skipping {spot.target}: a perfbot merge request for it is already open")
        else:
            kept.append(spot)
    return kept


def _project(request: Request) -> int:
    if request.project_id is None:
        raise UsageError("scheduled publishing needs the project id: CI_PROJECT_ID is not set")
    return request.project_id


def _slug(spot: Hotspot) -> str:
    return re.sub(r"[^a-z0-9]+", "-", spot.target.replace(".py::", "-").lower()).strip("-")[:60]
