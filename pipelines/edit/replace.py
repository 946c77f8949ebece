"""`replace`: swap one exact, unique occurrence of `old` for `new`. Never a guess.

Every way it can go wrong has its own message (SWE-agent style: short, specific, what to do next):
no match (with the closest regions and a diff), several matches (their lines), `old == new`, an edit that is
already in the file, an edit overlapping another one of the same turn, and a result that no longer parses.
"""

from __future__ import annotations

from typing import Any

from pipelines.edit.base import PATH, EditContext, Tool, ToolResult, arguments
from pipelines.edit.errors import Location, ToolRefused
from pipelines.edit.ledger import ESCALATE_AFTER, Span
from pipelines.edit.matching import Region, closest_regions, exact_offsets, region_diff
from pipelines.edit.resolve import Settled, settle
from pipelines.edit.symbols import enclosing
from pipelines.edit.text import line_of, snippet, split_lines

NEAR_MATCH = 0.9
"""A region this similar to a missing `old` outweighs finding `new` elsewhere (see _refuse_if_new_present)."""
MAX_LISTED = 20
"""Line numbers listed for an ambiguous match."""


class Replace(Tool):
    name = "replace"
    description = (
        "Replace one exact occurrence of `old` with `new` in a file. `old` must match the file verbatim (indentation "
        "and blank lines included, no line numbers) and exactly once: add surrounding lines to make it unique. "
        "Nothing is changed when it does not match; the reply then shows the closest regions. Several replace "
        "calls in one turn must not touch the same lines."
    )
    schema = arguments(
        ["path", "old", "new"],
        path=PATH,
        old=("string", "Text to replace: must appear exactly once, whitespace included."),
        new=("string", "The text to put in its place."),
    )

    def __init__(self, context: EditContext) -> None:
        super().__init__(context)
        self._history: dict[tuple[str, str], str] = {}
        """(path, old) → new of every replace that applied in this session."""

    def apply(self, checked: dict[str, Any]) -> ToolResult:
        context = self._context
        rel = context.editable(checked["path"])
        document = context.load(rel)
        old, new, text = document.adopt(checked["old"]), document.adopt(checked["new"]), document.text
        self._check_request(rel, old, new)
        context.ledger.turn_start.setdefault(rel, text)
        offsets = exact_offsets(text, old)
        if len(offsets) > 1:
            self._refuse_ambiguous(rel, text, old, offsets)
        if not offsets:
            self._refuse_missing(rel, text, old, new)
        start = offsets[0]
        first, last = line_of(text, start) - 1, line_of(text, start + len(old) - 1)
        self._refuse_if_applied(rel, text, old, new, start)
        self._refuse_if_overlapping(rel, text, first, last)
        after = text[:start] + new + text[start + len(old) :]
        new_first = line_of(after, start)
        new_last = line_of(after, start + len(new) - 1) if new else new_first
        settled = self._settle(rel, text, after, new_first)
        new_last += len(split_lines(settled.text)) - len(split_lines(after))
        after = settled.text
        context.check_syntax(rel, text, after)
        context.workspace.write_text(rel, document.dump(after))
        context.ledger.record_lines(self.name, rel, first, last, new_last if new else first, key=(rel, old, new))
        context.failures.clear(rel, first + 1, last)
        self._history[(rel, old)] = new
        where = Location(rel, new_first, new_last)
        done = f"the new text is {_lines(where)}" if new else "the lines around it now read"
        reply = f"Replaced {Location(rel, first + 1, last)}; {done}:\n" + snippet(after, new_first, new_last)
        return ToolResult(settled.reply(reply), ok=True, changed=[rel], locations=[where], resolved=settled.spliced)

    def _settle(self, rel: str, text: str, after: str, new_first: int) -> Settled:
        """`after` with any code that `new` elided put back, or a refusal (see `resolve`)."""
        heading = f"Refused: new leaves out code that old has; nothing was changed in {rel}."

        def mark(line: int) -> str:
            return f"line {line - new_first + 1} of new"

        return settle(rel, text, after, self._context.elisions, heading, mark=mark, tails=False)

    def _check_request(self, rel: str, old: str, new: str) -> None:
        if not old:
            raise ToolRefused(
                "old is empty. To insert text, put the line(s) next to where it goes in old, and those lines plus "
                "the insertion in new. To create a file, use write_file."
            )
        if old == new:
            raise ToolRefused("old and new are identical: this replace would change nothing. Nothing was changed.")
        key = (rel, old, new)
        earlier = self._context.ledger.same_call(key)
        if earlier is not None:
            raise ToolRefused(
                f"This is the same replace as #{earlier.number} of this turn, which already applied "
                f"({earlier.location()}). Don't resend it."
            )

    def _refuse_ambiguous(self, rel: str, text: str, old: str, offsets: list[int]) -> None:
        lines = [line_of(text, offset) for offset in offsets]
        height = old.rstrip("\n").count("\n")
        places = [Location(rel, line, line + height) for line in lines]
        self._count_failure(rel, text, places[0])
        shown = ", ".join(map(str, lines[:MAX_LISTED])) + (", …" if len(lines) > MAX_LISTED else "")
        raise ToolRefused(
            f"old matches {len(offsets)} places in {rel} (lines {shown}); nothing was changed. "
            "Include more lines around the one you mean so that old matches exactly once.",
            places,
        )

    def _refuse_missing(self, rel: str, text: str, old: str, new: str) -> None:
        self._refuse_if_stale_in_turn(rel, text, old)
        self._refuse_if_replaced_before(rel, text, old, new)
        regions = closest_regions(text, old)
        note = self._refuse_if_new_present(rel, text, old, new, regions)
        places = [Location(rel, r.start_line, r.end_line) for r in regions]
        message = f"No match: old does not appear verbatim in {rel}; nothing was changed."
        message += self._describe_regions(rel, text, old, regions) or self._elsewhere(rel, old)
        message += note
        if places:
            message += self._count_failure(rel, text, places[0])
        raise ToolRefused(message, places)

    def _refuse_if_new_present(self, rel: str, text: str, old: str, new: str, regions: list[Region]) -> str:
        """`old` is gone and a substantial `new` is in the file: most likely applied already — unless another
        region nearly matches `old` (then that is probably what the model meant, and only a note is returned)."""
        hit = text.find(new) if new.strip() and ("\n" in new.strip() or len(new.strip()) >= 30) else -1
        if hit == -1:
            return ""
        where = Location(rel, line_of(text, hit), line_of(text, hit + len(new.rstrip("\n")) - 1))
        other = [r for r in regions if r.end_line < where.start_line or r.start_line > where.end_line]
        if other and other[0].score >= NEAR_MATCH:
            return f"\n(Your new text already appears at {where}, in case that was the edit you meant.)"
        raise ToolRefused(
            f"old is not in {rel}, but new already is ({where}): this edit looks applied already. Don't resend it."
            + self._describe_regions(rel, text, old, other, "\nIf you meant another place, it may be:"),
            [where],
        )

    def _refuse_if_replaced_before(self, rel: str, text: str, old: str, new: str) -> None:
        earlier = self._history.get((rel, old))
        if earlier is None:
            return
        if earlier == new:
            raise ToolRefused(
                f"This replace was already applied in an earlier turn; old is no longer in {rel}. "
                "Don't resend it; view_file shows the current text."
            )
        hit = text.find(earlier) if earlier else -1
        if hit == -1:
            raise ToolRefused(
                f"No match: an earlier replace already changed this old text in {rel}. "
                "view_file shows the current text; copy old from it."
            )
        where = Location(rel, line_of(text, hit), line_of(text, hit + max(len(earlier.rstrip("\n")), 1) - 1))
        raise ToolRefused(
            f"No match: an earlier replace already changed this old text in {rel}; its replacement is at {where}:\n"
            f"{snippet(text, where.start_line, where.end_line)}\nCopy old from the current text.",
            [where],
        )

    def _describe_regions(self, rel: str, text: str, old: str, regions: list[Region], heading: str = "") -> str:
        if not regions:
            return ""
        parts = [heading or "\nThe closest region" + ("s are:" if len(regions) > 1 else " is:")]
        for number, region in enumerate(regions, start=1):
            span = Location(rel, region.start_line, region.end_line)
            parts.append(f"{number}. {span} ({region.note}); diff from your old to the file:")
            parts.append(region_diff(old, text, region, rel))
        parts.append("Copy old exactly from the file (view_file shows it; leave out the line numbers).")
        return "\n".join(parts)

    def _elsewhere(self, rel: str, old: str) -> str:
        workspace = self._context.workspace
        for other in workspace.target_paths()[:20]:
            if other != rel:
                try:
                    found = old in workspace.read_text(other)
                except (FileNotFoundError, UnicodeDecodeError):
                    continue
                if found:
                    return f" It does appear in {other}: did you mean path={other!r}?"
        return " Nothing in the file is similar; view_file shows its current text."

    def _refuse_if_applied(self, rel: str, text: str, old: str, new: str, start: int) -> None:
        """`new` contains `old` and is already there around it: resending an insertion would double it."""
        if old not in new:
            return
        begin = start - new.index(old)
        if begin >= 0 and text[begin : begin + len(new)] == new:
            where = Location(rel, line_of(text, begin), line_of(text, begin + len(new.rstrip("\n")) - 1))
            raise ToolRefused(
                f"new is already in {rel} at {where}: this edit is applied already. Don't resend it.", [where]
            )

    def _refuse_if_overlapping(self, rel: str, text: str, first: int, last: int) -> None:
        span = self._context.ledger.touching(rel, first, last)
        if span is None:
            return
        raise _overlap_refusal(
            text,
            span,
            f"old overlaps {span.location()}, which edit #{span.number} of this turn just wrote; nothing was "
            "changed. Calls in one turn can't see each other's results, so overlapping edits go wrong.",
            "If you still need a change there, send one replace against this text.",
        )

    def _refuse_if_stale_in_turn(self, rel: str, text: str, old: str) -> None:
        """`old` was in the file when this turn began, but another call of this turn has changed those lines."""
        before = self._context.ledger.turn_start.get(rel, text)
        offsets = exact_offsets(before, old) if before != text else []
        if len(offsets) != 1:
            return
        first, last = line_of(before, offsets[0]) - 1, line_of(before, offsets[0] + len(old) - 1)
        span = self._context.ledger.touching_original(rel, first, last)
        if span is None:
            return
        raise _overlap_refusal(
            text,
            span,
            f"old overlaps the lines that edit #{span.number} of this turn changed (now {span.location()}); "
            "nothing was changed. Calls in one turn can't see each other's results.",
            "Send one replace against this text that makes both changes.",
        )

    def _count_failure(self, rel: str, text: str, place: Location) -> str:
        """Log a failure at `place`; from the ESCALATE_AFTER-th one on, the advice to use a bigger tool."""
        count = self._context.failures.record(rel, place.start_line, place.end_line)
        if count < ESCALATE_AFTER:
            return ""
        definition = enclosing(text, place.start_line, place.end_line)
        advice = f"\nreplace has failed {count} times around {place}. Stop retrying it here: "
        if definition is not None and "rewrite_symbol" in self._context.tools:
            return advice + (
                f"use rewrite_symbol with symbol={rel}::{definition.name!s} and the whole new "
                f"definition (lines {definition.start_line}-{definition.end_line})."
            )
        if "write_file" in self._context.tools:
            return advice + f"use write_file with the complete new content of {rel}."
        return advice + "view_file the region first and copy old from it character for character."


def _overlap_refusal(text: str, span: Span, problem: str, advice: str) -> ToolRefused:
    """The refusal of an `old` that overlaps lines another call of this turn changed, showing them as they read now."""
    now = snippet(text, span.start + 1, max(span.end, span.start + 1))
    return ToolRefused(f"{problem} Those lines now read:\n{now}\n{advice}", [span.location()])


def _lines(where: Location) -> str:
    if where.start_line == where.end_line:
        return f"line {where.start_line}"
    return f"lines {where.start_line}-{where.end_line}"
