import random


def make(n, k):
    rng = random.Random(n * 31 + k)
    return {"args": [[rng.randint(-1000, 1000) for _ in range(n)], k], "kwargs": {}}
