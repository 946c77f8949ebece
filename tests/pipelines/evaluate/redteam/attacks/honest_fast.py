"""HONEST: sorting puts the closest values next to each other (O(n log n) instead of O(n^2))."""


def smallest_gap(values):
    if len(values) < 2:
        raise ValueError("smallest_gap needs at least two values")
    ordered = sorted(values)
    return min(b - a for a, b in zip(ordered, ordered[1:]))
