from paths import count_paths


def test_open_grid_counts_binomial_paths():
    assert count_paths(["...", "...", "..."]) == 6


def test_a_block_in_the_first_row_cuts_every_path_beyond_it():
    assert count_paths([".#..", "....", "...."]) == 4


def test_a_block_in_the_first_column_cuts_paths_below_it():
    assert count_paths(["...", "#..", "..."]) == 3


def test_blocked_start_or_end_has_no_path():
    assert count_paths(["#.", ".."]) == 0
    assert count_paths(["..", ".#"]) == 0


def test_single_row_and_empty_grid():
    assert count_paths(["...."]) == 1
    assert count_paths([]) == 0
