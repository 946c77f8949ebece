"""`Forge` over python-gitlab (REST v4): the one module that talks to GitLab. Synchronous: call it off the event loop.

python-gitlab itself retries only 429 (honouring `Retry-After`), which is always safe: GitLab did nothing.
It does not retry 5xx here (`retry_transient_errors=False`): a POST that failed with a 5xx may have been
applied, so `bot.retry.Retry.ensure` looks for the result before it tries again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any, TypeVar

import gitlab
import requests
from gitlab.exceptions import GitlabError

from bot.errors import ForgeError
from bot.forge import REQUEST_VARIABLE, MergeRequest, Note, Noteable, Pipeline, PipelineJob, User

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

    def merge_request_for(self, project_id: int, branch: str) -> MergeRequest | None:
        def get() -> MergeRequest | None:
            found = self._project(project_id).mergerequests.list(source_branch=branch, state="all", get_all=False)
            return _merge_request(found[0]) if found else None

        return translated(f"GET merge_requests from {branch}", get)

    def open_merge_requests(self, project_id: int, label: str) -> list[MergeRequest]:
        def get() -> list[MergeRequest]:
            listed = self._project(project_id).mergerequests.list(state="opened", labels=label, get_all=True)
            return [_merge_request(mr) for mr in listed]

        return translated("GET merge_requests", get)

    def create_merge_request(self, project_id: int, fields: Mapping[str, Any]) -> MergeRequest:
        created = translated("POST merge_request", lambda: self._project(project_id).mergerequests.create(fields))
        return _merge_request(created)

    def branch_exists(self, project_id: int, branch: str) -> bool:
        def get() -> bool:
            try:
                self._project(project_id).branches.get(branch)
            except gitlab.exceptions.GitlabGetError as e:
                if e.response_code == 404:
                    return False
                raise
            return True

        return translated(f"GET branch {branch}", get)

    def create_commit(self, project_id: int, fields: Mapping[str, Any]) -> None:
        translated(f"POST commit on {fields.get('branch')}", lambda: self._project(project_id).commits.create(fields))

    def job_artifacts(self, project_id: int, job_id: int) -> bytes | None:
        def get() -> bytes | None:
            try:
                data = self._project(project_id).jobs.get(job_id, lazy=True).artifacts()
            except gitlab.exceptions.GitlabGetError as e:
                if e.response_code == 404:
                    return None
                raise
            return bytes(data) if data is not None else None

        return translated(f"GET job {job_id} artifacts", get)

    def _project(self, project_id: int) -> Any:
        return self._gl.projects.get(project_id, lazy=True)

    def _noteable(self, target: Noteable) -> Any:
        project = self._project(target.project_id)
        manager = project.mergerequests if target.kind == "merge_request" else project.issues
        return manager.get(target.iid, lazy=True)


def _merge_request(obj: Any) -> MergeRequest:
    return MergeRequest(str(obj.web_url), str(obj.title), str(obj.references["full"]), str(obj.source_branch))


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
