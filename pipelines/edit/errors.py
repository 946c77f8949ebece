"""The exception family of the edit tools.

    PerfbotError                  (pipelines.errors)
    └── EditError                 base of what the edit tools raise on purpose
        └── ToolRefused           the call was declined; the message is written for the model and nothing changed

`EditSession.call` turns `ToolRefused` into a `ToolResult(ok=False)`; it never escapes to the agent loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pipelines.errors import PerfbotError


@dataclass(frozen=True)
class Location:
    """A line range (1-based, inclusive) in a repo-relative file."""

    path: str
    start_line: int
    end_line: int

    def __str__(self) -> str:
        if self.start_line == self.end_line:
            return f"{self.path} line {self.start_line}"
        return f"{self.path} lines {self.start_line}-{self.end_line}"


class EditError(PerfbotError):
    pass


class ToolRefused(EditError):
    """A refused tool call. `locations` are the places the message points the model at (best first)."""

    def __init__(self, message: str, locations: Sequence[Location] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.locations = list(locations)
