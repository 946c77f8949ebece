"""What each line of a text is made of, so that a placeholder can be told from code by its shape, not its words.

    BLANK  nothing but whitespace
    NOTE   a comment on a line of its own, or a string that is a statement of its own (docstrings included)
    STUB   a statement that does nothing: `pass`, `...` (a trailing comment allowed)
    CODE   anything else — a line with real code stays CODE whatever its trailing comment says

Python is read with `tokenize`, so a `#` inside a string is not a comment and a marker inside a multi-line string
is found wherever the string spans. Other languages, and whatever tokenize cannot reach, go by the line's first
characters (`#`, `//`, `/*`, `*`, `--`, `<!--`).
"""

from __future__ import annotations

import io
import tokenize
from typing import Literal

from pipelines.edit.text import split_lines

Shape = Literal["blank", "note", "stub", "code"]
BLANK: Shape = "blank"
NOTE: Shape = "note"
STUB: Shape = "stub"
CODE: Shape = "code"

_COMMENT_STARTS = ("#", "//", "/*", "*", "--", "<!--")
_STUBS = ("pass", "...", "…")
_SKIPPED = (tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.COMMENT, tokenize.ENCODING)


def line_shapes(text: str, python: bool) -> list[Shape]:
    """The shape of every line of `text` (lines as `split_lines` counts them)."""
    lines = split_lines(text)
    shapes = [_by_prefix(line, python) for line in lines]
    if python:
        _tokenized(text, shapes)
    return shapes


def _by_prefix(line: str, python: bool) -> Shape:
    stripped = line.strip()
    if not stripped:
        return BLANK
    if stripped.startswith(("#",) if python else _COMMENT_STARTS):
        return NOTE
    head = stripped.split("#", 1)[0].strip() if python else stripped
    if head in _STUBS or stripped in _STUBS:
        return STUB
    return CODE


def _tokenized(text: str, shapes: list[Shape]) -> None:
    """Refine `shapes` in place from Python's tokens; lines after a tokenize error keep their prefix shape."""
    logical: list[tokenize.TokenInfo] = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                _classify(logical, shapes)
                logical = []
            elif token.type not in _SKIPPED:
                logical.append(token)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return


def _classify(logical: list[tokenize.TokenInfo], shapes: list[Shape]) -> None:
    """Give the lines of one logical line their shape: a string statement is a NOTE, `pass`/`...` a STUB."""
    if not logical:
        return
    first, last = logical[0].start[0], logical[-1].end[0]
    if all(t.type == tokenize.STRING for t in logical):
        shape: Shape = NOTE
    elif len(logical) == 1 and logical[0].string in _STUBS:
        shape = STUB
    else:
        shape = CODE
    for line in range(first, last + 1):
        if line - 1 < len(shapes) and (shape != CODE or shapes[line - 1] != BLANK):
            shapes[line - 1] = shape
