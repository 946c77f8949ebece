"""Routing: how many right/down paths lead from the top-left to the bottom-right cell of a warehouse grid."""


def count_paths(grid):
    """Paths moving only right or down from (0, 0) to the last cell, never entering a cell that is '#'."""
    rows, cols = len(grid), len(grid[0]) if grid else 0
    if rows == 0 or cols == 0:
        return 0

    def walk(r, c):
        if r >= rows or c >= cols or grid[r][c] == "#":
            return 0
        if r == rows - 1 and c == cols - 1:
            return 1
        return walk(r + 1, c) + walk(r, c + 1)

    return walk(0, 0)
