"""Finding where a model's `old` text is, and — when it is nowhere exactly — what it most likely meant.

The cascade follows CodeMonkeys and Gemini CLI: exact (the only thing ever applied), then whitespace-
insensitive, then fuzzy (difflib). The last two only produce `Region`s to *show* the model.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from pipelines.edit.text import split_lines

FUZZY_THRESHOLD = 0.6
"""Least similarity (difflib ratio on whitespace-collapsed lines) for a region to be suggested."""
MAX_DIFF_LINES = 24
RUNNER_UP_MARGIN = 0.1
"""Regions scoring this much below the best one are not shown: they would only be noise."""
_SCAN_FLOOR = FUZZY_THRESHOLD - 0.15
"""Windows of `old`'s length at least this similar are refined with one line more or less."""
_REFINED = 12
_LINE_NUMBER = re.compile(r"^\s*\d+\t")
_SPACE_NAMES = {"\xa0": "non-breaking space", "\u202f": "narrow non-breaking space"}


@dataclass(frozen=True)
class Region:
    """A suggested place: 1-based inclusive lines, how similar it is (1.0 = equal but for whitespace)."""

    start_line: int
    end_line: int
    score: float
    note: str


def exact_offsets(text: str, needle: str) -> list[int]:
    """Every offset where `needle` starts, overlapping occurrences included."""
    found: list[int] = []
    start = text.find(needle)
    while start != -1:
        found.append(start)
        start = text.find(needle, start + 1)
    return found


def closest_regions(text: str, old: str, limit: int = 3) -> list[Region]:
    """Up to `limit` non-overlapping regions of `text` most like `old`, best first."""
    old_lines = _trimmed(old)
    lines = split_lines(text)
    if not old_lines or not lines:
        return []
    flat = [_collapse(line) for line in lines]
    flat_old = [_collapse(line) for line in old_lines]
    scored = _whitespace_matches(flat, flat_old) + _fuzzy_matches(flat, flat_old)
    scored.sort(key=lambda item: (-item[2], item[0]))
    chosen: list[tuple[int, int, float]] = []
    for start, end, score in scored:
        if score < scored[0][2] - RUNNER_UP_MARGIN:
            break
        if all(end <= s or start >= e for s, e, _ in chosen):
            chosen.append((start, end, score))
        if len(chosen) == limit:
            break
    return [Region(s + 1, e, score, _describe(old_lines, lines[s:e], score, s + 1)) for s, e, score in chosen]


def region_diff(old: str, text: str, region: Region, path: str) -> str:
    """A unified diff from the model's `old` to the file's lines in `region` (capped)."""
    actual = split_lines(text)[region.start_line - 1 : region.end_line]
    diff = list(
        difflib.unified_diff(
            _trimmed(old), actual, "your old", f"{path} lines {region.start_line}-{region.end_line}", lineterm=""
        )
    )[2:]
    if len(diff) > MAX_DIFF_LINES:
        diff = [*diff[:MAX_DIFF_LINES], f"... ({len(diff) - MAX_DIFF_LINES} more diff lines)"]
    return "\n".join(diff)


def _trimmed(old: str) -> list[str]:
    lines = old.split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


def _collapse(line: str) -> str:
    return " ".join(line.split())


def _whitespace_matches(flat: list[str], flat_old: list[str]) -> list[tuple[int, int, float]]:
    """Windows equal to `old` once whitespace is collapsed; `old` may start and end mid-line."""
    n = len(flat_old)
    found = []
    for i in range(len(flat) - n + 1):
        window = flat[i : i + n]
        if n == 1:
            hit = bool(flat_old[0]) and flat_old[0] in window[0]
        else:
            hit = (
                window[0].endswith(flat_old[0])
                and window[-1].startswith(flat_old[-1])
                and window[1:-1] == flat_old[1:-1]
            )
        if hit:
            found.append((i, i + n, 1.0))
    return found


def _fuzzy_matches(flat: list[str], flat_old: list[str]) -> list[tuple[int, int, float]]:
    """Windows of about `old`'s length whose similarity reaches FUZZY_THRESHOLD (score kept below 1.0).

    Every window of `old`'s own length is scored; only around the best of those are windows one line shorter
    or longer tried (a dropped or added line), which keeps a search in a 3,000-line file well under a second."""
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2("\n".join(flat_old))
    n = len(flat_old)

    def score(start: int, size: int) -> float:
        if start < 0 or size < 1 or start + size > len(flat):
            return 0.0
        matcher.set_seq1("\n".join(flat[start : start + size]))
        if matcher.real_quick_ratio() < _SCAN_FLOOR or matcher.quick_ratio() < _SCAN_FLOOR:
            return 0.0
        return matcher.ratio()

    same_size = [(i, n, score(i, n)) for i in range(len(flat) - n + 1)]
    best = sorted((c for c in same_size if c[2] >= _SCAN_FLOOR), key=lambda c: -c[2])[:_REFINED]
    nearby = {(i + di, n + dn) for i, _, _ in best for di in (-1, 0, 1) for dn in (-1, 1)}
    scored = same_size + [(i, size, score(i, size)) for i, size in nearby]
    return [(i, i + size, min(value, 0.99)) for i, size, value in scored if value >= FUZZY_THRESHOLD]


def _describe(old_lines: list[str], actual: list[str], score: float, first_line: int) -> str:
    if all(_LINE_NUMBER.match(line) for line in old_lines if line.strip()):
        return f"{round(score * 100)}% similar; your old starts its lines with view_file's line numbers"
    if unicodedata.normalize("NFC", "\n".join(old_lines)) == unicodedata.normalize("NFC", "\n".join(actual)):
        return "the same text, but its accented letters are encoded differently (Unicode normalization)"
    if score < 1.0:
        return f"{round(score * 100)}% similar"
    for number, (mine, theirs) in enumerate(zip(old_lines, actual, strict=False), start=first_line):
        odd = _odd_whitespace(mine, theirs, number)
        if odd:
            return "the same except for whitespace: " + odd
    for mine, theirs in zip(old_lines, actual, strict=False):
        if mine.strip() == theirs.strip() and mine != theirs:
            return "the same except for whitespace: " + _indent_difference(mine, theirs)
    return "the same except for whitespace"


def _odd_whitespace(mine: str, theirs: str, number: int) -> str:
    """Names a whitespace character other than space and tab that one side has and the other lacks."""
    for text, other, whose in ((theirs, mine, f"line {number} of the file"), (mine, theirs, "your old")):
        for column, char in enumerate(text, start=1):
            if char.isspace() and char not in " \t" and char not in other:
                if char == "\r":
                    return (
                        f"{whose} ends with a carriage return (\\r, a CRLF line ending) and the other does not; "
                        "the file mixes CRLF and LF line endings"
                    )
                name = _SPACE_NAMES.get(char) or unicodedata.name(char, "unnamed character").lower()
                return f"{whose} has a {name} (U+{ord(char):04X}) at column {column} where the other has a plain space"
    return ""


def _indent_difference(mine: str, theirs: str) -> str:
    def indent(line: str) -> str:
        return line[: len(line) - len(line.lstrip())]

    a, b = indent(mine), indent(theirs)
    if a == b:
        return "spacing inside or at the end of a line differs"
    return f"the file indents with {_spell(b)} where yours has {_spell(a)}"


def _spell(indent: str) -> str:
    if not indent:
        return "no indentation"
    tabs, spaces = indent.count("\t"), indent.count(" ")
    parts = [f"{tabs} tab{'s' * (tabs != 1)}"] if tabs else []
    parts += [f"{spaces} space{'s' * (spaces != 1)}"] if spaces else []
    return " and ".join(parts)
