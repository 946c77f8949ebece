"""The agent loop on its own: a real workspace and edit tools, scripted or stub models, a stub evaluator."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pipelines.agent.loop import Agent, Measurement
from pipelines.agent.prompts import system_prompt
from pipelines.config import load_config
from pipelines.edit import EditSession
from pipelines.edit.workspace import Workspace
from pipelines.evaluate import Candidate
from pipelines.models import ModelReply, ModelRequest, Usage
from pipelines.models.scripted import ScriptedModel
from sandbox.local import LocalSandbox
from tests.pipelines.sessions import DEMO, view

SWEEP = DEMO[1][1]["input"]["code"]


class Replies:
    """A stub model answering with the given replies (to exercise stop reasons the scripts cannot express)."""

    name = "stub:replies"

    def __init__(self, *replies: ModelReply) -> None:
        self.replies = list(replies)
        self.requests: list[ModelRequest] = []

    def complete(self, request: ModelRequest) -> ModelReply:
        self.requests.append(request)
        return self.replies.pop(0)


@pytest.fixture
def workspace(example_repo: Callable[[str], Path]) -> Iterator[Workspace]:
    repo = example_repo("closest-pair")
    with LocalSandbox(label="agent-test") as sandbox:
        sandbox.put_dir(repo, "repo")
        yield Workspace(sandbox, root="repo", target_globs=["geometry.py"])


def make_agent(workspace: Workspace, model: Any, tmp_path: Path, **overrides: Any) -> Agent:
    original = {"geometry.py": workspace.read_text("geometry.py")}
    settings: dict[str, Any] = dict(
        name="a0",
        round=1,
        model=model,
        session=EditSession(workspace, ["view_file", "rewrite_symbol"]),
        workspace=workspace,
        original=original,
        system="system",
        task="task",
        steps=10,
        evaluate=None,
        tool_names=["view_file", "rewrite_symbol", "evaluate", "finish"],
    )
    settings.update(overrides)
    return Agent(**settings)


def script(tmp_path: Path, turns: list[Any]) -> ScriptedModel:
    import yaml

    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(turns))
    return ScriptedModel(path)


def test_the_step_limit_ends_the_run_and_the_final_state_is_still_proposed(
    workspace: Workspace, tmp_path: Path
) -> None:
    turns = [
        [
            {
                "type": "tool_use",
                "name": "rewrite_symbol",
                "input": {"symbol": "geometry.py::closest_pair_distance", "code": SWEEP},
            }
        ]
    ] + [[view("geometry.py")]] * 5
    outcome = make_agent(workspace, script(tmp_path, turns), tmp_path, steps=2).run()
    assert (outcome.reason, outcome.steps) == ("step limit", 2)
    assert outcome.final is not None
    assert outcome.final.id == "a0-r1-final"
    assert "ordered = sorted(points)" in outcome.final.files["geometry.py"]


def test_a_script_that_runs_out_ends_the_agent_with_a_model_error(workspace: Workspace, tmp_path: Path) -> None:
    outcome = make_agent(workspace, script(tmp_path, [[view("geometry.py")]]), tmp_path).run()
    assert outcome.reason == "model error"
    assert "no turn 2" in outcome.detail
    assert outcome.final is None


def test_a_reply_cut_off_at_max_tokens_is_answered_with_what_to_do(workspace: Workspace, tmp_path: Path) -> None:
    cut = ModelReply([{"type": "text", "text": "def closest_pair_distance(points):\n    ..."}], "max_tokens", Usage())
    done = ModelReply([{"type": "tool_use", "id": "t1", "name": "finish", "input": {"summary": "none"}}], "tool_use")
    model = Replies(cut, done)
    outcome = make_agent(workspace, model, tmp_path).run()
    assert outcome.reason == "finished"
    feedback = model.requests[1].messages[-1]["content"][0]["text"]
    assert "cut off at max_tokens" in feedback and "finish" in feedback


def test_every_n_steps_measures_the_changed_state_once(workspace: Workspace, tmp_path: Path) -> None:
    measured: list[Candidate] = []

    def measure(candidate: Candidate) -> Measurement:
        measured.append(candidate)
        return Measurement(candidate, None, "TABLE", accepted=True, score=2.0)

    turns = [
        [
            {
                "type": "tool_use",
                "name": "rewrite_symbol",
                "input": {"symbol": "geometry.py::closest_pair_distance", "code": SWEEP},
            }
        ]
    ]
    turns += [[view("geometry.py")]] * 4 + [[{"type": "tool_use", "name": "finish", "input": {"summary": "s"}}]]
    agent = make_agent(workspace, script(tmp_path, turns), tmp_path, evaluate=measure, evaluate_trigger="every:2")
    outcome = agent.run()
    assert [c.id for c in measured] == ["a0-r1-s2"]
    assert outcome.best is not None and outcome.best.score == 2.0
    assert {"type": "text", "text": "Automatic evaluation (every:2):\nTABLE"} in agent.messages[4]["content"]


def test_evaluate_on_the_unchanged_baseline_says_there_is_nothing_to_measure(
    workspace: Workspace, tmp_path: Path
) -> None:
    turns = [
        [{"type": "tool_use", "name": "evaluate", "input": {}}],
        [{"type": "tool_use", "name": "finish", "input": {"summary": "s"}}],
    ]
    agent = make_agent(workspace, script(tmp_path, turns), tmp_path, evaluate=lambda c: pytest.fail("measured"))
    agent.run()
    assert "nothing to evaluate" in agent.messages[2]["content"][0]["content"]


def test_the_system_prompt_states_goal_grid_weights_tools_and_when_evaluation_happens() -> None:
    config = load_config(Path(__file__).parents[3] / "examples" / "closest-pair")
    tools = [{"name": "view_file", "description": "Show a file.\nMore."}, {"name": "evaluate", "description": "Run."}]
    prompt = system_prompt(config, tools, steps=25)
    for expected in (
        "geometry:closest_pair_distance",
        "geometry.py",
        "- n: 100, 400, 1600",
        "- d: 2, 8",
        "n=1600: x2",
        "time 0.8, memory 0.2",
        "`view_file`: Show a file.",
        "only when you call `evaluate`",
        "You have 25 steps",
        "1.05",
    ):
        assert expected in prompt, expected
    assert "More." not in prompt


def test_two_different_states_measured_in_one_step_get_distinct_ids(workspace: Workspace, tmp_path: Path) -> None:
    measured: list[str] = []

    def measure(candidate: Candidate) -> Measurement:
        measured.append(candidate.id)
        return Measurement(candidate, None, "TABLE", accepted=False, score=len(measured))

    half = SWEEP.replace("ordered = sorted(points)", "ordered = sorted(points)  # sweep")
    edit = "rewrite_symbol"
    turns = [
        [
            {
                "type": "tool_use",
                "name": edit,
                "input": {"symbol": "geometry.py::closest_pair_distance", "code": SWEEP},
            },
            {"type": "tool_use", "name": "evaluate", "input": {}},
        ],
        [
            {"type": "tool_use", "name": edit, "input": {"symbol": "geometry.py::closest_pair_distance", "code": half}},
            {"type": "tool_use", "name": "evaluate", "input": {}},
            {"type": "tool_use", "name": "finish", "input": {"summary": "s"}},
        ],
    ]
    outcome = make_agent(workspace, script(tmp_path, turns), tmp_path, evaluate=measure).run()
    assert measured == ["a0-r1-s1", "a0-r1-s2"]
    assert outcome.best is not None and outcome.best.candidate.id == "a0-r1-s2"


def test_a_stopped_search_ends_its_agents_before_their_next_step(workspace: Workspace, tmp_path: Path) -> None:
    stop = threading.Event()
    model = Replies(ModelReply([view("geometry.py") | {"id": "t1"}], "tool_use"))
    agent = make_agent(workspace, model, tmp_path, stop=stop, on_step=lambda name, step: stop.set())
    outcome = agent.run()
    assert (outcome.reason, outcome.steps) == ("interrupted", 1)
