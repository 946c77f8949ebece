"""The `Forge` protocol: the few GitLab operations the bot performs, as plain synchronous calls.

The implementation (`bot.gitlab.GitLabForge`) wraps python-gitlab; the worker runs every call off the
event loop through `bot.retry.Calls`, which owns the retry policy. Failures raise `bot.errors.ForgeError`
carrying the HTTP status (None when GitLab did not answer), so the caller can tell transient from final.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

NoteableKind = Literal["merge_request", "issue"]
DEVELOPER = 30


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
