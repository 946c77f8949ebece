"""What every edit tool shares: its result type, the state of a session, argument checking and file access.

An edit tool is a small class with `name`, `spec()` and `run(args)`; `run` either returns a `ToolResult` or
raises `ToolRefused` with a message for the model. Nothing is written when a tool refuses. `Tool` is the common
base: a tool declares its `name`, `description` and `schema` and implements `apply(checked_args)`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from pipelines.edit.errors import Location, ToolRefused
from pipelines.edit.ledger import FailureLog, TurnLedger
from pipelines.edit.resolve import Mode
from pipelines.edit.text import Document, syntax_error
from pipelines.edit.workspace import Workspace


@dataclass
class ToolResult:
    text: str
    """What the model sees."""
    ok: bool
    """False for a refused or failed call."""
    changed: list[str] = field(default_factory=list)
    """Repo-relative files whose content changed."""
    locations: list[Location] = field(default_factory=list)
    """Where an edit landed, or (for a refusal) the places the message points at, best first."""
    resolved: list[Location] = field(default_factory=list)
    """Where original code the model had elided was put back (`agent.elisions: resolve`)."""
    reverted: list[str] = field(default_factory=list)
    """Files a command changed that were restored (not editable, or elided code that could not be put back)."""


@dataclass
class EditContext:
    """The state one agent's tools share."""

    workspace: Workspace
    tools: frozenset[str]
    """The tool names enabled in this session (messages only suggest these)."""
    ledger: TurnLedger = field(default_factory=TurnLedger)
    failures: FailureLog = field(default_factory=FailureLog)
    bash_timeout: float = 120.0
    elisions: Mode = "resolve"
    """What writing tools do with elided code: put back what a placeholder clearly stands for, or refuse."""

    def editable(self, path: str) -> str:
        """The normalized path if the agent may edit it; else a refusal naming the files it may edit."""
        rel = self.resolve(path)
        if not self.workspace.is_target(rel):
            targets = ", ".join(self.workspace.target_paths()[:10]) or "none exist yet"
            globs = ", ".join(self.workspace.target_globs)
            raise ToolRefused(
                f"{rel} is not an editable file: only files matching {globs} may be edited ({targets}). "
                "Other files are read-only; view_file can still show them."
            )
        return rel

    def resolve(self, path: str) -> str:
        try:
            return self.workspace.normalize(path)
        except ValueError as e:
            raise ToolRefused(f"{e}. Paths are relative to the repo root, e.g. 'src/module.py'.") from e

    def load(self, rel: str) -> Document:
        """The file as a Document; a refusal if it is missing or not UTF-8 text."""
        document = self.load_if_exists(rel)
        if document is None:
            raise ToolRefused(self.missing(rel))
        return document

    def load_if_exists(self, rel: str) -> Document | None:
        """The file as a Document, None if there is no file at `rel`; a refusal if it is not UTF-8 text."""
        try:
            return Document.parse(self.workspace.read_text(rel))
        except FileNotFoundError:
            return None
        except UnicodeDecodeError:
            raise ToolRefused(f"{rel} is not UTF-8 text; the edit tools only change text files.") from None

    def missing(self, rel: str) -> str:
        targets = self.workspace.target_paths()
        hint = f" Editable files: {', '.join(targets[:10])}." if targets else ""
        return f"{rel} does not exist.{hint}"

    def check_syntax(self, rel: str, before: str | None, after: str) -> None:
        """Refuse `after` when it breaks the Python syntax that `before` had (a new file must parse)."""
        error = syntax_error(rel, after)
        if error is not None and (before is None or syntax_error(rel, before) is None):
            raise ToolRefused(f"Refused: the result would not parse as Python; nothing was written. {rel}, {error}")

    def suggest(self, *names: str) -> str:
        """`a` / `a or b`: the named tools that are enabled."""
        enabled = [name for name in names if name in self.tools]
        return " or ".join(enabled)


class EditTool(Protocol):
    name: str

    def spec(self) -> dict[str, Any]:
        """The Anthropic tool definition: {name, description, input_schema}."""
        ...

    def run(self, args: Mapping[str, object]) -> ToolResult: ...


class Tool:
    """An `EditTool` over a shared `EditContext`: `run` checks the arguments against `schema`, then `apply`s them."""

    name: str
    description: ClassVar[str]
    schema: ClassVar[dict[str, Any]]

    def __init__(self, context: EditContext) -> None:
        self._context = context

    def spec(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "input_schema": self.schema}

    def run(self, args: Mapping[str, object]) -> ToolResult:
        return self.apply(check_args(self.name, self.schema, args))

    def apply(self, checked: dict[str, Any]) -> ToolResult:
        """Do the edit with arguments that match `schema` (optional ones may be absent); or raise ToolRefused."""
        raise NotImplementedError


def arguments(required: Sequence[str], **properties: tuple[str, str]) -> dict[str, Any]:
    """A flat JSON schema of an object: each property as (type, description); `required` names the mandatory ones."""
    return {
        "type": "object",
        "properties": {key: {"type": kind, "description": text} for key, (kind, text) in properties.items()},
        "required": list(required),
    }


PATH = ("string", "File path relative to the repo root.")


def check_args(tool: str, schema: Mapping[str, Any], args: Mapping[str, object]) -> dict[str, Any]:
    """`args` validated against a flat JSON schema of strings and integers; a refusal saying what is wrong."""
    props: Mapping[str, Mapping[str, Any]] = schema["properties"]
    usage = f"{tool} takes " + ", ".join(
        f"{k} ({v['type']}{'' if k in schema['required'] else ', optional'})" for k, v in props.items()
    )
    if not isinstance(args, Mapping):
        raise ToolRefused(f"{tool}: the input must be an object. {usage}.")
    unknown = sorted(set(args) - set(props))
    if unknown:
        raise ToolRefused(f"{tool}: unknown argument {', '.join(map(repr, unknown))}. {usage}.")
    missing = [k for k in schema["required"] if k not in args]
    if missing:
        raise ToolRefused(f"{tool}: missing argument {', '.join(map(repr, missing))}. {usage}.")
    for key, value in args.items():
        expected = props[key]["type"]
        valid = (
            isinstance(value, str) if expected == "string" else isinstance(value, int) and not isinstance(value, bool)
        )
        if not valid and not (value is None and key not in schema["required"]):
            raise ToolRefused(
                f"{tool}: {key!r} must be {_article(expected)} {expected}, not {type(value).__name__}. {usage}."
            )
    return {k: v for k, v in args.items() if v is not None}


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"
