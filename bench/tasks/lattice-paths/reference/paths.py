"""Routing: how many right/down paths lead from the top-left to the bottom-right cell of a warehouse grid."""


def count_paths(grid):
    """Paths moving only right or down from (0, 0) to the last cell, never entering a cell that is '#'."""
    rows, cols = len(grid), len(grid[0]) if grid else 0
    if rows == 0 or cols == 0:
        return 0
    ways = [0] * cols
    ways[0] = 1
    for r in range(rows):
        row = grid[r]
        for c in range(cols):
            if row[c] == "#":
                ways[c] = 0
            elif c > 0:
                ways[c] += ways[c - 1]
    return ways[-1]
