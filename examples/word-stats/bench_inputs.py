"""Benchmark inputs for top_words: a random text of n words drawn from a vocabulary that grows with n.

perfbot passes a fresh `seed` for every input it times or checks; the default seed gives the same text every time.
"""

import random

_PUNCTUATION = ["", "", "", "", ",", ".", ";", "!"]


def make(n, seed=0):
    rng = random.Random(f"{n}-{seed}")
    vocabulary = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))) for _ in range(max(10, n // 20))]
    tokens = []
    for _ in range(n):
        word = rng.choice(vocabulary)
        if rng.random() < 0.1:
            word = word.capitalize()
        tokens.append(word + rng.choice(_PUNCTUATION))
    return {"args": [" ".join(tokens)], "kwargs": {"k": 10}}
