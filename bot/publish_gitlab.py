"""The GitLab calls of the publisher (python-gitlab, REST v4), each safe to repeat.

Creating calls go through `ensure(find, create)`: before every attempt it looks for what an earlier attempt
(or an earlier run of `perfbot publish`) may already have made, and transient failures (5xx, no answer, 429)
are retried a few times. Everything else raises `ForgeError` with the HTTP status.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any, TypeVar

import gitlab
from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from bot.errors import ForgeError
from bot.gitlab import translated
from bot.retry import is_transient

T = TypeVar("T")
MAX_ARTIFACTS_BYTES = 200 * 1024 * 1024


class PublishGitLab:
    def __init__(self, url: str, token: str, *, timeout: float = 30, attempts: int = 4, first_wait: float = 0.5):
        self.gl = gitlab.Gitlab(url, private_token=token, timeout=timeout, retry_transient_errors=False)
        self._attempts = attempts
        self._first_wait = first_wait
        self._me: str | None = None

    def project(self, project_id: int | str) -> Any:
        return self.gl.projects.get(project_id, lazy=True)

    def ensure(self, what: str, find: Callable[[], T | None], create: Callable[[], T]) -> tuple[T, bool]:
        """The result of `find`, else of `create`; the flag says whether it was created by this call."""
        for attempt in self._retrying():
            with attempt:
                found = translated(what, find)
                if found is not None:
                    return found, False
                return translated(what, create), True
        raise AssertionError("unreachable: tenacity reraises the last error")

    def read(self, what: str, call: Callable[[], T]) -> T:
        for attempt in self._retrying():
            with attempt:
                return translated(what, call)
        raise AssertionError("unreachable: tenacity reraises the last error")

    def merge_request_for(self, project_id: int, branch: str) -> Any | None:
        """The newest MR (any state) whose source branch is `branch`."""
        found = self.project(project_id).mergerequests.list(source_branch=branch, state="all", get_all=False)
        return found[0] if found else None

    def open_merge_requests(self, project_id: int, prefix: str, label: str) -> list[Any]:
        """The open MRs carrying `label` whose source branch starts with `prefix`."""
        listed = self.read(
            "GET merge_requests",
            lambda: self.project(project_id).mergerequests.list(state="opened", labels=label, get_all=True),
        )
        return [mr for mr in listed if str(mr.source_branch).startswith(prefix)]

    def branch_exists(self, project_id: int, branch: str) -> bool:
        try:
            self.project(project_id).branches.get(branch)
        except gitlab.exceptions.GitlabGetError as e:
            if e.response_code == 404:
                return False
            raise
        return True

    def find_note(self, project_id: int, kind: str, iid: int, marker: str) -> Any | None:
        """The bot's newest note on the MR or issue whose body contains `marker`."""
        me = self.username()
        notes = self._noteable(project_id, kind, iid).notes.list(
            order_by="created_at", sort="desc", per_page=100, get_all=False
        )
        return next((n for n in notes if n.author["username"] == me and marker in n.body), None)

    def create_note(self, project_id: int, kind: str, iid: int, body: str) -> Any:
        return self._noteable(project_id, kind, iid).notes.create({"body": body})

    def username(self) -> str:
        if self._me is None:
            self.gl.auth()
            assert self.gl.user is not None
            self._me = str(self.gl.user.username)
        return self._me

    def job_artifacts(self, project_id: int, job_id: int) -> zipfile.ZipFile | None:
        """The job's artifacts archive, or None when it has none (404)."""

        def download() -> bytes | None:
            try:
                data = self.project(project_id).jobs.get(job_id, lazy=True).artifacts()
            except gitlab.exceptions.GitlabGetError as e:
                if e.response_code == 404:
                    return None
                raise
            return bytes(data) if data is not None else None

        data = self.read(f"GET job {job_id} artifacts", download)
        if data is None:
            return None
        if len(data) > MAX_ARTIFACTS_BYTES:
            raise ForgeError(f"the artifacts of job {job_id} are larger than {MAX_ARTIFACTS_BYTES} bytes", None)
        try:
            return zipfile.ZipFile(io.BytesIO(data))
        except zipfile.BadZipFile as e:
            raise ForgeError(f"the artifacts of job {job_id} are not a zip archive: {e}", None) from e

    def _noteable(self, project_id: int, kind: str, iid: int) -> Any:
        project = self.project(project_id)
        manager = project.mergerequests if kind == "merge_request" else project.issues
        return manager.get(iid, lazy=True)

    def _retrying(self) -> Retrying:
        return Retrying(
            retry=retry_if_exception(is_transient),
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential(multiplier=self._first_wait, max=10),
            reraise=True,
        )
