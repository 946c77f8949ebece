from dedupe import unique_in_order


def test_keeps_the_first_occurrence_order():
    assert unique_in_order([3, 1, 3, 2, 1, 5]) == [3, 1, 2, 5]


def test_order_is_not_sorted_order():
    assert unique_in_order([9, 2, 9, 7, 2, 0]) == [9, 2, 7, 0]


def test_equal_values_of_different_types_collapse_like_equality_says():
    assert unique_in_order([1, 1.0, True, "1"]) == [1, "1"]


def test_empty_and_returns_a_list():
    assert unique_in_order([]) == []
    assert isinstance(unique_in_order((1, 2)), list)
