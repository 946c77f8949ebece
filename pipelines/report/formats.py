"""How numbers and text read in a report: times, bytes, speedups, sizes, and Markdown cells that cannot break a table.

Every report the project writes (report.md, the merge request, the bot's replies, report.html) formats through
these, so one value reads the same everywhere. Missing values read "–".
"""

from __future__ import annotations

import math
from typing import Any

from pipelines.evaluate.results import format_bytes, format_seconds

MAX_CELL = 240
TRUNCATED = "\n\n…\n\n_This text was cut to stay within GitLab's limits; the full report has everything._\n"


def seconds(value: float | None) -> str:
    return "–" if value is None else format_seconds(value)


def nbytes(count: int | None) -> str:
    return "–" if count is None else format_bytes(count)


def times(ratio: float | None) -> str:
    """38× / 2.4× / 1.23×: more digits where they matter."""
    if ratio is None or not math.isfinite(ratio):
        return "–"
    return f"{ratio:.0f}×" if ratio >= 10 else f"{ratio:.2f}×" if ratio < 1.995 else f"{ratio:.1f}×"


def short_number(value: Any) -> str:
    """100000 → 100k, 2000000 → 2M, 1600 → 1600."""
    if positive_number(value) and float(value).is_integer():
        n = int(value)
        if n >= 1_000_000 and n % 100_000 == 0:
            return f"{n / 1_000_000:g}M"
        if n >= 10_000 and n % 100 == 0:
            return f"{n / 1000:g}k"
    return str(value)


_AS_TEXT = str.maketrans(
    {
        **{c: "\\" + c for c in "\\`*_[]|~"},
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "@": "@\u200b",
        "#": "#\u200b",
        "!": "!\u200b",
    }
)
"""Markdown and HTML shown as text: emphasis, links, images, code and tables cannot start, tags are not tags, and a
zero-width space keeps GitLab from turning `@user`, `#123` or `!12` into a mention or a cross-reference."""


def cell(value: Any, limit: int = MAX_CELL) -> str:
    """Text for Markdown, from anything a candidate or a model may have written (a reason, an origin, an exception
    message, an agent's summary): on one line, shown as text (never as markup), at most `limit` characters."""
    text = " ".join(str(value if value is not None else "–").split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text.translate(_AS_TEXT)


def code(value: Any, limit: int = MAX_CELL) -> str:
    """Text for inside `backticks` (a path, a command): on one line, no backtick to end the span, pipes escaped
    for tables, at most `limit` characters."""
    text = " ".join(str(value).split()).replace("`", "'").replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def code_block(value: Any, limit: int = MAX_CELL) -> str:
    """Text for inside a ``` fence: fences and HTML comments defused (it cannot end the block or fake a marker),
    at most `limit` characters."""
    text = str(value).replace("```", "`\u200b``").replace("<!--", "<\u200b!--")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def capped(text: str, limit: int | None) -> str:
    """`text`, or its first part with a notice when it is longer than `limit` (the notice fits within it)."""
    if limit is None or len(text) <= limit:
        return text
    return text[: limit - len(TRUNCATED)].rstrip() + TRUNCATED


def positive_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
