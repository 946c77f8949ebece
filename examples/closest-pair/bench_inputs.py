"""Benchmark inputs for closest_pair_distance: n seeded random points in the unit cube of dimension d."""

import random


def make(n, d):
    rng = random.Random(n * 1000 + d)
    points = [tuple(rng.random() for _ in range(d)) for _ in range(n)]
    return (points,)
