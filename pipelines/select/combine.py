"""Merging candidates that changed different regions of the same original (a line-level three-way merge).

Two candidates combine when, file by file, the original line ranges they replaced are disjoint and separated by at
least one unchanged line; otherwise there is no combination (None), never a guess. The merge is only a proposal:
it is measured like any candidate and kept only if it scores best.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Mapping

Hunk = tuple[int, int, list[str]]
"""Original lines [start, end) replaced by these lines."""


def combine_files(original: Mapping[str, str], a: Mapping[str, str], b: Mapping[str, str]) -> dict[str, str] | None:
    """The files of `a` and `b` (each: path -> full new text of the files it changed) merged, or None on overlap."""
    merged = {**a, **b}
    for path in set(a) & set(b):
        if path not in original:
            return None
        text = merge_text(original[path], a[path], b[path])
        if text is None:
            return None
        merged[path] = text
    return merged


def merge_text(base: str, ours: str, theirs: str) -> str | None:
    base_lines = base.splitlines(keepends=True)
    hunks = sorted(hunks_of(base_lines, ours) + hunks_of(base_lines, theirs))
    for (_, end, _), (start, _, _) in itertools.pairwise(hunks):
        if start <= end:  # overlapping or touching: the two edits are not independent
            return None
    out: list[str] = []
    position = 0
    for start, end, lines in hunks:
        out += base_lines[position:start] + lines
        position = end
    return "".join(out + base_lines[position:])


def hunks_of(base_lines: list[str], new: str) -> list[Hunk]:
    new_lines = new.splitlines(keepends=True)
    matcher = difflib.SequenceMatcher(a=base_lines, b=new_lines, autojunk=False)
    return [(i1, i2, new_lines[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]
