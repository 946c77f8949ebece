import random


def make(n):
    rng = random.Random(n)
    grid = [["#" if rng.random() < 0.08 else "." for _ in range(n + 1)] for _ in range(n)]
    grid[0][0] = grid[-1][-1] = "."
    return {"args": [["".join(row) for row in grid]], "kwargs": {}}
