"""Sans-I/O webhook parsing: (X-Gitlab-Event, body bytes) → one typed event. No network, no clock, no store.

`parse_event` returns `OptimizeRequested`, `PipelineFinished`, `JobFinished` or `Ignored(reason)`, and raises
`PayloadError` (→ HTTP 400) only when the body is not a JSON object, or an event perfbot acts on lacks a field it
needs. GitLab counts every 4xx towards disabling the webhook, so whether an event concerns perfbot at all (a note
without `/optimize`, a label change without perfbot's label, a pipeline without `PERFBOT_REQUEST`) is decided
from the few fields that say so, before the rest is validated: what perfbot ignores is answered 200 whatever else
it holds. Dispatch is on the body's `object_kind` (the header differs for confidential objects).
"""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError

from bot.forge import FINAL_JOB, REQUEST_VARIABLE, PayloadError
from bot.server import payloads as p
from bot.server.grammar import find_command
from bot.server.payloads import JobInfo
from pipelines.runfiles import Origin

__all__ = ["TERMINAL_PIPELINE", "Event", "Ignored", "JobFinished", "JobInfo", "OptimizeRequested", "parse_event"]

TERMINAL_PIPELINE = ("success", "failed", "canceled", "skipped", "manual")
"""Pipeline statuses after which nothing happens unless someone acts (`manual`: it waits for a click)."""
FINAL_JOB_STATUSES = ("success", "failed", "canceled", "skipped")


class OptimizeRequested(p.Model):
    type: Literal["optimize"] = "optimize"
    trigger: Literal["note", "label"]
    origin: Origin
    command: str
    """The `/optimize …` line of the note; `/optimize` for a label trigger."""
    business_key: str
    state: str = "opened"
    """The state of the issue or merge request the request came from (`opened`, `closed`, `merged`, `locked`)."""
    fork: str | None = None
    """For a merge request from another project: that project's path."""
    again_of: str | None = None
    """`/optimize retry`: the command of the request run again (set by the worker, not by the parser)."""
    code: Origin | None = None
    """Where the code to optimize comes from when it is not `origin` (a retry asked on perfbot's own MR)."""
    supersedes: int | None = None
    """The iid of the perfbot merge request the new one replaces (closed once the new one is open)."""


class PipelineFinished(p.Model):
    type: Literal["pipeline"] = "pipeline"
    project_id: int
    project_url: str
    pipeline_id: int
    status: str
    ref: str
    url: str
    request_id: str
    variables: dict[str, str]
    jobs: list[JobInfo]
    business_key: str


class JobFinished(p.Model):
    """perfbot's final job (`FINAL_JOB`) ended: the run is over, whatever the rest of the pipeline still does."""

    type: Literal["job"] = "job"
    project_id: int
    project_url: str
    pipeline_id: int
    job: JobInfo
    business_key: str


class Ignored(p.Model):
    reason: str


Event = OptimizeRequested | PipelineFinished | JobFinished | Ignored
StoredEvent = Annotated[OptimizeRequested | PipelineFinished | JobFinished, Field(discriminator="type")]


def parse_event(event_header: str | None, body: bytes, *, label: str, bot_username: str | None) -> Event:
    """The typed event of one delivery; `Ignored` for everything the bot does not act on."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise PayloadError(f"the body is not JSON: {e}") from None
    except RecursionError:
        raise PayloadError("the body is not JSON perfbot can read: it nests too deeply") from None
    if not isinstance(data, dict):
        raise PayloadError(f"the body must be a JSON object, got {type(data).__name__}")
    kind = data.get("object_kind")
    parsers = {"note": _note, "issue": _label, "merge_request": _label, "pipeline": _pipeline, "build": _job}
    if not isinstance(kind, str) or kind not in parsers:
        return Ignored(reason=f"event {_shown(kind or event_header)} is not one perfbot acts on")
    try:
        event = parsers[kind](data, label=label, bot_username=bot_username)
    except ValidationError as e:
        raise PayloadError(f"{kind} event: {_first_problem(e)}") from None
    if not isinstance(event, Ignored):
        _require_text(event)
    return event


def _note(data: dict[str, Any], *, label: str, bot_username: str | None) -> Event:
    attrs = _mapping(data.get("object_attributes"))
    if attrs.get("system") is True:
        return Ignored(reason="system note")
    if attrs.get("action", "create") != "create":
        return Ignored(reason="an edited note, not a new one (edits never start a run)")
    text = attrs.get("note")
    if not isinstance(text, str) or (command := find_command(text)) is None:
        return Ignored(reason="no /optimize command")
    if attrs.get("noteable_type") not in ("MergeRequest", "Issue"):
        return Ignored(reason=f"note on a {_shown(attrs.get('noteable_type'))}")
    hook = p.NoteHook.model_validate(data)
    if bot_username is not None and hook.user.username == bot_username:
        return Ignored(reason="the bot's own note")
    kind: Literal["merge_request", "issue"] = "merge_request" if attrs["noteable_type"] == "MergeRequest" else "issue"
    noteable = hook.merge_request if kind == "merge_request" else hook.issue
    if noteable is None:
        raise PayloadError(f"note event: a note on a {attrs['noteable_type']} needs the {kind!r} object")
    origin = _origin(hook.project, hook.user, kind, noteable, note_id=hook.object_attributes.id)
    key = f"note:{hook.project.id}:{hook.object_attributes.id}"
    fork = _fork(hook.project, noteable)
    return OptimizeRequested(
        trigger="note", origin=origin, command=command, business_key=key, state=noteable.state, fork=fork
    )


def _label(data: dict[str, Any], *, label: str, bot_username: str | None) -> Event:
    kind = str(data["object_kind"])
    change = p.LabelChange.model_validate(_mapping(_mapping(data.get("changes")).get("labels")))
    if label not in {item.title for item in change.current} - {item.title for item in change.previous}:
        return Ignored(reason=f"label {label!r} was not added")
    hook = p.WorkItemHook.model_validate(data)
    if bot_username is not None and hook.user.username == bot_username:
        return Ignored(reason="the bot's own label change")
    attrs = hook.object_attributes
    if attrs.state != "opened":
        return Ignored(reason=f"{kind} is {attrs.state}")
    origin_kind: Literal["merge_request", "issue"] = "merge_request" if kind == "merge_request" else "issue"
    origin = _origin(hook.project, hook.user, origin_kind, attrs, note_id=None)
    stamp = attrs.updated_at or hashlib.sha256(hook.model_dump_json().encode()).hexdigest()[:16]
    key = f"label:{hook.project.id}:{kind}:{attrs.iid}:{stamp}"
    fork = _fork(hook.project, attrs) if origin_kind == "merge_request" else None
    return OptimizeRequested(trigger="label", origin=origin, command="/optimize", business_key=key, fork=fork)


def _pipeline(data: dict[str, Any], *, label: str, bot_username: str | None) -> Event:
    attrs = _mapping(data.get("object_attributes"))
    variables = attrs.get("variables")
    keys = [v.get("key") for v in variables if isinstance(v, dict)] if isinstance(variables, list) else []
    if REQUEST_VARIABLE not in keys:
        return Ignored(reason="not a perfbot pipeline")
    if attrs.get("status") not in TERMINAL_PIPELINE:
        return Ignored(reason=f"pipeline {_shown(attrs.get('status'))}, not finished")
    hook = p.PipelineHook.model_validate(data)
    pipeline = hook.object_attributes
    values = {v.key: v.value for v in pipeline.variables}
    return PipelineFinished(
        project_id=hook.project.id,
        project_url=hook.project.web_url,
        pipeline_id=pipeline.id,
        status=pipeline.status,
        ref=pipeline.ref,
        url=pipeline.url,
        request_id=values[REQUEST_VARIABLE],
        variables=values,
        jobs=hook.builds,
        business_key=f"pipeline:{hook.project.id}:{pipeline.id}:{pipeline.status}",
    )


def _job(data: dict[str, Any], *, label: str, bot_username: str | None) -> Event:
    if data.get("build_name") != FINAL_JOB:
        return Ignored(reason=f"job {_shown(data.get('build_name'))} is not {FINAL_JOB}")
    if data.get("build_status") not in FINAL_JOB_STATUSES:
        return Ignored(reason=f"{FINAL_JOB} {_shown(data.get('build_status'))}, not finished")
    hook = p.JobHook.model_validate(data)
    job = JobInfo(
        id=hook.build_id,
        name=hook.build_name,
        stage=hook.build_stage,
        status=hook.build_status,
        failure_reason=hook.build_failure_reason,
    )
    key = f"job:{hook.project.id}:{hook.build_id}:{hook.build_status}"
    return JobFinished(
        project_id=hook.project.id,
        project_url=hook.project.web_url,
        pipeline_id=hook.pipeline_id,
        job=job,
        business_key=key,
    )


def _origin(project: p.Project, user: p.User, kind: Any, item: Any, *, note_id: int | None) -> Origin:
    return Origin(
        project_id=project.id,
        project_path=project.path_with_namespace,
        project_url=project.web_url,
        default_branch=project.default_branch,
        kind=kind,
        iid=item.iid,
        note_id=note_id,
        requester=user.username,
        requester_id=user.id,
        source_branch=item.source_branch if kind == "merge_request" else None,
        source_project_id=item.source_project_id if kind == "merge_request" else None,
    )


def _fork(project: p.Project, item: p.Noteable | p.WorkItemAttrs) -> str | None:
    if item.source_project_id is None or item.source_project_id == project.id:
        return None
    source = getattr(item, "source", None)
    return (source.path_with_namespace if source else None) or f"project {item.source_project_id}"


def _require_text(event: OptimizeRequested | PipelineFinished | JobFinished) -> None:
    """Every string must be storable text: JSON allows lone surrogates (`"\\ud800"`), which no text encoding does."""
    try:
        event.model_dump_json()
    except ValueError:
        raise PayloadError("the body holds a lone UTF-16 surrogate (like \\ud800), which is not text") from None


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _shown(value: Any) -> str:
    return repr(value)[:60]


def _first_problem(error: ValidationError) -> str:
    item = error.errors()[0]
    where = ".".join(str(part) for part in item["loc"]) or "body"
    return f"{where}: {item['msg'].lower()}"
