"""Finding `old`: exact matches only are applied; the rest are suggestions, best first."""

from __future__ import annotations

from pipelines.edit.matching import closest_regions, exact_offsets

TEXT = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(500))


def test_exact_offsets_include_overlapping_occurrences() -> None:
    assert exact_offsets("aaaa", "aa") == [0, 1, 2]
    assert exact_offsets("abc", "d") == []


def test_a_whitespace_only_difference_ranks_first_and_says_so() -> None:
    [region, *_] = closest_regions(TEXT, "def f250(x):\n  return x + 250\n")
    assert (region.start_line, region.end_line, region.score) == (1001, 1002, 1.0)
    assert "the file indents with 4 spaces where yours has 2 spaces" in region.note


def test_a_fuzzy_match_in_a_large_file_points_at_the_right_function() -> None:
    [region, *_] = closest_regions(TEXT, "def f377(x):\n    return x + 3770\n")
    assert (region.start_line, region.end_line) == (1509, 1510)
    assert region.score < 1.0


def test_regions_do_not_overlap_and_weak_ones_are_dropped() -> None:
    regions = closest_regions("a = 1\nb = 2\nc = 3\n", "a = 1\nb = 3\n")
    spans = [(r.start_line, r.end_line) for r in regions]
    assert all(e1 < s2 or e2 < s1 for i, (s1, e1) in enumerate(spans) for s2, e2 in spans[i + 1 :])
    assert all(r.score >= regions[0].score - 0.1 for r in regions)


def test_nothing_similar_gives_no_region() -> None:
    assert closest_regions(TEXT, "class Zebra(Protocol):\n    stripes: list[Stripe]\n") == []
