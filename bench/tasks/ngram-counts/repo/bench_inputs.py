import random

WORDS = [f"w{i}" for i in range(40)]


def make(n, g):
    rng = random.Random(n * 131 + g)
    return {"args": [[rng.choice(WORDS) for _ in range(n)], g], "kwargs": {}}
