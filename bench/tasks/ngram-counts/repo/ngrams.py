"""Counting word n-grams."""


def ngram_counts(tokens, g):
    """{n-gram (a tuple of g consecutive tokens): count}, every overlapping window counted, keys in order of
    first appearance."""
    grams, counts = [], []
    for start in range(len(tokens) - g + 1):
        gram = tuple(tokens[start : start + g])
        if gram in grams:
            counts[grams.index(gram)] += 1
        else:
            grams.append(gram)
            counts.append(1)
    return dict(zip(grams, counts))
