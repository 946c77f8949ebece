"""`perfbot optimize` end to end: scripted sessions, the real evaluator, the local sandbox, a real git repo."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from tests.conftest import git
from tests.pipelines.conftest import Run
from tests.pipelines.sessions import DEMO, NO_CHANGE, WRONG, branches, finish, rewrite, view

Optimize = Callable[..., Run]
SCHEMA = json.loads((Path(__file__).resolve().parents[3] / "templates" / "report.schema.json").read_text())


def test_the_bundled_demo_session_is_accepted_on_the_example_and_lands_on_a_branch_without_touching_the_checkout(
    example_repo: Callable[[str], Path], optimize: Optimize
) -> None:
    repo = example_repo("closest-pair")
    head = git(repo, "rev-parse", "HEAD")
    before = (repo / "geometry.py").read_text()
    # The example's own config (the README demo's grid), one agent.
    run = optimize(repo, "--agents", "1", "--model", "scripted:demo/closest-pair.yaml")
    assert run.exit_code == 0
    report = run.report
    selected = next(c for c in report["candidates"] if c["id"] == report["selected"])
    assert selected["status"] == "accepted"
    assert selected["origin"].startswith("agent a0, round 1, step")
    assert branches(repo) == ["perfbot/closest-pair-distance"]
    assert git(repo, "rev-parse", "HEAD") == head
    assert (repo / "geometry.py").read_text() == before
    assert git(repo, "status", "--porcelain", "--untracked-files=no") == ""
    committed = git(repo, "show", "perfbot/closest-pair-distance:geometry.py")
    assert "ordered = sorted(points)" in committed
    assert git(repo, "rev-parse", "perfbot/closest-pair-distance~1") == head
    message = git(repo, "log", "-1", "--format=%B", "perfbot/closest-pair-distance")
    assert f"{selected['score']:.2f}x" in message
    assert "scripted demo model" in run.stderr
    for name in ("report.json", "report.md", "report.html", "patch.diff", "trace.jsonl"):
        assert (run.out / name).is_file(), name
    assert "sorted(points)" in (run.out / "patch.diff").read_text()


def test_a_session_that_breaks_the_code_is_rejected_and_no_branch_is_written(
    example_repo: Callable[[str], Path],
    optimize_small: Optimize,
) -> None:
    repo = example_repo("closest-pair")
    run = optimize_small(repo, WRONG)
    assert run.exit_code == 0
    assert run.report["selected"] is None
    [candidate] = run.report["candidates"]
    assert candidate["status"] == "rejected"
    assert candidate["tests"]["passed"] is False
    assert branches(repo) == []
    tables = [e["table"] for e in run.trace() if e["type"] == "evaluation"]
    assert "FAILED" in tables[0]
    model_calls = [e for e in run.trace() if e["type"] == "model_call"]
    assert "FAILED" in str(model_calls[3]["sent"])  # the agent saw the failing table before it finished


def test_failing_edits_are_answered_and_the_agent_recovers(
    example_repo: Callable[[str], Path],
    optimize_small: Optimize,
) -> None:
    repo = example_repo("closest-pair")
    sweep = DEMO[1][1]["input"]["code"]
    turns = [
        [
            {
                "type": "tool_use",
                "name": "replace",
                "input": {"path": "geometry.py", "old": "for i in range(n):", "new": "for i in range(n - 1):"},
            }
        ],
        [
            {
                "type": "tool_use",
                "name": "write_file",
                "input": {"path": "geometry.py", "content": "import math\n\n# ... existing code ...\n"},
            }
        ],
        [{"type": "tool_use", "name": "rewrite_symbol", "input": {"symbol": "geometry.py::closest_pair_distance"}}],
        [view("geometry.py"), rewrite("geometry.py::closest_pair_distance", sweep)],
        [{"type": "tool_use", "name": "evaluate", "input": {}}],
        [finish("sweep")],
    ]
    run = optimize_small(repo, turns, agent={"elisions": "refuse"})
    calls = [e for e in run.trace() if e["type"] == "tool_call"]
    assert [(c["name"], c["ok"]) for c in calls] == [
        ("replace", False),
        ("write_file", False),
        ("rewrite_symbol", False),
        ("view_file", True),
        ("rewrite_symbol", True),
        ("evaluate", True),
        ("finish", True),
    ]
    assert "existing code" in calls[1]["result"]
    assert "code" in calls[2]["result"]  # names the missing argument
    assert run.report["agents"][0]["reason"] == "finished"
    assert run.report["selected"] is not None
    assert branches(repo) == ["perfbot/closest-pair-distance"]


def test_three_malformed_calls_in_a_row_end_the_agent_with_a_reason(
    example_repo: Callable[[str], Path],
    optimize_small: Optimize,
) -> None:
    repo = example_repo("closest-pair")
    turns = [
        [{"type": "tool_use", "name": "run_tests", "input": {}}],
        [{"type": "tool_use", "name": "view_file", "input": "geometry.py"}],
        [{"type": "text", "text": "I think I am done."}],
        [finish("never reached")],
    ]
    run = optimize_small(repo, turns)
    assert run.exit_code == 0
    [agent] = run.report["agents"]
    assert agent["reason"] == "malformed tool calls"
    assert "No tool was called" in agent["detail"]
    assert agent["steps"] == 3
    results = [e["result"] for e in run.trace() if e["type"] == "tool_call"]
    assert "Unknown tool 'run_tests'" in results[0] and "view_file" in results[0]
    assert "must be an object" in results[1]
    assert run.report["candidates"] == []
    assert run.report["selected"] is None


def test_of_three_agents_only_the_one_that_succeeds_is_selected(
    example_repo: Callable[[str], Path],
    optimize_small: Optimize,
) -> None:
    repo = example_repo("closest-pair")
    run = optimize_small(repo, {"sessions": [WRONG, DEMO, NO_CHANGE]}, agents=3)
    report = run.report
    assert sorted(a["id"] for a in report["agents"]) == ["a0", "a1", "a2"]
    statuses = {c["id"]: c["status"] for c in report["candidates"]}
    assert statuses == {"a0-r1-s3": "rejected", "a1-r1-s3": "accepted"}
    assert report["selected"] == "a1-r1-s3"
    assert {a["id"]: a["final"] for a in report["agents"]}["a2"] is None
    assert branches(repo) == ["perfbot/closest-pair-distance"]


def test_on_change_evaluates_after_an_edit_without_being_asked(
    example_repo: Callable[[str], Path],
    optimize_small: Optimize,
) -> None:
    repo = example_repo("closest-pair")
    sweep = DEMO[1][1]["input"]["code"]
    turns = [[view("geometry.py")], [rewrite("geometry.py::closest_pair_distance", sweep)], [finish("sweep")]]
    agent = {"evaluate": "on_change", "tools": ["view_file", "rewrite_symbol", "finish"]}
    run = optimize_small(repo, turns, agent=agent)
    events = run.trace()
    system = next(e for e in events if e["type"] == "agent_start")["system"]
    assert "after every step in which a file changed" in system
    assert [t["name"] for t in next(e for e in events if e["type"] == "agent_start")["tools"]] == [
        "view_file",
        "rewrite_symbol",
        "finish",
    ]
    evaluations = [e for e in events if e["type"] == "evaluation"]
    assert [e["candidate"] for e in evaluations] == ["a0-r1-s2"]
    third_call = [e for e in events if e["type"] == "model_call"][2]
    assert "Automatic evaluation (on_change)" in str(third_call["sent"])
    assert run.report["selected"] == "a0-r1-s2"


def test_an_exhausted_budget_stops_the_agents_cleanly_and_the_run_still_reports(
    example_repo: Callable[[str], Path],
    optimize_small: Optimize,
) -> None:
    repo = example_repo("closest-pair")
    # ~2,500 prompt tokens a call at $100 per million: each call costs about $0.25.
    model = {"sessions": [DEMO], "rates": {"input": 100, "output": 0}}
    run = optimize_small(repo, model, "--max-cost", "0.3", agents=2)
    assert run.exit_code == 0
    report = run.report
    assert {a["reason"] for a in report["agents"]} == {"budget"}
    assert all(a["steps"] < 4 for a in report["agents"])
    assert report["extra"]["budget_exhausted"] is True
    assert report["cost"]["usd"] >= 0.3
    assert sum(a["cost"]["usd"] for a in report["agents"]) == pytest.approx(report["cost"]["usd"])
    assert (run.out / "report.html").is_file()


def test_command_line_options_are_validated_like_the_config_file(
    example_repo: Callable[[str], Path], optimize: Optimize
) -> None:
    run = optimize(example_repo("closest-pair"), "--agents", "0")
    assert run.exit_code == 2
    assert "search.agents" in run.stderr and "command-line options" in run.stderr


def test_the_agents_commands_never_see_perfbots_secrets(
    example_repo: Callable[[str], Path],
    optimize_small: Optimize,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-never-in-the-sandbox-42")
    monkeypatch.setenv("PERFBOT_GITLAB_TOKEN", "glpat-never-in-the-sandbox-42")
    repo = example_repo("closest-pair")
    turns = [[{"type": "tool_use", "name": "bash", "input": {"command": "env"}}], [finish("looked around")]]
    run = optimize_small(repo, turns)
    [bash] = [e for e in run.trace() if e["type"] == "tool_call" and e["name"] == "bash"]
    assert bash["ok"] and "PATH=" in bash["result"]
    assert "ANTHROPIC_API_KEY" not in bash["result"] and "PERFBOT_GITLAB_TOKEN" not in bash["result"]
    assert "never-in-the-sandbox" not in (run.out / "trace.jsonl").read_text()


def test_a_baseline_that_fails_its_tests_exits_1_with_a_report_naming_the_test_and_the_repo_unchanged(
    example_repo: Callable[[str], Path], optimize: Optimize
) -> None:
    repo = example_repo("closest-pair")
    (repo / "tests" / "test_broken.py").write_text(
        "def test_broken():\n    observed = 41\n    assert observed == 42, 'the answer moved'\n"
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a failing test")
    head = git(repo, "rev-parse", "HEAD")

    run = optimize(repo, "--agents", "1", "--model", "scripted:demo/closest-pair.yaml")

    assert run.exit_code == 1
    assert "perfbot optimize: the baseline fails its own tests" in run.stderr
    assert str(run.out / "report.md") in run.stderr
    report = run.report
    jsonschema.validate(report, SCHEMA)
    error = report["error"]
    assert error["stage"] == "baseline-tests"
    assert error["test"].startswith("FAILED tests/test_broken.py::test_broken")
    assert "assert observed == 42" in error["output"] and len(error["output"].splitlines()) <= 25
    assert (report["candidates"], report["selected"], report["baseline"]["points"]) == ([], None, [])
    assert report["baseline"]["tests"]["passed"] is False
    markdown = (run.out / "report.md").read_text()
    assert "the baseline fails its own tests" in markdown and "assert observed == 42" in markdown
    assert "assert observed == 42" in (run.out / "report.html").read_text()
    assert (run.out / "patch.diff").read_text() == ""
    assert branches(repo) == []
    assert git(repo, "rev-parse", "HEAD") == head
    assert git(repo, "status", "--porcelain", "--untracked-files=no") == ""
