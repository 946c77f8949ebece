"""Group words that use the same letters the same number of times."""


def group_anagrams(words):
    """Groups of anagrams (case-sensitive), each in input order; groups ordered by their first word's position."""
    groups = {}
    for word in words:
        groups.setdefault(frozenset(word), []).append(word)
    return list(groups.values())
