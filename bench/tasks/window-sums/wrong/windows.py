"""Rolling sums over sensor readings."""


def window_sums(values, k):
    """The sum of each run of k consecutive values, in order: len(values) - k + 1 sums (none if k > len)."""
    if k <= 0:
        raise ValueError("k must be positive")
    total = sum(values[:k])
    sums = [total]
    for i in range(k, len(values) - 1):
        total += values[i] - values[i - k]
        sums.append(total)
    return sums
