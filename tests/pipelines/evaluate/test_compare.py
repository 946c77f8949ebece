"""The judge's output comparison, on outcomes as they come back from workers (encoded, then decoded)."""

from __future__ import annotations

from typing import Any

import pytest

from pipelines.evaluate.inside import wire
from pipelines.evaluate.inside.compare import describe, first_difference


def outcome(value: object, *args: object) -> list[Any]:
    """An outcome as the judge sees it: through the worker's encoding and the judge's decoding."""
    decoded: list[Any] = wire.loads(wire.pack([["r", value, [list(args), {}]]]))[0]
    return decoded


def unchanged(value: object) -> list[Any]:
    """An outcome whose call left its arguments as they came in (the worker sends SAME for them)."""
    decoded: list[Any] = wire.loads(wire.pack([["r", value, wire.SAME]]))[0]
    return decoded


def raised(kind: str, message: str) -> list[Any]:
    decoded: list[Any] = wire.loads(wire.pack([["x", [kind, message], wire.SAME]]))[0]
    return decoded


def differs(a: list[Any], b: list[Any]) -> str | None:
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


def test_arguments_left_as_given_are_compared_against_the_input_only_when_one_side_changed_them() -> None:
    asked: list[bool] = []

    def given(arguments: list[Any]) -> Any:
        return lambda: asked.append(True) or arguments

    assert first_difference(unchanged(1), unchanged(1), 1e-9, 1e-12, given([[9], {}])) is None
    assert not asked  # both left their input alone: the input is never fetched
    # The candidate sorted its input in place where the baseline left it alone: compared against the input itself.
    found = first_difference(unchanged(1), outcome(1, [1, 2, 3]), 1e-9, 1e-12, given([[[3, 1, 2]], {}]))
    assert found is not None and "changed its input" in found and asked
    # Changed and put back as it was (a different pickle, the same values): no difference.
    assert first_difference(unchanged(1), outcome(1, [3, 1, 2]), 1e-9, 1e-12, given([[[3, 1, 2]], {}])) is None
    assert first_difference(outcome(1, [3, 1, 2]), unchanged(1), 1e-9, 1e-12, given([[[3, 1, 2]], {}])) is None
    # Nothing to compare against: a difference, never a pass.
    assert differs(unchanged(1), outcome(1, [1, 2, 3])) is not None


def test_arguments_that_are_not_what_the_worker_sends_are_a_forged_answer() -> None:
    forged = wire.loads(wire.pack([["r", 1, "anything"]]))[0]
    assert "forged" in (first_difference(outcome(1, [1]), forged, 1e-9, 1e-12) or "")


def test_raising_where_the_baseline_returned_is_a_difference() -> None:
    assert differs(outcome(5), raised("KeyError", "'x'")) == "raised KeyError: 'x' where the baseline returned 5"
    assert differs(raised("KeyError", "'x'"), raised("KeyError", "'y'")) is None
    assert describe(raised("KeyError", "'x'")) == "raised KeyError: 'x'"


def test_plain_objects_compare_by_their_attributes() -> None:
    class Box:
        def __init__(self, v: float) -> None:
            self.v = v

    assert differs(outcome(Box(1.0)), outcome(Box(1.0))) is None
    assert (
        differs(outcome(Box(1.0)), outcome(Box(2.0))) == "the return value (Box)['v']: 2.0 where the baseline gave 1.0"
    )


def test_an_object_that_says_it_equals_anything_is_compared_as_data() -> None:
    class Liar(float):
        def __eq__(self, other: object) -> bool:
            return True

        def __hash__(self) -> int:
            return 0

    found = differs(outcome(2.5), outcome(Liar(0.0)))
    assert found is not None and "Liar" in found and "where the baseline gave float 2.5" in found


def test_numpy_arrays_compare_with_the_tolerance() -> None:
    numpy = pytest.importorskip("numpy")
    assert differs(outcome(numpy.array([0.3])), outcome(numpy.array([0.1 + 0.2]))) is None
    found = differs(outcome(numpy.zeros((2, 2))), outcome(numpy.eye(2)))
    assert found is not None and found.startswith("the return value[0, 0]: ")


def test_an_answer_that_is_not_an_outcome_is_a_difference_not_a_crash() -> None:
    for forged in ([], ["r", 1], "r", ["r", 1, wire.SAME, 4], ["x", "boom", wire.SAME], ["?", 1, wire.SAME]):
        found = first_difference(outcome(1), forged, 1e-9, 1e-12)
        assert found is not None and "forged" in found, forged
