"""How a new text lines up with the original it replaces.

A patience diff (patiencediff) gives the kept lines. It anchors on lines that occur once in both
texts, so a blank line or a repeated `return x` cannot pull the alignment off course as a longest-match diff can.
Inside each changed block, rewritten code lines are paired with the original line they most resemble. Together these
are the *anchors*: new lines known to stand where an original line stood. Original code is *lost* when the diff
deletes it and the new text has fewer copies of that line anywhere (so code that moved, or a line like
`return result` that also occurs elsewhere, is counted right).
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field

from patiencediff import PatienceSequenceMatcher

from pipelines.edit.shapes import BLANK, CODE, Shape

SIMILAR = 0.6
"""Least difflib ratio for a rewritten line to be paired with an original line that starts with the same word..."""
ALIKE = 0.8
"""...and with one that does not (`e = len(xs)` is not a rewrite of `a = sorted(xs)`)."""
_HEAD = re.compile(r"\s*([A-Za-z_][\w.]*|\S)")
_WINDOW = 40
"""How far past the last pairing a rewritten line looks for its original (keeps big rewrites linear)."""


@dataclass
class Alignment:
    a: list[str]
    b: list[str]
    sa: list[Shape]
    sb: list[Shape]
    anchors: dict[int, int] = field(default_factory=dict)
    """New line → original line, for kept lines and for rewritten code lines paired with their original (0-based)."""
    kept: set[int] = field(default_factory=set)
    """New lines the diff keeps unchanged."""
    deleted: set[int] = field(default_factory=set)
    """Original lines the diff does not keep in place."""
    lost: set[int] = field(default_factory=set)
    """Deleted original code lines of which the new text has fewer copies than the original."""
    gone: set[int] = field(default_factory=set)
    """Deleted non-blank original lines (comments too) whose text appears nowhere in the new text."""
    fresh: set[int] = field(default_factory=set)
    """Changed new lines whose text the original has fewer copies of (not moved or re-indented old lines)."""

    def anchor_before(self, j: int) -> int:
        """The original line of the nearest anchored new line above new line `j` (-1: none)."""
        return next((self.anchors[k] for k in range(j - 1, -1, -1) if k in self.anchors), -1)

    def anchor_after(self, j: int) -> int:
        """The original line of the nearest anchored new line below new line `j` (len(a): none)."""
        return next((self.anchors[k] for k in range(j + 1, len(self.b)) if k in self.anchors), len(self.a))


def align(a: list[str], b: list[str], sa: list[Shape], sb: list[Shape]) -> Alignment:
    result = Alignment(a, b, sa, sb)
    keys_a, keys_b = [line.strip() for line in a], [line.strip() for line in b]
    ops = PatienceSequenceMatcher(None, [line.rstrip() for line in a], [line.rstrip() for line in b]).get_opcodes()
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            result.anchors.update(zip(range(j1, j2), range(i1, i2), strict=True))
            result.kept.update(range(j1, j2))
            continue
        result.deleted.update(range(i1, i2))
        if tag == "replace":
            result.anchors.update(_pairs(a, b, sa, sb, range(i1, i2), range(j1, j2)))
    count_a, count_b = Counter(keys_a), Counter(keys_b)
    spare = {key: count_a[key] - count_b[key] for key in count_a}
    for i in sorted(result.deleted):
        key = keys_a[i]
        if sa[i] == CODE and spare[key] > 0:
            spare[key] -= 1
            result.lost.add(i)
        if sa[i] != BLANK and count_b[key] == 0:
            result.gone.add(i)
    changed = set(range(len(b))) - result.kept
    result.fresh = {j for j in changed if sb[j] != BLANK and count_b[keys_b[j]] > count_a[keys_b[j]]}
    return result


def _head(line: str) -> str:
    match = _HEAD.match(line)
    return match.group(1) if match else ""


def _pairs(a: list[str], b: list[str], sa: list[Shape], sb: list[Shape], rows: range, cols: range) -> dict[int, int]:
    """Rewritten code lines of one changed block, each paired (in order) with the equally indented original line it
    most resembles. A line indented differently (new code wrapped around an old line) is not paired."""
    pairs: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    floor = rows.start
    for j in cols:
        if sb[j] != CODE:
            continue
        matcher.set_seq2(b[j].strip())
        depth = len(b[j]) - len(b[j].lstrip())
        best, best_score = -1, SIMILAR - 1e-9
        for i in range(floor, min(rows.stop, floor + _WINDOW)):
            if sa[i] != CODE or len(a[i]) - len(a[i].lstrip()) != depth:
                continue
            matcher.set_seq1(a[i].strip())
            if matcher.real_quick_ratio() > best_score and matcher.quick_ratio() > best_score:
                score = matcher.ratio()
                if score > best_score and (score >= ALIKE or _head(a[i]) == _head(b[j])):
                    best, best_score = i, score
        if best >= 0:
            pairs[j] = best
            floor = best + 1
    return pairs
