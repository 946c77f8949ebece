"""Routing: how many right/down paths lead from the top-left to the bottom-right cell of a warehouse grid."""


def count_paths(grid):
    """Paths moving only right or down from (0, 0) to the last cell, never entering a cell that is '#'."""
    rows, cols = len(grid), len(grid[0]) if grid else 0
    if rows == 0 or cols == 0:
        return 0
    ways = [[1] * cols for _ in range(rows)]
    for r in range(1, rows):
        for c in range(1, cols):
            ways[r][c] = 0 if grid[r][c] == "#" else ways[r - 1][c] + ways[r][c - 1]
    return 0 if grid[0][0] == "#" or grid[-1][-1] == "#" else ways[-1][-1]
