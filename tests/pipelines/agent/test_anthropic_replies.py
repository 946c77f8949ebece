"""Replies the Messages API would not take back, through the real SDK against the fake API (which answers 400 where
the real one does): an empty reply, and a tool call cut off at max_tokens."""

from __future__ import annotations

from pathlib import Path

from pipelines.edit.workspace import Workspace
from pipelines.models import open_model
from tests.fakes.anthropic import FakeAnthropic
from tests.pipelines.agent.test_agent import make_agent, workspace  # noqa: F401 (the fixture)

FINISH = [{"type": "tool_use", "name": "finish", "input": {"summary": "nothing to do"}}]


def test_an_empty_reply_is_not_sent_back_empty_and_the_agent_is_told(
    fake_anthropic: FakeAnthropic,
    workspace: Workspace,  # noqa: F811
    tmp_path: Path,
) -> None:
    fake_anthropic.turns.extend([[], FINISH])
    outcome = make_agent(workspace, open_model("anthropic:claude-sonnet-5-5"), tmp_path).run()
    assert outcome.reason == "finished", outcome.detail
    second = fake_anthropic.requests[1]["messages"]
    assert second[1] == {"role": "assistant", "content": [{"type": "text", "text": "(empty reply)"}]}
    assert second[2]["content"][0]["text"].startswith("Your reply was empty.")
    assert outcome.path == ["(empty reply)", "finish"]


def test_a_tool_call_cut_off_at_max_tokens_is_answered_as_cut_off_and_not_run(
    fake_anthropic: FakeAnthropic,
    workspace: Workspace,  # noqa: F811
    tmp_path: Path,
) -> None:
    original = workspace.read_text("geometry.py")
    cut = [
        {"type": "text", "text": "Rewriting the function."},
        {"type": "tool_use", "name": "rewrite_symbol", "input": {"symbol": "geometry.py::closest_pair_distance"}},
    ]
    fake_anthropic.turns.extend([{"content": cut, "stop_reason": "max_tokens"}, FINISH])
    agent = make_agent(workspace, open_model("anthropic:claude-sonnet-5-5"), tmp_path, max_tokens=4096)
    outcome = agent.run()
    assert outcome.reason == "finished", outcome.detail
    [result] = fake_anthropic.requests[1]["messages"][2]["content"]
    assert result["type"] == "tool_result" and result["is_error"] is True
    assert "`rewrite_symbol` call was cut off" in result["content"] and "4,096 output tokens" in result["content"]
    assert "missing" not in result["content"]
    assert workspace.read_text("geometry.py") == original
