"""The in-sandbox output comparison (plain Python, so it is tested directly)."""

from __future__ import annotations

import pytest

from pipelines.evaluate.compare import first_difference


def outcome(value: object, *args: object) -> dict:
    return {"returned": value, "args": list(args), "kwargs": {}}


def differs(a: dict, b: dict) -> str | None:
    return first_difference(a, b, rel_tol=1e-9, abs_tol=1e-12)


def test_floats_within_the_tolerance_are_equal() -> None:
    assert differs(outcome(0.1 + 0.2), outcome(0.3)) is None
    assert differs(outcome([1.0, float("nan")]), outcome([1.0, float("nan")])) is None


def test_a_float_beyond_the_tolerance_is_named_with_its_place() -> None:
    assert differs(outcome({"a": [1.0, 2.0]}), outcome({"a": [1.0, 2.001]})) == (
        "the return value['a'][1]: 2.001 where the baseline gave 2.0"
    )


def test_a_different_type_is_a_difference() -> None:
    assert (
        differs(outcome([1, 2]), outcome((1, 2)))
        == "the return value: tuple (1, 2) where the baseline gave list [1, 2]"
    )


def test_a_changed_input_is_a_difference() -> None:
    found = differs(outcome(1, [3, 1, 2]), outcome(1, [1, 2, 3]))
    assert found is not None and found.startswith("the arguments after the call[0][0]") and "changed its input" in found


def test_raising_where_the_baseline_returned_is_a_difference() -> None:
    raised = {"raised": "KeyError", "message": "'x'", "args": [], "kwargs": {}}
    assert differs(outcome(5), raised) == "raised KeyError: 'x' where the baseline returned 5"
    assert differs(raised, dict(raised)) is None


def test_plain_objects_compare_by_their_attributes() -> None:
    class Box:
        def __init__(self, v: float) -> None:
            self.v = v

    assert differs(outcome(Box(1.0)), outcome(Box(1.0))) is None
    assert differs(outcome(Box(1.0)), outcome(Box(2.0))) is not None


def test_numpy_arrays_compare_with_the_tolerance() -> None:
    numpy = pytest.importorskip("numpy")
    assert differs(outcome(numpy.array([0.3])), outcome(numpy.array([0.1 + 0.2]))) is None
    found = differs(outcome(numpy.zeros((2, 2))), outcome(numpy.eye(2)))
    assert found is not None and found.startswith("the return value[0, 0]: ")
