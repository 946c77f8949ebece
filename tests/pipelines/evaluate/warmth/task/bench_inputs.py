"""n records of 20 to 60 characters; perfbot passes a fresh seed for every input it times or checks."""

import random
import string


def make(n, seed=0):
    rng = random.Random(f"{n}-{seed}")
    return ([("".join(rng.choices(string.ascii_letters, k=rng.randint(20, 60)))) for _ in range(n)],)
