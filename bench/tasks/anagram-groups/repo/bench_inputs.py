import random


def make(n):
    rng = random.Random(n)
    stems = ["".join(rng.choice("abcdefgh") for _ in range(rng.randint(3, 7))) for _ in range(n // 3)]
    words = []
    for _ in range(n):
        letters = list(rng.choice(stems))
        rng.shuffle(letters)
        words.append("".join(letters))
    return {"args": [words], "kwargs": {}}
