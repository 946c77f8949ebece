import random


def make(n):
    rng = random.Random(n)
    return {"args": [[rng.randrange(n) for _ in range(n)]], "kwargs": {}}
