"""The best k entries of a list of scores."""


def top_k(scores, k):
    """[(index, score)] of the k highest scores, highest first; equal scores in order of their index."""
    remaining = list(enumerate(scores))
    best = []
    for _ in range(min(k, len(remaining))):
        winner = 0
        for position in range(1, len(remaining)):
            if remaining[position][1] > remaining[winner][1]:
                winner = position
        best.append(remaining.pop(winner))
    return best
