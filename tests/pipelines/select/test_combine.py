"""The line-level merge behind `search.combine`."""

from __future__ import annotations

from pipelines.select.selection import combine_files, merge_text

BASE = "".join(f"line {i}\n" for i in range(1, 11))


def test_edits_of_separate_regions_merge_into_both() -> None:
    ours = BASE.replace("line 2\n", "LINE TWO\n")
    theirs = BASE.replace("line 8\n", "LINE EIGHT\nand more\n")
    merged = merge_text(BASE, ours, theirs)
    assert merged == BASE.replace("line 2\n", "LINE TWO\n").replace("line 8\n", "LINE EIGHT\nand more\n")


def test_overlapping_edits_do_not_merge() -> None:
    ours = BASE.replace("line 4\nline 5\n", "X\n")
    theirs = BASE.replace("line 5\nline 6\n", "Y\n")
    assert merge_text(BASE, ours, theirs) is None


def test_edits_of_adjacent_lines_do_not_merge() -> None:
    assert merge_text(BASE, BASE.replace("line 4\n", "A\n"), BASE.replace("line 5\n", "B\n")) is None


def test_the_same_edit_twice_does_not_merge() -> None:
    ours = BASE.replace("line 3\n", "C\n")
    assert merge_text(BASE, ours, ours) is None


def test_candidates_changing_different_files_combine_without_a_merge() -> None:
    assert combine_files({"a.py": "a\n", "b.py": "b\n"}, {"a.py": "A\n"}, {"b.py": "B\n"}) == {
        "a.py": "A\n",
        "b.py": "B\n",
    }


def test_a_conflict_in_one_shared_file_means_no_combination() -> None:
    original = {"a.py": BASE}
    assert (
        combine_files(original, {"a.py": BASE.replace("line 1\n", "x\n")}, {"a.py": BASE.replace("line 1\n", "y\n")})
        is None
    )
