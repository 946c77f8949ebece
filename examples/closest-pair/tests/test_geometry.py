import itertools
import math
import random

import pytest

from geometry import closest_pair_distance


def brute_force(points):
    return min(math.dist(p, q) for p, q in itertools.combinations(points, 2))


def test_two_points_are_their_own_closest_pair():
    assert closest_pair_distance([(0.0, 0.0), (3.0, 4.0)]) == 5.0


def test_fewer_than_two_points_is_an_error():
    with pytest.raises(ValueError):
        closest_pair_distance([(1.0, 2.0)])
    with pytest.raises(ValueError):
        closest_pair_distance([])


def test_duplicate_points_are_at_distance_zero():
    points = [(0.5, 0.5), (0.1, 0.9), (0.7, 0.2), (0.1, 0.9)]
    assert closest_pair_distance(points) == 0.0


def test_one_dimension():
    assert closest_pair_distance([(5.0,), (1.0,), (3.5,), (9.0,)]) == 1.5


def test_the_closest_pair_need_not_be_neighbours_along_the_first_axis():
    # Sorted by x the order is a, c, b: a and b are closest but not adjacent.
    a, b, c = (0.0, 0.0), (0.2, 0.0), (0.1, 5.0)
    assert closest_pair_distance([a, b, c]) == pytest.approx(0.2)


def test_the_closest_pair_may_involve_the_last_point_in_any_order():
    points = [(0.0, 0.0), (1.0, 1.0), (2.0, 2.0), (3.0, 3.0), (3.1, 3.0)]
    for order in itertools.permutations(points):
        assert closest_pair_distance(list(order)) == pytest.approx(0.1)


def test_the_input_is_left_as_it_was():
    points = [(0.9, 0.1), (0.3, 0.3), (0.5, 0.8)]
    copy = list(points)
    closest_pair_distance(points)
    assert points == copy


@pytest.mark.parametrize("d", [1, 2, 3, 8])
def test_agrees_with_brute_force_on_random_points(d):
    rng = random.Random(d)
    for _ in range(20):
        n = rng.randint(2, 60)
        points = [tuple(rng.choice([rng.random(), round(rng.random(), 1)]) for _ in range(d)) for _ in range(n)]
        assert closest_pair_distance(points) == pytest.approx(brute_force(points), rel=1e-12, abs=1e-15)
