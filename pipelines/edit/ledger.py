"""What the tools remember between calls: the edits of the current turn and repeated failures.

The turn ledger knows which lines each edit of the current assistant turn wrote, in today's coordinates and
in the coordinates of the file as it was when the turn began. That lets `replace` tell "you are editing text
another call of this turn already changed" from "this text is not in the file", and lets every refusal name
the edits that did apply so the model does not resend them.

The failure log counts refused `replace` calls per region, across turns, so a model stuck on one place is
told to switch to `rewrite_symbol` or `write_file` (LLMKube#1025).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from pipelines.edit.errors import Location
from pipelines.edit.text import split_lines

ESCALATE_AFTER = 2
"""Failed `replace` calls on one region after which the refusal suggests a bigger tool."""


@dataclass
class Span:
    number: int
    """1-based position of the edit in its turn."""
    tool: str
    path: str
    start: int
    end: int
    """0-based half-open line range the edit wrote, in the file as it is now."""
    orig_start: int
    orig_end: int
    """The lines it replaced, in the file as it was when the turn began."""
    key: tuple[str, str, str] | None = None
    """(path, old, new) for `replace` calls, to recognise a call sent twice."""

    def location(self) -> Location:
        return Location(self.path, self.start + 1, max(self.start + 1, self.end))

    def lines(self) -> tuple[int, int]:
        """The current range, at least one line long (a deletion touches the line where it happened)."""
        return self.start, max(self.end, self.start + 1)

    def original_lines(self) -> tuple[int, int]:
        return self.orig_start, max(self.orig_end, self.orig_start + 1)


@dataclass
class TurnLedger:
    spans: list[Span] = field(default_factory=list)
    count: int = 0
    turn_start: dict[str, str] = field(default_factory=dict)

    def reset(self) -> None:
        self.spans.clear()
        self.count = 0
        self.turn_start.clear()

    def record_lines(
        self, tool: str, path: str, start: int, old_end: int, new_end: int, key: tuple[str, str, str] | None = None
    ) -> None:
        """One edit turned current lines [start, old_end) into [start, new_end)."""
        self.count += 1
        self._apply(Span(self.count, tool, path, start, new_end, 0, 0, key), old_end)

    def record_change(self, tool: str, path: str, before: str, after: str) -> None:
        """A whole-file change (write_file, bash): every differing block becomes one span of this edit."""
        self.count += 1
        a, b = split_lines(before), split_lines(after)
        blocks = [op for op in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if op[0] != "equal"]
        # Later blocks first, so the shifts of one do not move the coordinates of the next.
        for _, i1, i2, j1, j2 in reversed(blocks):
            self._apply(Span(self.count, tool, path, i1, i1 + (j2 - j1), 0, 0), i2)

    def touching(self, path: str, start: int, end: int) -> Span | None:
        """An edit of this turn overlapping current lines [start, end)."""
        return next((s for s in self.spans if s.path == path and _overlap(start, end, *s.lines())), None)

    def touching_original(self, path: str, start: int, end: int) -> Span | None:
        """An edit of this turn overlapping lines [start, end) of the file as it began the turn."""
        return next((s for s in self.spans if s.path == path and _overlap(start, end, *s.original_lines())), None)

    def same_call(self, key: tuple[str, str, str]) -> Span | None:
        return next((s for s in self.spans if s.key == key), None)

    def summary(self) -> str:
        """One line naming the edits that applied in this turn ('' if none)."""
        if not self.spans:
            return ""
        done: dict[int, list[str]] = {}
        for span in sorted(self.spans, key=lambda s: (s.number, s.start)):
            done.setdefault(span.number, []).append(str(span.location()))
        named = "; ".join(f"#{n} {', '.join(where)}" for n, where in done.items())
        return f"Edits of this turn that did apply (they are in the file now; don't resend them): {named}."

    def _apply(self, new: Span, old_end: int) -> None:
        delta = (new.end - new.start) - (old_end - new.start)
        merged = [
            s for s in self.spans if s.path == new.path and _overlap(new.start, max(old_end, new.start + 1), *s.lines())
        ]
        new.orig_start = self._to_original(new.path, new.start)
        new.orig_end = self._to_original(new.path, old_end)
        for span in merged:
            new.orig_start = min(new.orig_start, span.orig_start)
            new.orig_end = max(new.orig_end, span.orig_end)
            self.spans.remove(span)
        for span in self.spans:
            if span.path == new.path and span.start >= old_end:
                span.start += delta
                span.end += delta
        self.spans.append(new)

    def _to_original(self, path: str, line: int) -> int:
        shift = sum(
            (s.end - s.start) - (s.orig_end - s.orig_start) for s in self.spans if s.path == path and s.end <= line
        )
        return line - shift


@dataclass
class FailureLog:
    """Refused `replace` calls per (path, line range), across turns."""

    failures: list[tuple[str, int, int, int]] = field(default_factory=list)

    def record(self, path: str, start: int, end: int) -> int:
        """Count one more failure at 1-based lines [start, end]; returns how many there have been there."""
        for i, (p, s, e, n) in enumerate(self.failures):
            if p == path and _overlap(start, end + 1, s, e + 1):
                self.failures[i] = (p, min(s, start), max(e, end), n + 1)
                return n + 1
        self.failures.append((path, start, end, 1))
        return 1

    def clear(self, path: str, start: int, end: int) -> None:
        self.failures = [f for f in self.failures if not (f[0] == path and _overlap(start, end + 1, f[1], f[2] + 1))]


def _overlap(a1: int, a2: int, b1: int, b2: int) -> bool:
    return a1 < b2 and b1 < a2
