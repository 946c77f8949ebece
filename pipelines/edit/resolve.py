"""What every writing tool does with elisions (`agent.elisions` in .perfbot.yml).

    resolve (default)  a placeholder that clearly stands for one original region is replaced by that region, and the
                       reply says what was put back where; anything ambiguous, and truncation, is refused
    refuse             every elision is refused, naming what would be lost

A refusal names the way out of a false alarm: to delete code, leave nothing in its place, or `replace` it with an
empty `new`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from pipelines.edit.elision import Elision, find_elisions, splice
from pipelines.edit.errors import Location, ToolRefused
from pipelines.edit.text import syntax_error

Mode = Literal["refuse", "resolve"]
MODES: tuple[Mode, ...] = ("refuse", "resolve")
WAY_OUT = (
    "To delete code on purpose, leave nothing in its place (no comment standing for it), or use replace with that "
    "code as old and an empty new."
)


@dataclass(frozen=True)
class Settled:
    """The text to write, and what was put back into it."""

    text: str
    notes: list[str] = field(default_factory=list)
    spliced: list[Location] = field(default_factory=list)
    """Where put-back original lines now are."""

    def report(self) -> str:
        """The paragraph a reply adds about put-back code ('' when nothing was put back)."""
        if not self.notes:
            return ""
        lines = ["Placeholders were replaced by the original code they stand for (nothing of it was deleted):"]
        lines += [f"- {note}" for note in self.notes]
        lines.append("If you meant to delete that code: use replace with it as old and an empty new.")
        return "\n".join(lines)

    def reply(self, text: str) -> str:
        """A tool's reply `text`, followed by the report on put-back code."""
        return "\n".join(filter(None, [text, self.report()]))


def your_line(line: int) -> str:
    return f"your line {line}"


def settle(
    rel: str,
    before: str,
    after: str,
    mode: Mode,
    heading: str,
    mark: Callable[[int], str] = your_line,
    tails: bool = True,
) -> Settled:
    """`after` as it may be written: unchanged, or with elided code put back; else a refusal starting with `heading`."""
    elisions = find_elisions(before, after, rel, tails)
    if not elisions:
        return Settled(after)
    if mode == "refuse" or not all(e.resolvable for e in elisions):
        raise _refusal(rel, elisions, heading, mark)
    text, placed = splice(after, elisions)
    if text == before:
        raise ToolRefused(
            f"With the original code its placeholders stand for, this edit changes nothing in {rel}; nothing was "
            "written. Write out the lines you mean to change."
        )
    if syntax_error(rel, text) is not None and syntax_error(rel, before) is None:
        raise _refusal(rel, elisions, heading, mark, "(Putting the original lines back there would not parse.)")
    notes = [
        f"{elision.describe(mark).replace(' stands where ', ' stood where ', 1)}; they are now {_lines(start, end)}"
        for elision, start, end in placed
    ]
    return Settled(text, notes, [Location(rel, start, end) for _, start, end in placed])


def _refusal(
    rel: str, elisions: list[Elision], heading: str, mark: Callable[[int], str], extra: str = ""
) -> ToolRefused:
    lines = [heading, *(f"- {e.describe(mark, rel)}" for e in elisions)]
    if extra:
        lines.append(extra)
    if any(len(e.candidates) > 1 or not e.sure for e in elisions):
        lines.append("Say which code you mean by writing it out.")
    lines.append(f"Write the left-out code out in full, or change only the part you mean with replace. {WAY_OUT}")
    places = [Location(rel, region.start, region.end) for e in elisions for region in e.candidates]
    return ToolRefused("\n".join(lines), places)


def _lines(start: int, end: int) -> str:
    return f"line {start}" if start == end else f"lines {start}-{end}"
