import random


def make(n, k):
    rng = random.Random(n * 7919 + k)
    return {"args": [[rng.randint(0, n // 4) for _ in range(n)], k], "kwargs": {}}
