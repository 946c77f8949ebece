"""Deduplicate event ids while keeping the order in which they were first seen."""


def unique_in_order(items):
    """The items without repeats, each kept at the position of its first occurrence."""
    return list(dict.fromkeys(items))
