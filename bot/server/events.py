"""Sans-I/O webhook parsing: (X-Gitlab-Event, body bytes) → one typed event. No network, no clock, no store.

`parse_event` returns `OptimizeRequested`, `PipelineFinished` or `Ignored(reason)`, and raises `PayloadError`
(→ HTTP 400) only when the body is not a JSON object or a kind the bot acts on lacks a field it needs.
Dispatch is on the body's `object_kind` (the header differs for confidential objects). Payload shapes are
those of GitLab's `doc/user/project/integrations/webhook_events.md`; fields the bot does not use are ignored.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.errors import PayloadError
from bot.forge import REQUEST_VARIABLE
from pipelines.runfiles import Origin

TERMINAL_PIPELINE = ("success", "failed", "canceled")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class OptimizeRequested(_Model):
    type: Literal["optimize"] = "optimize"
    trigger: Literal["note", "label"]
    origin: Origin
    command: str
    """The `/optimize …` line of the note; `/optimize` for a label trigger."""
    business_key: str


class JobInfo(_Model):
    id: int
    name: str
    stage: str = ""
    status: str
    failure_reason: str | None = None


class PipelineFinished(_Model):
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


class Ignored(_Model):
    reason: str


Event = OptimizeRequested | PipelineFinished | Ignored
StoredEvent = Annotated[OptimizeRequested | PipelineFinished, Field(discriminator="type")]


# --- the parts of GitLab's payloads the bot reads ---------------------------------------------------------
class _User(_Model):
    id: int
    username: str


class _Project(_Model):
    id: int
    path_with_namespace: str
    web_url: str
    default_branch: str | None = None


class _Label(_Model):
    title: str


class _NoteAttrs(_Model):
    id: int
    note: str
    noteable_type: str
    system: bool = False
    action: str = "create"


class _Noteable(_Model):
    iid: int
    source_branch: str | None = None
    source_project_id: int | None = None


class _NoteHook(_Model):
    user: _User
    project: _Project
    object_attributes: _NoteAttrs
    merge_request: _Noteable | None = None
    issue: _Noteable | None = None


class _LabelChange(_Model):
    previous: list[_Label] = []
    current: list[_Label] = []


class _Changes(_Model):
    labels: _LabelChange | None = None


class _WorkItemAttrs(_Model):
    iid: int
    state: str = "opened"
    updated_at: str | None = None
    source_branch: str | None = None
    source_project_id: int | None = None


class _WorkItemHook(_Model):
    user: _User
    project: _Project
    object_attributes: _WorkItemAttrs
    changes: _Changes = _Changes()


class _Variable(_Model):
    key: str
    value: str


class _PipelineAttrs(_Model):
    id: int
    status: str
    ref: str
    url: str = ""
    variables: list[_Variable] = []


class _PipelineHook(_Model):
    project: _Project
    object_attributes: _PipelineAttrs
    builds: list[JobInfo] = []


def parse_event(event_header: str | None, body: bytes, *, label: str, bot_username: str | None) -> Event:
    """The typed event of one delivery; `Ignored` for everything the bot does not act on."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise PayloadError(f"the body is not JSON: {e}") from None
    if not isinstance(data, dict):
        raise PayloadError(f"the body must be a JSON object, got {type(data).__name__}")
    kind = data.get("object_kind")
    try:
        if kind == "note":
            return _note(_NoteHook.model_validate(data), bot_username)
        if kind in ("issue", "merge_request"):
            return _label(kind, _WorkItemHook.model_validate(data), label, bot_username)
        if kind == "pipeline":
            return _pipeline(_PipelineHook.model_validate(data))
    except ValidationError as e:
        raise PayloadError(f"{kind} event: {_first_problem(e)}") from None
    return Ignored(reason=f"event {kind or event_header!r} is not one perfbot acts on")


def find_command(text: str) -> str | None:
    """The first line that starts with `/optimize`, outside code blocks and quotes; None if there is none."""
    fence: str | None = None
    in_quote_block = False
    for line in text.splitlines():
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if fence is not None:
            if stripped.startswith(fence):
                fence = None
            continue
        if indent <= 3 and (stripped.startswith("```") or stripped.startswith("~~~")):
            fence = stripped[:3]
        elif indent <= 3 and stripped.startswith(">>>"):
            in_quote_block = not in_quote_block
        elif in_quote_block or indent > 3 or line.startswith("\t") or stripped.startswith(">"):
            continue
        elif re.match(r"/optimize(\s|$)", stripped):
            return stripped.strip()
    return None


def _note(hook: _NoteHook, bot_username: str | None) -> Event:
    attrs = hook.object_attributes
    if attrs.system:
        return Ignored(reason="system note")
    if attrs.action != "create":
        return Ignored(reason=f"note {attrs.action}, not a new note")
    if bot_username is not None and hook.user.username == bot_username:
        return Ignored(reason="the bot's own note")
    target = {"MergeRequest": ("merge_request", hook.merge_request), "Issue": ("issue", hook.issue)}
    if attrs.noteable_type not in target:
        return Ignored(reason=f"note on a {attrs.noteable_type}")
    command = find_command(attrs.note)
    if command is None:
        return Ignored(reason="no /optimize command")
    kind, noteable = target[attrs.noteable_type]
    if noteable is None:
        raise PayloadError(f"note event: a note on a {attrs.noteable_type} needs the {kind!r} object")
    origin = _origin(hook.project, hook.user, kind, noteable, note_id=attrs.id)
    key = f"note:{hook.project.id}:{attrs.id}"
    return OptimizeRequested(trigger="note", origin=origin, command=command, business_key=key)


def _label(kind: str, hook: _WorkItemHook, label: str, bot_username: str | None) -> Event:
    change = hook.changes.labels
    if change is None:
        return Ignored(reason=f"{kind} event without a label change")
    before = {item.title for item in change.previous}
    if label not in {item.title for item in change.current} - before:
        return Ignored(reason=f"label {label!r} was not added")
    if bot_username is not None and hook.user.username == bot_username:
        return Ignored(reason="the bot's own label change")
    attrs = hook.object_attributes
    if attrs.state != "opened":
        return Ignored(reason=f"{kind} is {attrs.state}")
    origin_kind: Literal["merge_request", "issue"] = "merge_request" if kind == "merge_request" else "issue"
    origin = _origin(hook.project, hook.user, origin_kind, attrs, note_id=None)
    stamp = attrs.updated_at or hashlib.sha256(hook.model_dump_json().encode()).hexdigest()[:16]
    key = f"label:{hook.project.id}:{kind}:{attrs.iid}:{stamp}"
    return OptimizeRequested(trigger="label", origin=origin, command="/optimize", business_key=key)


def _pipeline(hook: _PipelineHook) -> Event:
    attrs = hook.object_attributes
    variables = {v.key: v.value for v in attrs.variables}
    if REQUEST_VARIABLE not in variables:
        return Ignored(reason="not a perfbot pipeline")
    if attrs.status not in TERMINAL_PIPELINE:
        return Ignored(reason=f"pipeline {attrs.status}, not finished")
    return PipelineFinished(
        project_id=hook.project.id,
        project_url=hook.project.web_url,
        pipeline_id=attrs.id,
        status=attrs.status,
        ref=attrs.ref,
        url=attrs.url,
        request_id=variables[REQUEST_VARIABLE],
        variables=variables,
        jobs=hook.builds,
        business_key=f"pipeline:{hook.project.id}:{attrs.id}:{attrs.status}",
    )


def _origin(project: _Project, user: _User, kind: Any, item: Any, *, note_id: int | None) -> Origin:
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


def _first_problem(error: ValidationError) -> str:
    item = error.errors()[0]
    where = ".".join(str(part) for part in item["loc"]) or "body"
    return f"{where}: {item['msg'].lower()}"
