"""`Forge` over python-gitlab (REST v4). Synchronous: call it off the event loop.

python-gitlab itself retries only 429 (honouring `Retry-After`), which is always safe: GitLab did nothing.
It does not retry 5xx here (`retry_transient_errors=False`): a POST that failed with a 5xx may have been
applied, so `bot.retry.Calls.ensure` looks for the result before it tries again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeVar

import gitlab
import requests
from gitlab.exceptions import GitlabError

from bot.errors import ForgeError
from bot.forge import Note, Noteable, Pipeline, PipelineJob, User
from bot.server.events import REQUEST_VARIABLE

T = TypeVar("T")
_RECENT = 20


class GitLabForge:
    def __init__(self, url: str, token: str, *, timeout: float = 30) -> None:
        self._gl = gitlab.Gitlab(
            url,
            private_token=token,
            timeout=timeout,
            retry_transient_errors=False,
            per_page=_RECENT,
        )

    @cached_property
    def _me(self) -> User:
        return self.current_user()

    def current_user(self) -> User:
        def get() -> User:
            self._gl.auth()
            user = self._gl.user
            assert user is not None
            return User(id=int(user.id), username=str(user.username))

        return translated("GET /user", get)

    def access_level(self, project_id: int, user_id: int) -> int:
        def get() -> int:
            try:
                member = self._project(project_id).members_all.get(user_id)
            except gitlab.exceptions.GitlabGetError as e:
                if e.response_code == 404:
                    return 0
                raise
            return int(member.access_level)

        return translated(f"GET /projects/{project_id}/members/all/{user_id}", get)

    def default_branch(self, project_id: int) -> str:
        project = translated(f"GET /projects/{project_id}", lambda: self._gl.projects.get(project_id))
        return str(project.default_branch)

    def award_emoji(self, target: Noteable, note_id: int, name: str) -> None:
        def post() -> None:
            try:
                self._noteable(target).notes.get(note_id, lazy=True).awardemojis.create({"name": name})
            except gitlab.exceptions.GitlabCreateError as e:
                if e.response_code == 404 and "already been taken" in str(e.error_message):
                    return
                raise

        translated(f"POST award_emoji {name} on note {note_id}", post)

    def find_note(self, target: Noteable, marker: str) -> Note | None:
        def get() -> Note | None:
            notes = self._noteable(target).notes.list(order_by="created_at", sort="desc", per_page=100, get_all=False)
            for note in notes:
                if note.author["username"] == self._me.username and marker in note.body:
                    return Note(id=int(note.id), body=str(note.body))
            return None

        return translated("GET notes", get)

    def create_note(self, target: Noteable, body: str) -> Note:
        note = translated("POST note", lambda: self._noteable(target).notes.create({"body": body}))
        return Note(id=int(note.id), body=str(note.body))

    def find_pipeline(self, project_id: int, ref: str, request_id: str) -> Pipeline | None:
        def get() -> Pipeline | None:
            project = self._project(project_id)
            recent = project.pipelines.list(
                ref=ref, source="api", username=self._me.username, order_by="id", sort="desc", get_all=False
            )
            for item in recent:
                variables = project.pipelines.get(item.id, lazy=True).variables.list(get_all=True)
                if any(v.key == REQUEST_VARIABLE and v.value == request_id for v in variables):
                    return _pipeline(item)
            return None

        return translated(f"GET /projects/{project_id}/pipelines", get)

    def create_pipeline(self, project_id: int, ref: str, variables: dict[str, str]) -> Pipeline:
        data = {
            "ref": ref,
            "variables": [{"key": k, "value": v, "variable_type": "env_var"} for k, v in variables.items()],
        }
        created = translated(
            f"POST /projects/{project_id}/pipeline", lambda: self._project(project_id).pipelines.create(data)
        )
        return _pipeline(created)

    def pipeline(self, project_id: int, pipeline_id: int) -> Pipeline:
        found = translated(f"GET pipeline {pipeline_id}", lambda: self._project(project_id).pipelines.get(pipeline_id))
        return _pipeline(found)

    def pipeline_jobs(self, project_id: int, pipeline_id: int) -> list[PipelineJob]:
        def get() -> list[PipelineJob]:
            jobs = self._project(project_id).pipelines.get(pipeline_id, lazy=True).jobs.list(get_all=True)
            return [
                PipelineJob(id=j.id, name=j.name, status=j.status, web_url=j.web_url, failure_reason=j.failure_reason)
                for j in jobs
            ]

        return translated(f"GET pipeline {pipeline_id} jobs", get)

    def _project(self, project_id: int) -> Any:
        return self._gl.projects.get(project_id, lazy=True)

    def _noteable(self, target: Noteable) -> Any:
        project = self._project(target.project_id)
        manager = project.mergerequests if target.kind == "merge_request" else project.issues
        return manager.get(target.iid, lazy=True)


def _pipeline(obj: Any) -> Pipeline:
    return Pipeline(id=int(obj.id), status=str(obj.status), ref=str(obj.ref), web_url=str(obj.web_url))


def translated(what: str, call: Callable[[], T]) -> T:
    """Run `call`, turning python-gitlab's and requests' errors into `ForgeError` (status None: no answer)."""
    try:
        return call()
    except GitlabError as e:
        raise ForgeError(f"{what}: {e.response_code} {e.error_message}", e.response_code) from e
    except requests.RequestException as e:
        raise ForgeError(f"{what}: no answer from GitLab ({type(e).__name__})", None) from e
