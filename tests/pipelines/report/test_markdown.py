"""report.md, which is also the MR description, and the bot's replies: headline numbers, Markdown that stays intact,
and a size that stays far below GitLab's 1 MiB description limit whatever the run."""

from __future__ import annotations

from typing import Any

import pytest

from pipelines.report.markdown import (
    MAX_CHARS,
    capped,
    cell,
    context,
    headline,
    render,
    render_markdown,
    short_number,
    times,
)
from pipelines.runfiles import Request


def point(n: int, d: int, before: float, after: float) -> dict[str, Any]:
    return {
        "params": {"n": n, "d": d},
        "time_s": after,
        "spread": 0.02,
        "runs_s": [after] * 3,
        "peak_bytes": 1000,
        "baseline_time_s": before,
        "baseline_peak_bytes": 2000,
        "ratios": {"time": before / after, "memory": 2.0},
    }


def report(points: list[dict[str, Any]], candidates: int = 1, reason: str = "score beats the bar") -> dict[str, Any]:
    selected = {
        "id": "a0-r1-s3",
        "origin": "agent a0, round 1, step 3",
        "status": "accepted",
        "reason": reason,
        "tests": {"passed": True, "command": "pytest -q", "duration_s": 1, "failure": None, "summary": "3 passed"},
        "outputs_match": True,
        "points": points,
        "score": 20.0,
        "complexity": {"n": 1.02},
        "files": ["stats.py"],
        "diff": "",
    }
    others = [dict(selected, id=f"c{i}", status="rejected", score=0.9, reason=reason) for i in range(candidates - 1)]
    return {
        "run_id": "r",
        "benchmark": {"entry": "stats:min_gap", "params": {"n": [1000, 100000], "d": [2, 16]}},
        "baseline": {"points": [dict(p, spread=0.04) for p in points], "complexity": {"n": 2.0}},
        "candidates": [selected, *others],
        "selected": "a0-r1-s3",
        "method": "line one\nline two",
        "cost": {"input_tokens": 1234, "output_tokens": 56, "usd": 0.42},
        "agents": [{"id": "a0", "round": 1, "reason": "finished", "steps": 4, "best_score": 20.0, "summary": "sweep"}],
        "extra": {"model": "scripted:x.yaml", "search": {"steps": 25}},
    }


def test_the_title_gives_the_best_speedup_at_the_largest_size() -> None:
    points = [point(1000, 2, 1e-3, 1e-4), point(100000, 2, 3.8, 0.1), point(100000, 16, 4.0, 0.2)]
    assert headline(report(points)) == "speed up `stats.min_gap` 38× at n=100k"


def test_the_size_in_the_title_is_the_axis_with_the_widest_range() -> None:
    points = [{**point(n, 2, 1.0, 0.5), "params": {"d": d, "n": n}} for d in (2, 4) for n in (100, 400)]
    assert headline(report(points)).endswith(" at n=400")


@pytest.mark.parametrize(("value", "text"), [(100000, "100k"), (2_000_000, "2M"), (1600, "1600"), (2.5, "2.5")])
def test_sizes_read_short(value: float, text: str) -> None:
    assert short_number(value) == text


@pytest.mark.parametrize(("ratio", "text"), [(38.2, "38×"), (2.44, "2.4×"), (1.234, "1.23×"), (None, "–")])
def test_speedups_read_with_sensible_precision(ratio: float | None, text: str) -> None:
    assert times(ratio) == text


def test_a_cell_stays_on_one_line_and_cannot_break_the_table_or_hide_text() -> None:
    assert cell("a | b\nc <!-- x") == "a \\| b c &lt;!\u200b-- x"
    assert len(cell("y" * 1000)) == 240


def test_the_description_has_the_tables_checks_method_cost_and_a_collapsed_story() -> None:
    points = [point(1000, 2, 1e-3, 1e-4), point(100000, 2, 3.8, 0.1)]
    text = render_markdown(report(points), request=Request("req1"), marker="<!-- m -->", limit=MAX_CHARS)
    assert "| n | d | before | after | speedup | memory before | memory after |" in text
    assert "| 100000 | 2 | 3.80 s | 100.00 ms | 38× | 2.0 KiB | 1000 B |" in text
    assert "n: **2.00 → 1.02**" in text
    assert "line one\nline two" in text
    assert "$0.4200 · 1,234 input / 56 output tokens" in text
    assert "<details><summary>How the agent got there</summary>\n\n" in text and "\n\n</details>" in text
    assert text.rstrip().endswith("<!-- m -->")


def test_a_huge_run_stays_far_below_gitlabs_limit_and_says_where_the_rest_is() -> None:
    points = [point(n, d, 1.0, 0.5) for n in range(1, 400) for d in range(1, 6)]
    data = report(points, candidates=3000, reason="why " * 500)
    data["agents"] = data["agents"] * 500
    text = render_markdown(data, request=Request("req1"), marker="<!-- m -->", limit=MAX_CHARS)
    assert len(text) <= MAX_CHARS < 1_048_576
    assert "more grid points are in the full report" in text
    assert "more candidate(s), in the full report" in text


def test_a_text_beyond_the_cap_is_cut_with_a_notice() -> None:
    text = capped("z" * (MAX_CHARS * 3), MAX_CHARS)
    assert len(text) == MAX_CHARS
    assert text.endswith("the full report has everything._\n")


def test_the_nothing_found_reply_quotes_the_best_rejected_attempt() -> None:
    data = report([point(1000, 2, 1e-3, 1.1e-3)], candidates=2)
    data["selected"] = None
    data["candidates"][0] = dict(data["candidates"][0], status="rejected", score=0.95, reason="score 0.95 too low")
    text = render("notes/nothing.md.j2", **context(data, Request("r"), "<!-- n -->"))
    assert "**Best rejected attempt:** `a0-r1-s3`" in text and "score 0.95" in text
    assert "| 1000 | 2 | 1.00 ms | 1.10 ms | 0.91× | – |" in text
    assert "| c0 | agent a0, round 1, step 3 | 0.90 | score beats the bar |" in text


def test_candidate_text_is_shown_as_text_never_as_markup() -> None:
    hostile = "**bold** [click](http://evil) ![img](http://evil/x.png) <img src=x onerror=alert(1)> `code` @all #1 !2"
    data = report([point(1000, 2, 1e-3, 1e-4)], reason=hostile)
    data["agents"][0]["summary"] = hostile
    text = render_markdown(data, request=Request("req1"), limit=MAX_CHARS)
    for raw in ("**bold**", "[click](", "![img]", "<img", "`code`", "@all", "#1 ", "!2"):
        assert raw not in text, raw
    assert "\\*\\*bold\\*\\*" in text and "&lt;img src=x" in text and "@\u200ball" in text


def test_a_noisy_machine_is_said_at_the_top() -> None:
    data = report([point(1000, 2, 1e-3, 1e-4)])
    data["baseline"].update(noisy=True, noise=0.23)
    text = render_markdown(data)
    first_lines = "\n".join(text.splitlines()[:8])
    assert "This machine was noisy" in first_lines and "23.0%" in first_lines


def test_noise_that_rose_beside_the_candidate_is_said_at_the_top_too() -> None:
    data = report([point(1000, 2, 1e-3, 1e-4)])
    data["baseline"].update(noisy=False, noise=0.02)
    assert "This machine was noisy" not in render_markdown(data)
    data["candidates"][0]["noise"] = 0.17
    first_lines = "\n".join(render_markdown(data).splitlines()[:8])
    assert "This machine was noisy" in first_lines and "17.0%" in first_lines


def test_first_calls_are_shown_beside_the_steady_state_where_they_differ() -> None:
    steady = dict(point(1000, 2, 1e-3, 1e-4), cold_ratio=10.5, ratio_interval=[8.0, 12.0])
    differing = dict(point(100000, 2, 3.8, 0.1), cold_ratio=300.0, ratio_interval=[30.0, 45.0])
    data = report([steady, differing])
    data["baseline"].update(noise=0.05, method={"measure": "warm"})
    text = render_markdown(data)
    assert "| 95% interval | memory before | memory after | first call |" in text
    assert "| 100000 | 2 | 3.80 s | 100.00 ms | 38× | 30× – 45× | 2.0 KiB | 1000 B | 300× |" in text
    assert "pays on its first call to grow its heap" in text
    data["candidates"][0]["points"] = [steady]
    assert "first call" not in render_markdown(data)


def test_what_the_selected_change_newly_uses_is_listed_for_the_reviewer() -> None:
    data = report([point(1000, 2, 1e-3, 1e-4)])
    data["candidates"][0]["warnings"] = [
        "the clock: import time (stats.py:3)",
        "threads: import threading (stats.py:4)",
    ]
    text = render_markdown(data)
    assert "### For the reviewer: what this change newly uses" in text
    assert "- the clock: import time (stats.py:3)" in text


def test_a_time_only_run_shows_and_claims_no_memory() -> None:
    data = report([point(1000, 2, 1e-3, 1e-4)])
    data["benchmark"]["metrics"] = {"time": 1.0}
    text = render_markdown(data)
    assert "| n | d | before | after | speedup |\n" in text
    assert "memory before" not in text


def test_the_description_names_the_model_the_checks_and_each_agents_path() -> None:
    data = report([point(1000, 2, 1e-3, 1e-4)], candidates=2, reason="outputs differ")
    data["selected"] = None
    data["baseline"]["tests"] = {"command": "pytest -q", "checked": "per test"}
    data["agents"][0]["path"] = "view_file ×2 → replace → evaluate 1.62 → finish"
    text = render_markdown(data)
    assert "model `scripted:x.yaml`" in text
    assert "tests: `pytest -q` on the baseline and each candidate, compared test by test" in text
    assert "path: `view_file ×2 → replace → evaluate 1.62 → finish`" in text
    assert text.count("outputs differ") >= 2  # each rejected candidate with its reason


def test_an_evaluate_run_says_no_model_was_used() -> None:
    data = report([point(1000, 2, 1e-3, 1e-4)])
    data["extra"]["model"] = None
    assert "no model (versions given to `perfbot evaluate`)" in render_markdown(data)
