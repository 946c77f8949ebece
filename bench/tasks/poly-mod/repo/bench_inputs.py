import random

MOD = 1_000_000_007


def make(degree, points):
    rng = random.Random(degree * 1000 + points)
    coeffs = [rng.randrange(-(10**12), 10**12) for _ in range(degree + 1)]
    xs = [rng.randrange(10**8, 10**12) for _ in range(points)]
    return {"args": [coeffs, xs, MOD], "kwargs": {}}
