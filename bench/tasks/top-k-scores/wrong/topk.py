"""The best k entries of a list of scores."""

import heapq


def top_k(scores, k):
    """[(index, score)] of the k highest scores, highest first; equal scores in order of their index."""
    if k <= 0:
        return []
    return [(i, s) for s, i in heapq.nlargest(k, ((s, i) for i, s in enumerate(scores)))]
