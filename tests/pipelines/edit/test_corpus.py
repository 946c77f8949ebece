"""Every case of the corpus of realistic model tool calls gets the outcome written next to it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.pipelines.edit.corpus import OUTCOMES, load_cases, run_case

CASES = load_cases()


def test_the_corpus_covers_the_failure_modes_the_issue_names() -> None:
    modes = {case.get("mode") for case in CASES}
    named = {
        "wrong indentation",
        "stale text",
        "ambiguous match",
        "overlapping edits",
        "crlf",
        "tabs",
        "unicode",
        "elided comment",
        "elided docstring",
        "truncated file",
        "edits to tests",
    }
    assert named - modes == set()


def test_every_corpus_call_states_a_known_outcome() -> None:
    outcomes = [call["expect"]["outcome"] for case in CASES for call in case["calls"] if "tool" in call]
    assert set(outcomes) <= set(OUTCOMES)


KNOWN = [case for case in CASES if "known_gap" not in case]
GAPS = [case for case in CASES if "known_gap" in case]


@pytest.mark.parametrize("case", KNOWN, ids=[case["name"] for case in KNOWN])
def test_corpus_case_gets_its_expected_outcome(case: dict[str, Any]) -> None:
    run = run_case(case)
    assert run.problems == []


@pytest.mark.parametrize("case", GAPS, ids=[case["name"] for case in GAPS])
def test_known_gap_is_still_a_gap(case: dict[str, Any]) -> None:
    """When one of these starts passing, the tools got better: drop its `known_gap` so it guards the gain."""
    run = run_case(case)
    assert run.problems != [], f"fixed: {case['known_gap']}"
