"""The report page's story of a run: each agent's steps rebuilt from trace events, and the selection tree."""

from __future__ import annotations

from typing import Any

from pipelines.config import parse_config
from pipelines.evaluate.results import BaselineResult, CandidateResult, PointResult, Status, TestsResult, Timing
from pipelines.report import Report
from pipelines.report.html import runtime_plot
from pipelines.report.story import agent_stories, selection_tree, tool_input

TESTS = TestsResult(True, "pytest -q", 0.1, None, "3 passed")
USAGE = {"input_tokens": 10, "output_tokens": 5, "usd": 0.01}


def result(id: str, status: Status, score: float | None, origin: str = "agent") -> CandidateResult:
    return CandidateResult(
        id, origin, status, f"{status} for a reason", TESTS, True, (), score, {}, ("m.py",), "-a\n+b\n"
    )


def events() -> list[dict[str, Any]]:
    reply = [{"type": "text", "text": "Reading first."}, {"type": "tool_use", "name": "view_file", "input": {}}]
    task = [{"role": "user", "content": [{"type": "text", "text": "the task"}]}]
    start = {"type": "agent_start", "round": 1, "model": "scripted:x", "system": "be fast", "tools": []}
    call = {"type": "tool_call", "ok": True, "changed": False}
    return [
        {**start, "agent": "a0"},
        {"type": "model_call", "agent": "a0", "step": 1, "sent": task, "reply": reply, "usage": USAGE},
        {**call, "agent": "a0", "step": 1, "name": "view_file", "input": {"path": "m.py"}, "result": "1 x"},
        {**start, "agent": "a1"},
        {"type": "model_call", "agent": "a0", "step": 2, "sent": [], "reply": [], "usage": {}},
        {**call, "agent": "a0", "step": 2, "name": "evaluate", "input": {}, "result": "table"},
        {
            "type": "evaluation",
            "agent": "a0",
            "candidate": "a0-r1-s2",
            "status": "accepted",
            "score": 2.0,
            "table": "T",
        },
        {"type": "agent_end", "agent": "a0", "reason": "finished", "steps": 2, "detail": "done"},
        {"type": "evaluation", "agent": "a0", "candidate": "a0-r1-final", "status": "rejected", "score": None},
    ]


def test_each_agent_step_holds_what_the_model_said_its_tool_calls_and_the_evaluations() -> None:
    a0, a1 = agent_stories(events(), [result("a0-r1-s2", "accepted", 2.0)])
    assert (a0.name, a0.round, a0.task, a0.system) == ("a0", 1, "the task", "be fast")
    first, second = a0.steps
    assert first.texts == ["Reading first."] and first.tokens == 15 and first.usd == 0.01
    assert [(c.name, c.ok, c.result) for c in first.calls] == [("view_file", True, "1 x")]
    assert [(e.candidate, e.diff) for e in second.evaluations] == [("a0-r1-s2", "-a\n+b\n")]
    assert [e.candidate for e in a0.after] == ["a0-r1-final"]
    assert a0.end == "finished after 2 step(s): done"
    assert (a1.steps, a1.end) == ([], "")


def test_tool_inputs_read_as_code_and_replacements_as_diffs() -> None:
    assert tool_input("replace", {"path": "m.py", "old": "slow()", "new": "fast()"}) == "m.py\n-slow()\n+fast()\n"
    assert tool_input("rewrite_symbol", {"symbol": "m.py::f", "code": "def f(): ..."}) == "m.py::f\ndef f(): ..."
    assert tool_input("bash", {"command": "ls"}) == "$ ls"
    assert len(tool_input("write_file", {"path": "m.py", "content": "x" * 50_000})) < 21_000


def test_the_selection_tree_hangs_candidates_from_their_agents_and_marks_the_selected_one() -> None:
    config = parse_config(
        {"target": {"files": ["m.py"]}, "benchmark": {"entry": "m:f", "inputs": "m:make", "params": {"n": [1, 2]}}},
        "t.yml",
    )
    baseline = BaselineResult(TESTS, (PointResult({"n": 1}, Timing((1.0,), None)),), 1.0, 0.02, {}, 3)
    candidates = [
        result("a0-r1-s2", "accepted", 2.0),
        result("a1-r1-final", "rejected", 0.9),
        result("combined", "accepted", 2.5, "combination of a0-r1-s2 + a1-r1-s4"),
    ]
    agents = [
        {"id": "a0", "round": 1, "reason": "finished", "steps": 2},
        {"id": "a1", "round": 1, "reason": "budget", "steps": 9},
    ]
    report = Report(baseline, candidates, "combined", config, "local", False, agents=agents)

    tree = selection_tree(report)

    round_1, combined = tree.children
    assert [a.label for a in round_1.children] == ["agent a0", "agent a1"]
    assert [c.label for c in round_1.children[0].children] == ["a0-r1-s2"]
    assert round_1.children[1].children[0].css == "rejected"
    assert combined.label == "combined ★ selected" and combined.css == "accepted selected"
    assert "from combination of a0-r1-s2 + a1-r1-s4" in combined.detail


def test_the_plot_has_the_baseline_and_each_finalist_on_the_widest_axis() -> None:
    def points(scale: float) -> list[PointResult]:
        return [PointResult({"d": d, "n": n}, Timing((n * scale,), None)) for d in (2, 4) for n in (100, 1000)]

    svg = runtime_plot(points(1e-4), finalists=[("c1", points(1e-5)), ("c2", points(2e-5))])

    assert svg.count("<polyline") == 6  # baseline, c1, c2, each at d=2 and d=4
    assert svg.count("<circle") == 12
    assert "n (log scale)" in svg
    for label in ("baseline d=2", "c1 d=4", "c2 d=2"):
        assert f">{label}</text>" in svg
