"""Rolling sums over sensor readings."""


def window_sums(values, k):
    """The sum of each run of k consecutive values, in order: len(values) - k + 1 sums (none if k > len)."""
    if k <= 0:
        raise ValueError("k must be positive")
    sums = []
    for start in range(len(values) - k + 1):
        window = values[start : start + k]
        sums.append(sum(window))
    return sums
