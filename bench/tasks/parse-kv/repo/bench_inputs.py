import random


def make(lines):
    rng = random.Random(lines)
    words = ["host", "port", "user", "mode", "retries", "path", "opts", "timeout"]
    out = []
    for _ in range(lines):
        fields = []
        for _ in range(rng.randint(3, 9)):
            key = rng.choice(words)
            value = "".join(rng.choice("abcdef0123=/ ") for _ in range(rng.randint(0, 12)))
            fields.append(f" {key} = {value} " if rng.random() < 0.3 else f"{key}={value}")
        out.append(";".join(fields))
    return {"args": [out], "kwargs": {}}
