"""Distances between points in d-dimensional space."""

import math


def closest_pair_distance(points):
    """The smallest Euclidean distance between two of `points` (a sequence of equal-length coordinate tuples).

    Duplicate points are at distance 0.0. Raises ValueError for fewer than two points.
    """
    if len(points) < 2:
        raise ValueError("closest_pair_distance needs at least two points")
    best = math.inf
    for i in range(len(points)):
        for j in range(i + 1, len(points)):
            distance = math.dist(points[i], points[j])
            if distance < best:
                best = distance
    return best
