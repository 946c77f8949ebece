"""Stub bodies: a definition whose body became a docstring, `...` or `pass` while the original one had code.

The original is the definition of the same dotted name; when there is none, one of the same name elsewhere whose
code is lost (Aider's laziness benchmark: a method turned into a function whose body says "original method body
goes here"). What would be put back is the original body, re-indented for its new place; a docstring the new text
kept as it was stays.
"""

from __future__ import annotations

import re

from pipelines.edit.regions import Loss, Region, indentation, reindent
from pipelines.edit.shapes import BLANK, NOTE, STUB
from pipelines.edit.structure import Block
from pipelines.edit.text import shorten

_SAME_LINE_STUB = re.compile(r"^(?P<head>.*:)\s*(?:\.\.\.|pass|…)\s*(?:#.*)?$")
StubFields = tuple[int, int, str, tuple[Region, ...], bool]
"""start, end (1-based new lines to replace), what is left, candidates, sure."""


def stub_bodies(loss: Loss) -> list[StubFields]:
    if loss.old is None or loss.new is None:
        return []
    found = []
    for block in loss.new.blocks:
        if not block.trivial or block.exempt:
            continue
        origins = _origins(loss, block)
        if not origins or _deliberate_no_op(loss, block, origins):
            continue
        found.append(_stub(loss, block, origins))
    return found


def _deliberate_no_op(loss: Loss, block: Block, origins: list[Block]) -> bool:
    """`pass` alone (after the original docstring, if any) where nothing needed a result: a function made a no-op."""
    noted = any(loss.aligned.sb[j] == NOTE for j in range(block.doc_end, loss.body_end(block)))
    own_doc = block.doc_end < block.body_start or _docstring(loss.aligned.b, block) == _docstring(
        loss.aligned.a, origins[0]
    )
    return block.no_op and own_doc and not noted and not any(o.returns_value for o in origins)


def _origins(loss: Loss, block: Block) -> list[Block]:
    """The original definitions `block`'s stub may stand for."""
    assert loss.old is not None and loss.new is not None
    same = [o for o in loss.old.blocks if o.name == block.name]
    if same:
        return [o for o in same if not o.trivial and loss.lost_code(o.body_start, o.end)]
    if any(n is not block and n.last_name == block.last_name and not n.trivial for n in loss.new.blocks):
        return []
    return [
        o
        for o in loss.old.blocks
        if o.last_name == block.last_name
        and o.kind == block.kind
        and not o.trivial
        and loss.mostly_lost(o.body_start, o.end)
    ]


def _stub(loss: Loss, block: Block, origins: list[Block]) -> StubFields:
    a, b = loss.aligned.a, loss.aligned.b
    keep_doc = block.doc_end >= block.body_start and _docstring(b, block) == _docstring(a, origins[0])
    start = block.doc_end + 1 if keep_doc else _first_body_line(loss, block)
    end = loss.body_end(block)
    head: list[str] = []
    sure = True
    if block.body_start == block.line:
        match = _SAME_LINE_STUB.match(b[block.line - 1])
        sure = match is not None
        head = [match.group("head")] if match else []
        start = end = block.line
    regions = tuple(_body(loss, block, origin, keep_doc, head) for origin in origins)
    for origin in origins:
        loss.claimed_a.update(range(origin.body_start - 1, origin.end))
    loss.claimed_b.update(range(start - 1, end))
    stubs = {
        "pass" if b[j].strip().startswith("pass") else "..."
        for j in range(start - 1, end)
        if loss.aligned.sb[j] == STUB
    }
    parts = ["a docstring"] * (block.doc_end >= block.body_start) + [f"`{stub}`" for stub in sorted(stubs)]
    what = " and ".join(parts) or "a stub"
    sure = sure and all(o.body_start != o.line for o in origins)
    return start, end, f"{block.name}, now only {what}", regions, sure


def _first_body_line(loss: Loss, block: Block) -> int:
    """The first line of `block`'s body (1-based), counting comment lines above its first statement."""
    shapes, j = loss.aligned.sb, block.body_start - 1
    while j - 1 > block.line - 1 and shapes[j - 1] in (NOTE, BLANK):
        j -= 1
    while shapes[j] == BLANK:
        j += 1
    return j + 1


def _body(loss: Loss, block: Block, origin: Block, keep_doc: bool, head: list[str]) -> Region:
    a, b = loss.aligned.a, loss.aligned.b
    first = origin.doc_end + 1 if keep_doc else origin.body_start
    old_indent = indentation(a[origin.body_start - 1])
    if block.body_start != block.line:
        new_indent = indentation(b[block.body_start - 1])
    else:
        step = old_indent[len(indentation(a[origin.line - 1])) :] or "    "
        new_indent = indentation(b[block.line - 1]) + step
    lines = head + reindent(a[first - 1 : origin.end], old_indent, new_indent)
    shown = (
        shorten(next(line for line in a[first - 1 : origin.end] if line.strip()), 40),
        shorten(a[origin.end - 1], 40),
    )
    return Region(((first, origin.end),), (origin.name,), *shown, tuple(lines))


def _docstring(lines: list[str], block: Block) -> list[str]:
    if block.doc_end < block.body_start:
        return []
    return [line.strip() for line in lines[block.body_start - 1 : block.doc_end]]
