"""Elision detection: decided from the diff and the syntax trees, never from the words of a comment."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipelines.edit.elision import Elision, find_elisions, splice
from pipelines.edit.shapes import line_shapes
from tests.pipelines.edit.conftest import GEO

DIST_BODY = "    dx = a[0] - b[0]\n    dy = a[1] - b[1]\n"
VECTOR = """class Vector:
    def __init__(self, x, y):
        self.x = x
        self.y = y

    def __repr__(self):
        return f"Vector({self.x}, {self.y})"

    def norm(self):
        return math.hypot(self.x, self.y)

    def dot(self, other):
        return self.x * other.x + self.y * other.y
"""


def spans(elisions: list[Elision]) -> list[tuple[int | None, list[tuple[int, int]]]]:
    """Each elision as (its first new line, the original line ranges of each candidate)."""
    return [(e.start, [(r.start, r.end) for r in e.candidates]) for e in elisions]


def test_line_shapes_tell_notes_stubs_and_code_apart_by_tokens() -> None:
    text = 'x = "# not a comment"  # trailing\n# alone\n"""a\n... string"""\n'
    text += "pass  # unchanged\n...\n\ny = [\n  # inside\n  1]\n"
    assert line_shapes(text, python=True) == [
        "code",
        "note",
        "note",
        "note",
        "stub",
        "stub",
        "blank",
        "code",
        "code",
        "code",
    ]


def test_other_languages_are_shaped_by_their_comment_markers() -> None:
    assert line_shapes("// ... existing code ...\nlet x = 1;\n  -- sql\n", python=False) == ["note", "code", "note"]


@pytest.mark.parametrize(
    "marker",
    [
        "# ... existing code ...",
        "# 其余代码保持不变",
        "# Rest des Codes bleibt unverändert",
        "# [original body]",
        "# resto del código sin cambios",
        "...",
        '"""unchanged"""',
    ],
)
def test_any_stand_in_where_code_was_lost_is_an_elision_whatever_its_words(marker: str) -> None:
    new = GEO.replace(DIST_BODY, f"    {marker}\n")
    assert spans(find_elisions(GEO, new, "geo.py")) == [(5, [(5, 6)])]


def test_a_placeholder_that_replaced_nothing_is_not_an_elision() -> None:
    new = GEO.replace("def norm(v):\n", "# ... the fast path is below ...\ndef norm(v):\n")
    assert find_elisions(GEO, new, "geo.py") == []


def test_an_elision_of_code_that_moved_elsewhere_loses_nothing() -> None:
    moved = GEO.replace(
        "def dist(a, b):", "# ... dist moved below ...\n\n\ndef _unused():\n    pass\n\n\ndef dist(a, b):"
    )
    assert find_elisions(GEO, moved, "geo.py") == []


def test_lines_that_also_occur_elsewhere_still_count_as_lost() -> None:
    original = "def a(xs):\n    out = []\n    for x in xs:\n        out.append(x)\n    return out\n\n\n"
    original += "def b(xs):\n    out = []\n    for x in xs:\n        out.append(x)\n    return out\n"
    new = original.replace(
        "def b(xs):\n    out = []\n    for x in xs:\n        out.append(x)\n", "def b(xs):\n    # same as a\n"
    )
    assert spans(find_elisions(original, new, "m.py")) == [(9, [(9, 11)])]


@pytest.mark.parametrize(
    "comment",
    [
        "# hypot handles the remaining ones, overflow etc.",
        "# results unchanged; rest of the work is done in C",
        '"""Same as before, but in one call."""',
    ],
)
def test_a_new_comment_above_new_code_is_never_a_placeholder(comment: str) -> None:
    body = DIST_BODY + "    return math.sqrt(dx * dx + dy * dy)\n"
    new = GEO.replace(body, f"    {comment}\n    return math.hypot(a[0] - b[0], a[1] - b[1])\n")
    assert find_elisions(GEO, new, "geo.py") == []


def test_a_hash_inside_a_string_is_not_a_comment() -> None:
    new = GEO.replace(
        "    return math.sqrt(sum(x * x for x in v))\n",
        '    tag = "# ... existing code ..."\n    return math.hypot(*v)\n',
    )
    assert find_elisions(GEO, new, "geo.py") == []


def test_a_comment_explaining_one_removed_statement_is_an_edit() -> None:
    original = "def f(xs):\n    print('debug', xs)\n    return sorted(xs)\n"
    new = "def f(xs):\n    # no debug output: it cost 30% of the time\n    return sorted(xs)\n"
    assert find_elisions(original, new, "m.py") == []


def test_deleting_code_with_nothing_in_its_place_is_an_edit() -> None:
    last_function_gone = GEO.split("\n\ndef norm")[0] + "\n"
    main_block = GEO + '\n\nif __name__ == "__main__":\n    print(norm([3, 4]))\n'
    constant_moved = "import math\n\nSCALE = 2\n" + GEO.replace("import math\n", "")
    assert find_elisions(GEO, last_function_gone, "geo.py") == []
    assert find_elisions(main_block, GEO, "geo.py") == []
    assert find_elisions(GEO + "\nSCALE = 2\n", constant_moved, "geo.py") == []


def test_protocol_abstract_and_overload_stubs_are_real_bodies() -> None:
    original = "from abc import ABC, abstractmethod\n\n\nclass Shape(ABC):\n    def area(self):\n        return 0.0\n"
    new = (
        "from abc import ABC, abstractmethod\nfrom typing import Protocol, overload\n\n\nclass Shape(ABC):\n"
        "    @abstractmethod\n    def area(self):\n        pass\n\n\n"
        "class Sized(Protocol):\n    def size(self) -> int: ...\n"
    )
    assert find_elisions(original, new, "shapes.py") == []


def test_a_body_cut_down_to_a_docstring_stands_for_the_original_body() -> None:
    new = GEO.replace(DIST_BODY + "    return math.sqrt(dx * dx + dy * dy)\n", '    """Distance."""\n')
    [elision] = find_elisions(GEO, new, "geo.py")
    assert (elision.kind, elision.shown, spans([elision])) == ("stub", "dist, now only a docstring", [(5, [(5, 7)])])


def test_a_pass_body_is_a_deliberate_no_op_when_nothing_needed_its_result() -> None:
    original = "def trace(msg):\n    print(msg)\n\n\ndef f(x):\n    trace(x)\n    return x\n"
    assert find_elisions(original, original.replace("    print(msg)\n", "    pass\n"), "m.py") == []


def test_a_stub_far_from_the_removed_method_stands_for_it() -> None:
    head = "class R:\n    def __init__(self):\n        self.items = []\n\n"
    original = head + "    def largest(self):\n        return max(self.items)\n"
    new = head + "\ndef largest(r):\n    # include original method body\n    pass\n"
    elisions = find_elisions(original, new, "r.py")
    assert spans(elisions) == [(7, [(6, 6)])]
    assert splice(new, elisions)[0].endswith("def largest(r):\n    return max(self.items)\n")


def test_a_comment_naming_lost_definitions_stands_for_them_wherever_it_is() -> None:
    new = VECTOR.replace(VECTOR[VECTOR.index("    def __repr__") : VECTOR.index("    def dot")], "")
    new += "\n    # __repr__ and norm as above\n"
    elisions = find_elisions(VECTOR, new, "vector.py")
    assert spans(elisions) == [(9, [(6, 10)])]
    assert "    def __repr__(self):" in splice(new, elisions)[0].split("def dot")[1]


def test_a_name_lost_in_two_classes_is_ambiguous_and_names_both() -> None:
    a = "class A:\n    def __init__(self):\n        self.a = 1\n\n    def f(self):\n        return self.a\n\n\n"
    b = a.replace("A", "B").replace(".a", ".b")
    drop = "    def __init__(self):\n        self.{0} = 1\n\n"
    new = a.replace(drop.format("a"), "") + b.replace(drop.format("b"), "") + "# __init__ as above\n"
    [elision] = find_elisions(a + b, new, "ab.py")
    assert ([(r.start, r.end) for r in elision.candidates], elision.resolvable) == ([(2, 3), (10, 11)], False)


def test_a_placeholder_closing_a_class_stands_for_the_methods_it_lost() -> None:
    new = VECTOR.replace(VECTOR[VECTOR.index("    def __repr__") : VECTOR.index("    def dot")], "")
    new += "\n    # (the others are unchanged)\n"
    assert spans(find_elisions(VECTOR, new, "vector.py")) == [(9, [(6, 10)])]


def test_two_placeholders_between_the_same_lines_cannot_be_split() -> None:
    new = GEO.replace(DIST_BODY, "    # ... setup ...\n    scale = 1\n    # ... more ...\n")
    elisions = find_elisions(GEO, new, "geo.py")
    assert [(e.start, e.sure) for e in elisions] == [(5, False), (7, False)]


def test_a_cut_inside_an_original_line_is_truncation_even_when_it_parses() -> None:
    cut = GEO[: GEO.index("dy = a[1]") + len("dy = a")] + "\n"
    [elision] = find_elisions(GEO, cut, "geo.py")
    assert (elision.kind, elision.start, elision.candidates[0].start) == ("truncated", None, 6)


def test_a_marker_inside_a_multi_line_string_stands_for_the_code_it_replaced() -> None:
    new = GEO.replace("def norm(v):\n    return math.sqrt(sum(x * x for x in v))\n", '"""\nnorm: as it was\n"""\n')
    assert spans(find_elisions(GEO, new, "geo.py")) == [(10, [(10, 11)])]


def test_other_languages_are_checked_by_line_shape() -> None:
    original = "function f(a) {\n  const b = a * 2;\n  const c = b + 1;\n  return c;\n}\n"
    new = "function f(a) {\n  // ... existing code ...\n  return c;\n}\n"
    assert spans(find_elisions(original, new, "src/f.js")) == [(2, [(2, 3)])]


def test_splice_puts_the_region_back_and_says_where_it_is() -> None:
    new = GEO.replace(DIST_BODY, "    # ... existing code ...\n").replace("sqrt(sum(x * x for x in v))", "hypot(*v)")
    text, placed = splice(new, find_elisions(GEO, new, "geo.py"))
    assert text == GEO.replace("sqrt(sum(x * x for x in v))", "hypot(*v)")
    assert [(start, end) for _, start, end in placed] == [(5, 6)]


def test_an_empty_original_has_nothing_to_lose() -> None:
    assert find_elisions("", "# ...\n", "geo.py") == []


CODE_LINE = st.from_regex(r"[a-z]{1,6} = [a-z0-9]{1,6}( \+ [a-z0-9]{1,4})?", fullmatch=True)


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(CODE_LINE, min_size=1, max_size=30), index=st.integers(min_value=0), replacement=CODE_LINE)
@example(lines=["a = 00"], index=0, replacement="a = 0")  # the last line cut short, with nothing lost after it
def test_changing_one_line_to_real_code_is_never_an_elision(lines: list[str], index: int, replacement: str) -> None:
    original = "\n".join(lines) + "\n"
    changed = list(lines)
    changed[index % len(lines)] = replacement
    assert find_elisions(original, "\n".join(changed) + "\n", "m.py") == []


@settings(max_examples=60, deadline=None)
@given(lines=st.lists(CODE_LINE, min_size=2, max_size=30, unique=True), cut=st.integers(min_value=1))
@example(lines=["a = aa", "aa = 0"], cut=1)  # a name used before the lost tail binds it never relied on it
def test_deleting_a_tail_with_nothing_in_its_place_is_never_an_elision(lines: list[str], cut: int) -> None:
    original = "\n".join(lines) + "\n"
    kept = lines[: 1 + cut % (len(lines) - 1)]
    assert find_elisions(original, "\n".join(kept) + "\n", "m.py") == []
