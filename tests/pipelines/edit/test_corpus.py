"""Every case of the corpus of realistic model tool calls gets the outcome written next to it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.pipelines.edit.corpus import OUTCOMES, contract, load_cases, load_jsonl, run_case

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
    outcomes = {o for case in CASES for call in case["calls"] if "tool" in call for o in call["expect"]["outcome"]}
    assert outcomes <= set(OUTCOMES)


def test_the_corpus_has_150_cases_and_every_labelled_one_cites_where_models_write_so() -> None:
    labelled = [case for case in CASES if case["label"] is not None]
    assert len(CASES) >= 150
    assert [case["name"] for case in labelled if not case.get("source")] == []


def test_the_project_corpus_survives_the_round_trip_through_the_jsonl_contract(tmp_path: Path) -> None:
    path = tmp_path / "corpus.jsonl"
    path.write_text("".join(json.dumps(contract(case)) + "\n" for case in CASES))
    assert [contract(case) for case in load_jsonl(path)] == [contract(case) for case in CASES]


def test_a_jsonl_case_runs_with_its_final_files_checked(tmp_path: Path) -> None:
    case = {
        "name": "delete_a_helper",
        "files": {"src/m.py": "def f():\n    return 1\n\n\ndef g():\n    return 2\n"},
        "targets": ["src/*.py"],
        "calls": [
            {"turn": True},
            {"tool": "write_file", "args": {"path": "src/m.py", "content": "def f():\n    return 1\n"}},
        ],
        "expect": ["applied"],
        "label": "legit",
        "final": {"src/m.py": "def f():\n    return 1\n", "src/gone.py": None},
    }
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(case) + "\n")
    [loaded] = load_jsonl(path)
    run = run_case(loaded)
    assert (run.right, run.outcome, run.label, run.tool) == (True, "applied", "legit", "write_file")


def test_a_bad_jsonl_case_is_named_by_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"name": "a", "files": {}, "calls": [{"tool": "view_file"}], "expect": "maybe"}\n')
    with pytest.raises(ValueError, match=r"bad.jsonl:1: unknown outcome \['maybe'\]"):
        load_jsonl(path)


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
