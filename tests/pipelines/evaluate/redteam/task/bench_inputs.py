"""n distinct random values; perfbot passes a fresh seed for every input it times or checks."""

import random


def make(n, seed=0):
    rng = random.Random(f"{n}-{seed}")
    return (rng.sample(range(n * 1000), n),)
