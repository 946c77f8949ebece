"""What original code a new text lost: where it was, what it is called, and the lines that would put it back.

`Loss` wraps an `Alignment` with the outlines of both texts (None for text that does not parse or is not Python)
and keeps track of which original and new lines an elision has already claimed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pipelines.edit.alignment import Alignment
from pipelines.edit.shapes import BLANK, CODE, NOTE
from pipelines.edit.structure import Block, Outline, Statement
from pipelines.edit.text import shorten


@dataclass(frozen=True)
class Region:
    """Original lines an elision may stand for, and the text that would put them back."""

    parts: tuple[tuple[int, int], ...]
    """1-based inclusive line ranges of the original."""
    names: tuple[str, ...]
    """The definitions in it (`Grid.cell`), or the one around it (`in dist`)."""
    first: str
    last: str
    lines: tuple[str, ...]
    """The lines to splice in, indented for the place they go."""

    @property
    def start(self) -> int:
        return self.parts[0][0]

    @property
    def end(self) -> int:
        return self.parts[-1][1]

    def __str__(self) -> str:
        spans = [f"{s}-{e}" if s != e else str(s) for s, e in self.parts]
        count = "lines" if len(spans) > 1 or "-" in spans[0] else "line"
        shown = f"`{self.first}`" if self.first == self.last else f"`{self.first}` … `{self.last}`"
        names = f"{', '.join(self.names)}: " if self.names else ""
        return f"{count} {' and '.join(spans)} ({names}{shown})"


@dataclass
class Loss:
    aligned: Alignment
    old: Outline | None
    new: Outline | None
    claimed_a: set[int] = field(default_factory=set)
    claimed_b: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.dangling: set[str] = set()
        if self.old and self.new:
            # A name the new text loads only as it runs, and that the original bound only after loading it there,
            # never relied on that binding: losing it is no sign of lost code.
            old, new = self.old, self.new
            self.dangling = {
                name
                for name in new.dangling() & old.bound.keys()
                if name in new.deferred or min(old.bound[name]) < old.first_load.get(name, min(old.bound[name]) + 1)
            }

    def left_dangling(self, lines: Iterable[int]) -> set[str]:
        """Names bound on these original lines (0-based) that the new text still uses but no longer binds."""
        if self.old is None:
            return set()
        rows = {i + 1 for i in lines}
        return {name for name in self.dangling if self.old.bound[name] & rows}

    def region(self, first: int, last: int, indent: str | None = None) -> Region:
        """Original lines first..last (0-based, inclusive); re-indented to `indent` when given."""
        a = self.aligned.a
        lines = a[first : last + 1]
        if indent is not None:
            lines = reindent(lines, indentation(a[first]), indent)
        names = self.names_in(first + 1, last + 1)
        return Region(((first + 1, last + 1),), names, shorten(a[first], 40), shorten(a[last], 40), tuple(lines))

    def joined(self, spans: list[tuple[int, int]], indent: str) -> Region:
        """Several original spans (0-based, inclusive) as one region, separated as definitions are at `indent`."""
        a, lines = self.aligned.a, list[str]()
        for first, last in spans:
            if lines:
                lines += [""] * (1 if indent else 2)
            lines += reindent(a[first : last + 1], indentation(a[first]), indent)
        names = tuple(n for first, last in spans for n in self.names_in(first + 1, last + 1))
        parts = tuple((first + 1, last + 1) for first, last in spans)
        return Region(parts, names, shorten(a[spans[0][0]], 40), shorten(a[spans[-1][1]], 40), tuple(lines))

    def names_in(self, start: int, end: int) -> tuple[str, ...]:
        """The outermost definitions inside original lines start..end (1-based), else the one around them."""
        if self.old is None:
            return ()
        inside = _outermost([b for b in self.old.blocks if start <= b.start and b.end <= end])
        if inside:
            return tuple(b.name for b in inside)
        around = [b for b in self.old.blocks if b.start <= start and end <= b.end]
        return (f"in {around[-1].name}",) if around else ()

    def lost_code(self, first: int, last: int) -> list[int]:
        """Unclaimed lost code lines among original lines first..last (1-based)."""
        return [i for i in range(first - 1, last) if i in self.aligned.lost and i not in self.claimed_a]

    def mostly_lost(self, first: int, last: int) -> bool:
        """Original lines first..last (1-based) lost their first code line and at least half of the others (none of
        them claimed): a line the new code happens to repeat does not save the statement it was part of."""
        code = [i for i in range(first - 1, last) if self.aligned.sa[i] == CODE]
        lost = [i for i in code if i in self.aligned.lost]
        claimed = any(i in self.claimed_a for i in range(first - 1, last))
        return bool(code) and code[0] in lost and 2 * len(lost) >= len(code) and not claimed

    def lost_blocks(self) -> list[Block]:
        """Original definitions that are lost, outermost only."""
        if self.old is None:
            return []
        return _outermost([b for b in self.old.blocks if self.mostly_lost(b.start, b.end)])

    def lost_statements(self, parent: str) -> list[Statement]:
        """Original statements directly in `parent` ("" = module) that are lost, in order."""
        if self.old is None:
            return []
        return [s for s in self.old.statements if s.parent == parent and self.mostly_lost(s.start, s.end)]

    def outside(self, lines: list[int], indent: str) -> list[int]:
        """Original lines (0-based) minus those inside a definition that the new text keeps (its `def` line is
        anchored) and that a stand-in indented `indent` is not inside: those belong to that definition's rewrite."""
        if self.old is None:
            return lines
        anchored = set(self.aligned.anchors.values())
        kept = [b for b in self.old.blocks if b.line - 1 in anchored]
        a = self.aligned.a

        def foreign(i: int) -> bool:
            around = [b for b in kept if b.body_start <= i + 1 <= b.end]
            return bool(around) and len(indent) <= len(indentation(a[around[-1].line - 1]))

        return [i for i in lines if not foreign(i)]

    def one_statement(self, lines: list[int]) -> bool:
        """The original lines (0-based) all belong to one simple statement."""
        if self.old is None:
            return len(lines) == 1
        owners = set()
        for i in lines:
            around = [s for s in self.old.statements if s.start <= i + 1 <= s.end]
            if not around:
                return False
            owners.add(min(around, key=lambda s: s.end - s.start))
        return len(owners) == 1 and not next(iter(owners)).label

    def scope_of(self, j: int) -> str | None:
        """Dotted name of the definition new line `j` (0-based) is in, "" at module level; None if unknown."""
        if self.new is None:
            return None
        b = self.aligned.b

        def holds(block: Block) -> bool:
            depth = len(indentation(b[block.line - 1]))
            return block.line - 1 < j and all(
                not line.strip() or len(indentation(line)) > depth for line in b[block.line : j + 1]
            )

        inside = [block for block in self.new.blocks if holds(block)]
        return inside[-1].name if inside else ""

    def body_end(self, block: Block) -> int:
        """Last line (1-based) of `block` in the new text, counting comment lines after its last statement."""
        b, sb = self.aligned.b, self.aligned.sb
        depth, end, j = len(indentation(b[block.line - 1])), block.end, block.end
        while j < len(b) and (sb[j] == BLANK or (sb[j] == NOTE and len(indentation(b[j])) > depth)):
            if sb[j] == NOTE:
                end = j + 1
            j += 1
        return end


def _outermost(blocks: list[Block]) -> list[Block]:
    return [b for b in blocks if not any(o is not b and o.start <= b.start and b.end <= o.end for o in blocks)]


def indentation(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def reindent(lines: list[str], old: str, new: str) -> list[str]:
    """`lines` with the prefix `old` swapped for `new`; blank lines emptied, less indented lines left alone."""
    if old == new:
        return list(lines)
    return [
        new + line[len(old) :] if line.startswith(old) and line.strip() else line.strip() and line for line in lines
    ]
