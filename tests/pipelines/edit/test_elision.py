"""Elision detection: a placeholder only counts where it stands for original code that is gone."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipelines.edit.elision import find_elisions, is_placeholder

ORIGINAL = """import math


def dist(a, b):
    dx = a[0] - b[0]
    dy = a[1] - b[1]
    return math.sqrt(dx * dx + dy * dy)


def norm(v):
    return math.sqrt(sum(x * x for x in v))
"""


@pytest.mark.parametrize(
    "line",
    [
        "# ... existing code ...",
        "    # ...",
        "// ... rest of the file ...",
        "# rest of the implementation unchanged",
        "    # (other methods omitted for brevity)",
        "    ...",
        "    …",
        '    """... same as before ..."""',
        "    pass  # unchanged",
        "# Remaining helpers as before",
        "    # [...]",
    ],
)
def test_placeholder_shaped_lines_are_recognised(line: str) -> None:
    assert is_placeholder(line)


@pytest.mark.parametrize(
    "line",
    [
        "x = 1",
        "    pass",
        "# sort first, then scan neighbours ... in one pass",
        "    return best",
        '    """Return the mean."""',
        "# Keep the cache small.",
    ],
)
def test_ordinary_lines_are_not_placeholders(line: str) -> None:
    assert not is_placeholder(line)


def test_a_placeholder_that_replaced_nothing_is_not_an_elision() -> None:
    new = ORIGINAL.replace("def norm(v):\n", "# ... the fast path is below ...\ndef norm(v):\n")
    assert find_elisions(ORIGINAL, new, python=True) == []


def test_a_placeholder_for_a_function_names_its_lines() -> None:
    new = ORIGINAL.replace(
        "def dist(a, b):\n    dx = a[0] - b[0]\n    dy = a[1] - b[1]\n    return math.sqrt(dx * dx + dy * dy)\n",
        "# ... dist unchanged ...\n",
    )
    [elision] = find_elisions(ORIGINAL, new, python=True)
    assert (elision.line, elision.lost_start, elision.lost_end) == (4, 4, 7)
    assert elision.lost_first == "def dist(a, b):"


def test_an_elision_of_code_that_moved_elsewhere_loses_nothing() -> None:
    moved = ORIGINAL.replace(
        "def dist(a, b):", "# ... dist moved below ...\n\n\ndef _unused():\n    pass\n\n\ndef dist(a, b):"
    )
    assert find_elisions(ORIGINAL, moved, python=True) == []


def test_an_ellipsis_the_original_had_in_the_same_place_is_kept() -> None:
    original = "class P:\n    def f(self): ...\n\n    def g(self):\n        ...\n\n\ndef h():\n    return 1\n"
    new = original.replace("return 1", "return 2")
    assert find_elisions(original, new, python=True) == []


def test_an_empty_original_has_nothing_to_lose() -> None:
    assert find_elisions("", "# ...\n", python=True) == []


CODE_LINE = st.from_regex(r"[a-z]{1,6} = [a-z0-9]{1,6}( \+ [a-z0-9]{1,4})?", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(CODE_LINE, min_size=1, max_size=30), index=st.integers(min_value=0), replacement=CODE_LINE)
def test_changing_one_line_to_real_code_is_never_an_elision(lines: list[str], index: int, replacement: str) -> None:
    original = "\n".join(lines) + "\n"
    changed = list(lines)
    changed[index % len(lines)] = replacement
    assert find_elisions(original, "\n".join(changed) + "\n", python=True) == []
