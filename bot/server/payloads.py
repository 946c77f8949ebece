"""The parts of GitLab's webhook payloads the bot reads, as pydantic models (fields it does not use are ignored).

Shapes are those of GitLab's `doc/user/project/integrations/webhook_events.md` (copies in tests/fixtures/gitlab/).
`bot.server.events` validates a body against one of these only once it knows the event is one perfbot acts on.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class User(Model):
    id: int
    username: str


class Project(Model):
    id: int
    path_with_namespace: str
    web_url: str
    default_branch: str | None = None


class Label(Model):
    title: str


class NoteAttrs(Model):
    id: int
    note: str
    noteable_type: str


class SourceProject(Model):
    path_with_namespace: str | None = None


class Noteable(Model):
    iid: int
    state: str = "opened"
    source_branch: str | None = None
    source_project_id: int | None = None
    source: SourceProject | None = None


class NoteHook(Model):
    user: User
    project: Project
    object_attributes: NoteAttrs
    merge_request: Noteable | None = None
    issue: Noteable | None = None


class LabelChange(Model):
    previous: list[Label] = []
    current: list[Label] = []


class WorkItemAttrs(Model):
    iid: int
    state: str = "opened"
    updated_at: str | None = None
    source_branch: str | None = None
    source_project_id: int | None = None


class WorkItemHook(Model):
    user: User
    project: Project
    object_attributes: WorkItemAttrs


class Variable(Model):
    key: str
    value: str


class PipelineAttrs(Model):
    id: int
    status: str
    ref: str
    url: str = ""
    variables: list[Variable] = []


class JobInfo(Model):
    """One job of a pipeline, as a Pipeline Hook's `builds[]` lists it."""

    id: int
    name: str
    stage: str = ""
    status: str
    failure_reason: str | None = None


class PipelineHook(Model):
    project: Project
    object_attributes: PipelineAttrs
    builds: list[JobInfo] = []


class JobHook(Model):
    """A Job Hook (`object_kind: build`)."""

    build_id: int
    build_name: str
    build_stage: str = ""
    build_status: str
    build_failure_reason: str | None = None
    pipeline_id: int
    project: Project
