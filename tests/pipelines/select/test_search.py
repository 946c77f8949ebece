"""Search strategies end to end: combining disjoint improvements, rounds that restart from the best so far."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import git
from tests.pipelines.conftest import Run
from tests.pipelines.sessions import FIX_DISTINCT, FIX_PAIRS, branches

Optimize = Callable[..., Run]


def test_two_agents_improving_different_functions_are_combined_and_the_combination_wins(
    fixture_repo: Callable[[str], Path],
    optimize_small: Optimize,
) -> None:
    repo = fixture_repo("two-hotspots")
    run = optimize_small(repo, {"sessions": [FIX_DISTINCT, FIX_PAIRS]}, agents=2, combine=True)
    report = run.report
    scores = {c["id"]: c["score"] for c in report["candidates"]}
    assert set(scores) == {"a0-r1-s3", "a1-r1-s3", "combined"}
    assert next(c for c in report["candidates"] if c["id"] == "combined")["status"] == "accepted"
    assert report["selected"] == "combined"
    assert scores["combined"] > max(scores["a0-r1-s3"], scores["a1-r1-s3"])
    combined = next(c for c in report["candidates"] if c["id"] == "combined")
    assert combined["origin"] in ("combination of a0-r1-s3 + a1-r1-s3", "combination of a1-r1-s3 + a0-r1-s3")
    committed = git(repo, "show", f"{branches(repo)[0]}:stats.py")
    assert "sorted(set(values))" in committed and "counts.get(target - v, 0)" in committed


def test_without_combine_the_best_single_candidate_is_selected(
    fixture_repo: Callable[[str], Path],
    optimize_small: Optimize,
) -> None:
    repo = fixture_repo("two-hotspots")
    run = optimize_small(repo, {"sessions": [FIX_DISTINCT, FIX_PAIRS]}, agents=2, combine=False)
    assert {c["id"] for c in run.report["candidates"]} == {"a0-r1-s3", "a1-r1-s3"}
    assert run.report["selected"] in {"a0-r1-s3", "a1-r1-s3"}


def test_a_second_round_starts_from_the_best_candidate_with_a_note_of_what_was_tried(
    fixture_repo: Callable[[str], Path],
    optimize_small: Optimize,
) -> None:
    repo = fixture_repo("two-hotspots")
    run = optimize_small(repo, {"sessions": [FIX_DISTINCT, FIX_PAIRS]}, rounds=2, combine=False)
    events = run.trace()
    first_of_round_2 = next(e for e in events if e["type"] == "model_call" and e["agent"] == "a1")
    task = first_of_round_2["sent"][0]["content"][0]["text"]
    assert "Earlier attempts" in task
    assert "agent a0 (round 1): finished" in task and "a set instead of a list scan" in task
    assert "sorted(set(values))" in task  # it sees the best candidate so far, not the original
    report = run.report
    assert [(a["id"], a["round"]) for a in report["agents"]] == [("a0", 1), ("a1", 2)]
    assert report["selected"] == "a1-r2-s3"
    second = next(c for c in report["candidates"] if c["id"] == "a1-r2-s3")
    first = next(c for c in report["candidates"] if c["id"] == "a0-r1-s3")
    assert second["score"] > first["score"]
    assert "sorted(set(values))" in second["diff"] and "counts.get" in second["diff"]
