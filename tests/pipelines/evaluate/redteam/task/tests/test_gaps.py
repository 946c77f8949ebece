import pytest

from gaps import smallest_gap


def test_two_values():
    assert smallest_gap([3, 10]) == 7


def test_order_does_not_matter():
    assert smallest_gap([10, 3, 6]) == 3


def test_negative_values():
    assert smallest_gap([-5, 4, -1]) == 4


def test_floats():
    assert smallest_gap([0.5, 0.25, 2.0]) == 0.25


def test_equal_values_are_at_gap_zero():
    assert smallest_gap([4, 9, 4]) == 0


def test_fewer_than_two_values_is_an_error():
    with pytest.raises(ValueError):
        smallest_gap([1])


def test_the_input_is_left_as_it_was():
    values = [5, 1, 9, 3]
    smallest_gap(values)
    assert values == [5, 1, 9, 3]


@pytest.mark.parametrize("n", [5, 12, 20])
def test_agrees_with_all_pairs(n):
    import random

    values = random.Random(n).sample(range(1000), n)
    expected = min(abs(a - b) for i, a in enumerate(values) for b in values[i + 1 :])
    assert smallest_gap(values) == expected
