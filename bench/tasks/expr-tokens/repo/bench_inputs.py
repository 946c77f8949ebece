import random


def make(terms):
    rng = random.Random(terms)
    parts = []
    for _ in range(terms):
        kind = rng.random()
        if kind < 0.4:
            parts.append(str(rng.randint(0, 10**6)))
        elif kind < 0.6:
            parts.append(f"{rng.randint(0, 999)}.{rng.randint(0, 99)}")
        else:
            parts.append(rng.choice(["rate", "x_1", "total", "_tmp", "n"]))
        parts.append(rng.choice([" + ", "*", " / ", "^", " - ", ") % (", "%"]))
    return {"args": ["(" + "".join(parts) + "1)"], "kwargs": {}}
