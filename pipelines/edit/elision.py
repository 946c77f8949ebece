"""Finding elisions: new text that stands for original code instead of containing it.

Decided from the diff and the syntax trees, never from wording, so any phrasing in any language is caught and no
word in a new comment or string triggers it (forms from aider#104, aider#1832 and Aider's laziness benchmark):

    stub body    a def/class whose body became a docstring, `...` or `pass` while the original had code: the same
                 definition, or one of the same name elsewhere (a method removed, a stub added at the end). Abstract
                 methods, overloads and Protocol members are exempt; so is a `pass` that makes a function a no-op.
    placeholder  a comment, string or stub statement standing between the kept lines around original code that is
                 lost; or far from it, naming the lost definitions, or closing the class or module that lost them.
    truncated    the text stops inside an original line, or stops early leaving names of the lost tail undefined.

A comment right above changed code, or right after it within the same block, is about that code; so is a comment
in place of a single statement (its removal explained); unless it starts or ends with an ellipsis or the removed
names are still used. Deleting code with nothing in its place is an
edit. `find_elisions` names the original lines each elision stands for; `splice` puts them back where certain.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from pipelines.edit.alignment import align
from pipelines.edit.regions import Loss, Region, indentation
from pipelines.edit.shapes import BLANK, CODE, NOTE, STUB, line_shapes
from pipelines.edit.structure import outline
from pipelines.edit.stub_bodies import stub_bodies
from pipelines.edit.text import is_python, shorten, split_lines

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_STAND_IN = re.compile(r"""\s*(#|//|/\*|\*|--|<!--|[rRbBuUfF]{0,2}["']|\.\.\.|…|pass\b)""")
Run = tuple[int, int]
"""0-based inclusive lines of the new text that together stand in for something."""


@dataclass(frozen=True)
class Elision:
    kind: str
    """"placeholder", "stub" or "truncated"."""
    start: int | None
    """1-based lines of the new text that stand in for the lost code; None when the text ends early."""
    end: int | None
    shown: str
    """The stand-in as written (for a stub body: whose body and what is left of it)."""
    candidates: tuple[Region, ...]
    """What it may stand for: one region when the place is identified, several when it is ambiguous."""
    sure: bool = True
    """False when another placeholder stands between the same kept lines, so the split between them is unknown."""

    @property
    def resolvable(self) -> bool:
        return self.kind != "truncated" and self.sure and len(self.candidates) == 1

    def describe(self, mark: Callable[[int], str], where: str = "the original") -> str:
        """One sentence for the model; `mark(line)` names a line of the new text ("your line 7")."""
        if self.start is None:
            return f"your content ends where {where} goes on: its {self.candidates[0]} are missing (truncated?)"
        line = min(self.start, self.end or self.start)
        what = mark(line) + (f": the body of {self.shown}," if self.kind == "stub" else f" `{self.shown}`")
        if len(self.candidates) > 1:
            listed = "; ".join(f"{n}. {region}" for n, region in enumerate(self.candidates, 1))
            return f"{what} could stand for any of {len(self.candidates)} places in {where}: {listed}"
        text = f"{what} stands where {where} has {self.candidates[0]}"
        if not self.sure:
            text += "; another placeholder stands between the same lines, so which part each one replaces is unclear"
        return text


def find_elisions(before: str, after: str, path: str, tails: bool = True) -> list[Elision]:
    """The places where `after` leaves out code of `before`, in order. `tails`: also look for truncation (only
    meaningful when `after` is a whole file)."""
    a, b = split_lines(before), split_lines(after)
    if not any(line.strip() for line in a) or not (tails or _may_stand_in(a, b)):
        return []
    python = is_python(path)
    stub_file = path.endswith(".pyi")
    loss = Loss(
        align(a, b, line_shapes(before, python), line_shapes(after, python)),
        outline(before, stub_file) if python else None,
        outline(after, stub_file) if python else None,
    )
    found = [Elision("stub", *fields) for fields in stub_bodies(loss)]
    found += _placeholders(loss)
    if tails:
        found += _truncation(loss)
    return sorted(found, key=lambda e: (e.start is None, e.start or 0))


def _may_stand_in(a: list[str], b: list[str]) -> bool:
    """Whether the changed lines of `b` have anything that could stand in for code (a cheap test that spares a
    `replace` in a big file the full analysis)."""
    head = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
    tail = next((k for k, (x, y) in enumerate(zip(a[::-1], b[::-1], strict=False)) if x != y), min(len(a), len(b)))
    changed = b[head : max(head, len(b) - tail)]
    return any(_STAND_IN.match(line) or '"""' in line or "'''" in line for line in changed)


def splice(after: str, elisions: list[Elision]) -> tuple[str, list[tuple[Elision, int, int]]]:
    """`after` with every resolvable elision replaced by its region, and where each region now is (1-based)."""
    lines = split_lines(after)
    placed: list[tuple[Elision, int, int]] = []
    shift = 0
    for elision in sorted((e for e in elisions if e.resolvable), key=lambda e: e.start or 0):
        assert elision.start is not None and elision.end is not None
        region = elision.candidates[0].lines
        first = elision.start - 1 + shift
        lines[first : elision.end + shift] = region
        placed.append((elision, first + 1, first + max(len(region), 1)))
        shift += len(region) - (elision.end - elision.start + 1)
    text = "\n".join(lines)
    return (text + "\n" if lines and (after.endswith("\n") or not after) else text), placed


def _placeholders(loss: Loss) -> list[Elision]:
    runs = _runs(loss)
    near = {run: hit for run in runs if (hit := _near(loss, run)) is not None}
    by_anchors: dict[tuple[int, int], list[Run]] = {}
    for run, (anchors, _) in near.items():
        by_anchors.setdefault(anchors, []).append(run)
    found = {run: replace(elision, sure=len(by_anchors[anchors]) == 1) for run, (anchors, elision) in near.items()}
    for elision in found.values():
        _claim(loss, elision)
    for rule in (_named, _trailing):
        for run in runs:
            if run not in found and (far := rule(loss, run)) is not None:
                found[run] = far
                _claim(loss, far)
    return list(found.values())


def _claim(loss: Loss, elision: Elision) -> None:
    loss.claimed_a.update(i for r in elision.candidates for s, e in r.parts for i in range(s - 1, e))
    if elision.start is not None and elision.end is not None:
        loss.claimed_b.update(range(elision.start - 1, elision.end))


def _runs(loss: Loss) -> list[Run]:
    """New comments, strings and stub statements, grouped when only blank lines separate them."""
    aligned, trivial = loss.aligned, _stub_body_lines(loss)
    runs: list[Run] = []
    for j, shape in enumerate(aligned.sb):
        if shape not in (NOTE, STUB) or j not in aligned.fresh or j in trivial or j in loss.claimed_b:
            continue
        if runs and all(aligned.sb[k] == BLANK for k in range(runs[-1][1] + 1, j)):
            runs[-1] = (runs[-1][0], j)
        else:
            runs.append((j, j))
    return runs


def _stub_body_lines(loss: Loss) -> set[int]:
    """New lines inside definitions whose whole body is a stub: those are judged by `stub_bodies` alone."""
    if loss.new is None:
        return set()
    return {j for b in loss.new.blocks if b.trivial for j in range(b.body_start - 1, loss.body_end(b))}


def _near(loss: Loss, run: Run) -> tuple[tuple[int, int], Elision] | None:
    """A run standing between the same anchors as lost original code."""
    aligned, (s, e) = loss.aligned, run
    low, high = aligned.anchor_before(s), aligned.anchor_after(e)
    indent = indentation(aligned.b[s])
    lost = loss.outside(loss.lost_code(low + 2, high), indent)
    if not lost:
        return None
    stub = any(aligned.sb[j] == STUB for j in range(s, e + 1))
    plain = not stub and not loss.left_dangling(lost) and not _has_ellipsis(loss, run)
    if plain and (_describes(loss, run) or loss.one_statement(lost)):
        return None
    gone = [i for i in range(low + 1, high) if (i in aligned.gone or i in aligned.lost) and i not in loss.claimed_a]
    gone = loss.outside(gone, indent)
    region = loss.region(min(gone), max(gone))
    return (low, high), Elision("placeholder", s + 1, e + 1, _shown(loss, run), (region,))


def _named(loss: Loss, run: Run) -> Elision | None:
    """A standalone run naming definitions that are lost elsewhere (`# __repr__ and norm as above`)."""
    if _describes(loss, run):
        return None
    words = set(_IDENTIFIER.findall(" ".join(loss.aligned.b[run[0] : run[1] + 1])))
    named = [b for b in loss.lost_blocks() if b.last_name in words]
    if not named:
        return None
    scope = loss.scope_of(run[0])
    indent = indentation(loss.aligned.b[run[0]])
    for name in {b.last_name for b in named}:
        same = [b for b in named if b.last_name == name]
        if len(same) > 1 and len(local := [b for b in same if b.parent == scope]) == 1:
            named = [b for b in named if b.last_name != name or b is local[0]]
    names = [b.last_name for b in named]
    if len(set(names)) < len(names):
        regions = tuple(loss.region(b.start - 1, b.end - 1, indent) for b in named)
    else:
        regions = (loss.joined([(b.start - 1, b.end - 1) for b in named], indent),)
    return Elision("placeholder", run[0] + 1, run[1] + 1, _shown(loss, run), regions)


def _trailing(loss: Loss, run: Run) -> Elision | None:
    """A standalone run closing a class or module whose other statements are lost (`# ... other methods ...`)."""
    aligned, (s, e) = loss.aligned, run
    later = [line for line in aligned.b[e + 1 :] if line.strip()]
    if _describes(loss, run) or (later and len(indentation(later[0])) >= len(indentation(aligned.b[e]))):
        return None
    scope = loss.scope_of(s)
    statements = loss.lost_statements(scope) if scope is not None else []
    if not statements:
        return None
    groups: list[list[int]] = []
    for statement in statements:
        if groups and all(aligned.sa[i] != CODE for i in range(groups[-1][1] + 1, statement.start - 1)):
            groups[-1][1] = statement.end - 1
        else:
            groups.append([statement.start - 1, statement.end - 1])
    indent = indentation(aligned.b[s])
    regions = tuple(loss.region(first, last, indent) for first, last in groups)
    return Elision("placeholder", s + 1, e + 1, _shown(loss, run), regions)


def _truncation(loss: Loss) -> list[Elision]:
    """The text ends inside an original line, or early with the lost tail's names still in use."""
    aligned = loss.aligned
    a, b = aligned.a, aligned.b
    written = [j for j, shape in enumerate(aligned.sb) if shape != BLANK]
    if not written:
        code = [i for i, shape in enumerate(aligned.sa) if shape != BLANK]
        return [Elision("truncated", None, None, "", (loss.region(code[0], code[-1]),))]
    last = written[-1]
    if last in aligned.kept:
        cut = aligned.anchors[last] + 1
        tail = loss.lost_code(cut + 1, len(a))
        if not tail or not loss.left_dangling(tail):
            return []
    else:
        low = aligned.anchor_before(last)
        cut = next((i for i in range(low + 1, len(a)) if a[i].strip() and i in aligned.deleted), len(a))
        mine, theirs = b[last].strip(), a[cut].strip() if cut < len(a) else ""
        if not (theirs.startswith(mine) and theirs != mine and loss.lost_code(cut + 2, len(a))):
            return []
    end = max(i for i, shape in enumerate(aligned.sa) if shape != BLANK)
    first = next(i for i in range(cut, end + 1) if a[i].strip())
    return [Elision("truncated", None, None, "", (loss.region(first, end),))]


def _describes(loss: Loss, run: Run) -> bool:
    """The run is a comment on changed code: right above it (a header), or right after it and before more code of
    the same block (a remark). Either way that code, not the comment, took the place of what was removed."""
    aligned, (s, e) = loss.aligned, run
    depth = len(indentation(aligned.b[s]))

    def changed_code(j: int, deeper: bool) -> bool:
        if not 0 <= j < len(aligned.b) or aligned.sb[j] != CODE:
            return False
        other = len(indentation(aligned.b[j]))
        return j not in aligned.kept and (other >= depth if deeper else other == depth)

    below = e + 1 < len(aligned.b) and aligned.sb[e + 1] == CODE and len(indentation(aligned.b[e + 1])) == depth
    return changed_code(e + 1, deeper=True) or (changed_code(s - 1, deeper=False) and below)


def _has_ellipsis(loss: Loss, run: Run) -> bool:
    """Some line of the run starts or ends with an ellipsis, the one mark of omission every language shares (an
    ellipsis inside a sentence is prose)."""
    for line in loss.aligned.b[run[0] : run[1] + 1]:
        text = line.strip().lstrip("#/*-<!'\"").rstrip("*/->'\"").strip().strip("()[]{}").strip()
        if text.startswith(("...", "…")) or text.endswith(("...", "…")):
            return True
    return False


def _shown(loss: Loss, run: Run) -> str:
    lines = [line for line in loss.aligned.b[run[0] : run[1] + 1] if line.strip()]
    return shorten(lines[0], 60) + (" …" if len(lines) > 1 else "")
