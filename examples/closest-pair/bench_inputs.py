"""Benchmark inputs for closest_pair_distance: n random points in the unit cube of dimension d.

perfbot passes a fresh `seed` for every input it times or checks (a seed only it knows), so no version can know
its inputs in advance; without one, the default seed gives the same points every time.
"""

import random


def make(n, d, seed=0):
    rng = random.Random(f"{n}-{d}-{seed}")
    points = [tuple(rng.random() for _ in range(d)) for _ in range(n)]
    return (points,)
