"""`Forge` over python-gitlab (REST v4): the one module that talks to GitLab. Synchronous: call it off the event loop.

python-gitlab itself retries only 429 (honouring `Retry-After`), which is always safe: GitLab did nothing.
It does not retry 5xx here (`retry_transient_errors=False`): a POST that failed with a 5xx may have been
applied, so `bot.retry.Retry.ensure` looks for the result before it tries again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import IO, Any, TypeVar

import gitlab
import requests
from gitlab.exceptions import GitlabError

from bot.forge import REQUEST_VARIABLE, ForgeError, MergeRequest, Note, Noteable, Pipeline, PipelineJob, TokenInfo, User

T = TypeVar("T")
_RECENT = 20
_CHUNK = 1024 * 1024
_REBASE_POLLS = 30


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
            awards = self._noteable(target).notes.get(note_id, lazy=True).awardemojis
            # Looked up first: a bot killed after awarding, and resumed, awards nothing twice whatever GitLab's
            # version answers to a duplicate.
            if any(a.name == name and a.user["id"] == self._me.id for a in awards.list(iterator=True)):
                return
            try:
                awards.create({"name": name})
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

    def job_artifacts(self, project_id: int, job_id: int, into: IO[bytes], limit: int) -> bool:
        def get() -> bool:
            try:
                job = self._project(project_id).jobs.get(job_id, lazy=True)
                size = 0
                chunks = job.artifacts(iterator=True, chunk_size=_CHUNK)
                for chunk in chunks:
                    size += len(chunk)
                    if size > limit:
                        raise ForgeError(f"the artifacts of job {job_id} are larger than {limit} bytes", 413)
                    into.write(chunk)
            except gitlab.exceptions.GitlabGetError as e:
                if e.response_code == 404:
                    return False
                raise
            return True

        return translated(f"GET job {job_id} artifacts", get)

    def branch_protected(self, project_id: int, branch: str) -> bool:
        found = translated(f"GET branch {branch}", lambda: self._project(project_id).branches.get(branch))
        return bool(found.protected)

    def cancel_pipeline(self, project_id: int, pipeline_id: int) -> None:
        translated(f"POST cancel pipeline {pipeline_id}", lambda: self._pipeline(project_id, pipeline_id).cancel())

    def merge_request(self, project_id: int, iid: int) -> MergeRequest:
        return _merge_request(translated(f"GET merge_request {iid}", lambda: self._mr(project_id, iid)))

    def rebase_merge_request(self, project_id: int, iid: int) -> str | None:
        def rebase() -> str | None:
            self._project(project_id).mergerequests.get(iid, lazy=True).rebase()
            for _ in range(_REBASE_POLLS):
                mr = self._project(project_id).mergerequests.get(iid, include_rebase_in_progress="true")
                if not mr.attributes.get("rebase_in_progress"):
                    error = mr.attributes.get("merge_error")
                    return str(error) if error else None
                time.sleep(1)
            return "GitLab was still rebasing after 30 s"

        return translated(f"PUT merge_request {iid} rebase", rebase)

    def close_merge_request(self, project_id: int, iid: int) -> None:
        def close() -> None:
            self._project(project_id).mergerequests.update(iid, {"state_event": "close"})

        translated(f"PUT merge_request {iid} close", close)

    def user_id(self, username: str) -> int | None:
        found = translated("GET users", lambda: self._gl.users.list(username=username, get_all=False))
        return int(found[0].id) if found else None

    def token_info(self) -> TokenInfo:
        token = translated("GET /personal_access_tokens/self", lambda: self._gl.personal_access_tokens.get("self"))
        a = token.attributes
        scopes = list(a.get("scopes") or [])
        return TokenInfo(str(a.get("name", "")), scopes, a.get("expires_at"), bool(a.get("active")))

    def hooks(self, project_id: int) -> list[dict[str, Any]]:
        listed = translated("GET hooks", lambda: self._project(project_id).hooks.list(get_all=True))
        return [dict(hook.attributes) for hook in listed]

    def project(self, project_id: int | str) -> dict[str, Any]:
        return dict(translated(f"GET /projects/{project_id}", lambda: self._gl.projects.get(project_id)).attributes)

    def _project(self, project_id: int) -> Any:
        return self._gl.projects.get(project_id, lazy=True)

    def _pipeline(self, project_id: int, pipeline_id: int) -> Any:
        return self._project(project_id).pipelines.get(pipeline_id, lazy=True)

    def _mr(self, project_id: int, iid: int) -> Any:
        return self._project(project_id).mergerequests.get(iid)

    def _noteable(self, target: Noteable) -> Any:
        project = self._project(target.project_id)
        manager = project.mergerequests if target.kind == "merge_request" else project.issues
        return manager.get(target.iid, lazy=True)


def _merge_request(obj: Any) -> MergeRequest:
    return MergeRequest(
        str(obj.web_url),
        str(obj.title),
        str(obj.references["full"]),
        str(obj.source_branch),
        iid=int(obj.iid),
        state=str(obj.state),
        target_branch=str(obj.target_branch),
    )


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
