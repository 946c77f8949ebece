"""The `Forge` protocol: the few GitLab operations the bot and the publisher perform, as plain synchronous calls.

The one implementation (`bot.gitlab.GitLabForge`) wraps python-gitlab; callers go through `bot.retry.Retry`,
which owns the retry policy (the server's worker off the event loop, the publisher in its own thread). Failures
raise `ForgeError` (below) carrying the HTTP status (None when GitLab did not answer), so the caller can tell
transient from final.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Any, Literal, Protocol

from pipelines.errors import PerfbotError

NoteableKind = Literal["merge_request", "issue"]
DEVELOPER = 30
REQUEST_VARIABLE = "PERFBOT_REQUEST"
"""The CI variable that names the request a pipeline was started for."""
BRANCH_PREFIX = "perfbot/"
"""Every branch perfbot publishes starts with this."""
FINAL_JOB = "perfbot-gather"
"""The CI component's last job of a requested run; its artifacts hold the run (request.json beside report.json)."""


def is_perfbot_job(name: str) -> bool:
    """One of the component's jobs of a requested run: `perfbot` (its shards `perfbot i/N`) or `perfbot-gather`."""
    return name in ("perfbot", FINAL_JOB) or re.fullmatch(r"perfbot \d+/\d+", name) is not None


@dataclass(frozen=True)
class Noteable:
    project_id: int
    kind: NoteableKind
    iid: int


@dataclass(frozen=True)
class User:
    id: int
    username: str


@dataclass(frozen=True)
class Note:
    id: int
    body: str


@dataclass(frozen=True)
class Pipeline:
    id: int
    status: str
    ref: str
    web_url: str


@dataclass(frozen=True)
class PipelineJob:
    id: int
    name: str
    status: str
    web_url: str
    failure_reason: str | None = None


@dataclass(frozen=True)
class MergeRequest:
    web_url: str
    title: str
    reference: str
    """The full reference, e.g. `group/project!12`."""
    source_branch: str
    iid: int = 0
    state: str = "opened"
    target_branch: str = ""


@dataclass(frozen=True)
class TokenInfo:
    """What GitLab says about the token in use (`GET /personal_access_tokens/self`)."""

    name: str
    scopes: list[str] = field(default_factory=list)
    expires_at: str | None = None
    """ISO date, None: it never expires."""
    active: bool = True


def marker(request_id: str, kind: str) -> str:
    """The hidden marker that ends each of the bot's notes: a later call finds a note an earlier one posted by it
    (`Forge.find_note`) instead of posting it twice."""
    return f"<!-- perfbot:{request_id}:{kind} -->"


class Forge(Protocol):
    def current_user(self) -> User:
        """The bot's own account (validates the token)."""
        ...

    def access_level(self, project_id: int, user_id: int) -> int:
        """The user's effective access level in the project, inherited ones included; 0 for a non-member."""
        ...

    def default_branch(self, project_id: int) -> str: ...

    def award_emoji(self, target: Noteable, note_id: int, name: str) -> None:
        """React to a note; awarding an emoji the bot already gave is not an error."""
        ...

    def find_note(self, target: Noteable, marker: str) -> Note | None:
        """The bot's most recent note on `target` whose body contains `marker`."""
        ...

    def create_note(self, target: Noteable, body: str) -> Note: ...

    def find_pipeline(self, project_id: int, ref: str, request_id: str) -> Pipeline | None:
        """A recent pipeline the bot started on `ref` whose `PERFBOT_REQUEST` variable is `request_id`."""
        ...

    def create_pipeline(self, project_id: int, ref: str, variables: dict[str, str]) -> Pipeline: ...

    def pipeline(self, project_id: int, pipeline_id: int) -> Pipeline: ...

    def pipeline_jobs(self, project_id: int, pipeline_id: int) -> list[PipelineJob]: ...

    def merge_request_for(self, project_id: int, branch: str) -> MergeRequest | None:
        """The newest merge request (any state) whose source branch is `branch`."""
        ...

    def open_merge_requests(self, project_id: int, label: str) -> list[MergeRequest]: ...

    def create_merge_request(self, project_id: int, fields: Mapping[str, Any]) -> MergeRequest: ...

    def branch_exists(self, project_id: int, branch: str) -> bool: ...

    def create_commit(self, project_id: int, fields: Mapping[str, Any]) -> None:
        """One commit through the commits API (`branch`, `start_sha` or `start_branch`, `actions`, …)."""
        ...

    def job_artifacts(self, project_id: int, job_id: int, into: IO[bytes], limit: int) -> bool:
        """Stream the job's artifacts archive (zip) into `into`; False when it has none. More than `limit` bytes
        is a `ForgeError` (nothing beyond the limit is read)."""
        ...

    def branch_protected(self, project_id: int, branch: str) -> bool: ...

    def cancel_pipeline(self, project_id: int, pipeline_id: int) -> None: ...

    def merge_request(self, project_id: int, iid: int) -> MergeRequest: ...

    def rebase_merge_request(self, project_id: int, iid: int) -> str | None:
        """Rebase the MR's source branch onto its target, waiting (bounded) for GitLab to finish; the error GitLab
        reported (a conflict, say), None when it rebased."""
        ...

    def close_merge_request(self, project_id: int, iid: int) -> None: ...

    def user_id(self, username: str) -> int | None:
        """The id of the active user with this username, None when there is none."""
        ...

    def token_info(self) -> TokenInfo: ...

    def hooks(self, project_id: int) -> list[dict[str, Any]]:
        """The project's webhooks as GitLab lists them (needs the Maintainer role)."""
        ...

    def project(self, project_id: int | str) -> dict[str, Any]:
        """The project as `GET /projects/:id` shows it to this token."""
        ...


# The exception family of the GitLab bot.
#
# PerfbotError (pipelines.errors)
# └── BotError                 base of everything the bot raises on purpose
#     ├── SettingsError        missing or invalid server settings (exit code 2 at start)
#     │   └── StoreError       the bot's SQLite database cannot be used (damaged, not a database)
#     ├── PayloadError         a delivery the bot cannot read (answered with its 4xx `status`: 400, 408, 413)
#     ├── CommandError         a bad `/optimize` argument (answered with a note showing the grammar)
#     ├── ForgeError           a GitLab call that still failed after the retries
#     └── PublishError         a finished run that cannot be published (no artifacts, or GitLab refused)
#
# Messages name what is wrong and what was expected; they never contain a token or a secret.


class BotError(PerfbotError):
    """Base class of the bot's errors."""


class SettingsError(BotError):
    exit_code = 2


class StoreError(SettingsError):
    """The bot's database file is damaged or is not a SQLite database; the text names it and how to start again."""


class PayloadError(BotError):
    """The delivery is not JSON, lacks a field the bot needs, or did not arrive whole; the text says which."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class CommandError(BotError):
    """A `/optimize` comment the grammar does not accept; the text is shown to the user."""


class ForgeError(BotError):
    """A GitLab API call failed for good; `status` is the last HTTP status (None: no answer)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class PublishError(BotError):
    """A run that cannot be published as it stands (no job has its artifacts, or GitLab refused for good)."""
