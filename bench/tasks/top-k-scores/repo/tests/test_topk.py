from topk import top_k


def test_highest_first_with_their_positions():
    assert top_k([3, 9, 1, 7], 2) == [(1, 9), (3, 7)]


def test_ties_go_to_the_earlier_entry():
    assert top_k([5, 8, 5, 8, 5], 3) == [(1, 8), (3, 8), (0, 5)]


def test_k_larger_than_the_list_or_zero():
    assert top_k([2, 1], 5) == [(0, 2), (1, 1)]
    assert top_k([2, 1], 0) == []
    assert top_k([], 3) == []


def test_negative_and_float_scores():
    assert top_k([-1.5, -0.5, -2.0], 2) == [(1, -0.5), (0, -1.5)]
