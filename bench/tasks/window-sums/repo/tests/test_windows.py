import pytest

from windows import window_sums


def test_every_window_including_the_last():
    assert window_sums([1, 2, 3, 4, 5], 2) == [3, 5, 7, 9]


def test_window_as_long_as_the_input_gives_one_sum():
    assert window_sums([4, -1, 7], 3) == [10]


def test_window_longer_than_the_input_gives_none():
    assert window_sums([1, 2], 3) == []


def test_window_of_one_is_the_input():
    assert window_sums([5, 0, -2], 1) == [5, 0, -2]


def test_non_positive_k_is_refused():
    with pytest.raises(ValueError):
        window_sums([1, 2, 3], 0)
