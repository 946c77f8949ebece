"""The smallest absolute difference between two of the values (the baseline: every pair)."""


def smallest_gap(values):
    if len(values) < 2:
        raise ValueError("smallest_gap needs at least two values")
    best = float("inf")
    for i in range(len(values)):
        for j in range(i + 1, len(values)):
            gap = abs(values[i] - values[j])
            if gap < best:
                best = gap
    return best
