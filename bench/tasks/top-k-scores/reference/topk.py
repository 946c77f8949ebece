"""The best k entries of a list of scores."""

import heapq


def top_k(scores, k):
    """[(index, score)] of the k highest scores, highest first; equal scores in order of their index."""
    if k <= 0:
        return []
    return heapq.nsmallest(k, enumerate(scores), key=lambda entry: (-entry[1], entry[0]))
