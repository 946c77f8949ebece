"""NO-OP: the baseline with its variables renamed: the same work, so never faster (evaluated after the poisoners)."""


def smallest_gap(xs):
    if len(xs) < 2:
        raise ValueError("smallest_gap needs at least two values")
    smallest = float("inf")
    for a in range(len(xs)):
        for b in range(a + 1, len(xs)):
            d = abs(xs[a] - xs[b])
            if d < smallest:
                smallest = d
    return smallest
