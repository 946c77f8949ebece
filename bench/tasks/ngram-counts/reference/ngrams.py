"""Counting word n-grams."""

from collections import Counter


def ngram_counts(tokens, g):
    """{n-gram (a tuple of g consecutive tokens): count}, every overlapping window counted, keys in order of
    first appearance."""
    if g <= 0 or g > len(tokens):
        return {}
    return dict(Counter(zip(*(tokens[offset:] for offset in range(g)))))
