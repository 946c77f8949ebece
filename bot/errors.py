"""The exception family of the GitLab bot.

    PerfbotError (pipelines.errors)
    └── BotError                 base of everything the bot raises on purpose
        ├── SettingsError        missing or invalid server settings (exit code 2 at start)
        │   └── StoreError       the bot's SQLite database cannot be used (damaged, not a database)
        ├── PayloadError         a delivery the bot cannot read (answered with its 4xx `status`: 400, 408, 413)
        ├── CommandError         a bad `/optimize` argument (answered with a note showing the grammar)
        ├── ForgeError           a GitLab call that still failed after the retries
        └── PublishError         a finished run that cannot be published (no artifacts, or GitLab refused)

Messages name what is wrong and what was expected; they never contain a token or a secret.
"""

from __future__ import annotations

from pipelines.errors import PerfbotError


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
