"""`scripted:<file>`: bundled and user scripts, sessions per agent, and errors that name the fault."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipelines.errors import ConfigError
from pipelines.models import ModelRequest, ScriptExhausted, open_model

REQUEST = ModelRequest("system", [], [{"role": "user", "content": "hi"}])


def write(tmp_path: Path, data: object) -> str:
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data))
    return str(path)


def test_the_bundled_demo_resolves_by_its_relative_name() -> None:
    model = open_model("scripted:demo/closest-pair.yaml")
    first = model.complete(REQUEST)
    assert first.content[1] == {
        "type": "tool_use",
        "name": "view_file",
        "input": {"path": "geometry.py"},
        "id": first.content[1]["id"],
    }
    assert first.stop_reason == "tool_use"


def test_turns_replay_in_order_with_ids_filled_in_and_then_run_out(tmp_path: Path) -> None:
    spec = write(tmp_path, [[{"type": "text", "text": "a"}], [{"type": "tool_use", "name": "finish", "input": {}}]])
    model = open_model(f"scripted:{spec}")
    assert model.complete(REQUEST).content == [{"type": "text", "text": "a"}]
    second = model.complete(REQUEST)
    assert second.content[0]["id"] and second.stop_reason == "tool_use"
    with pytest.raises(ScriptExhausted, match="no turn 3"):
        model.complete(REQUEST)


def test_agent_i_replays_session_i_mod_n_and_rates_price_the_estimate(tmp_path: Path) -> None:
    sessions = [[[{"type": "text", "text": "zero"}]], [[{"type": "text", "text": "one"}]]]
    spec = write(tmp_path, {"sessions": sessions, "rates": {"input": 1_000_000, "output": 0}})
    assert open_model(f"scripted:{spec}", session=3).complete(REQUEST).content[0]["text"] == "one"
    reply = open_model(f"scripted:{spec}", session=0).complete(REQUEST)
    assert reply.usage.usd == reply.usage.input_tokens > 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "non-empty list of turns"),
        ([[{"type": "tool_use", "input": {}}]], "turn 1, block 1"),
        ([[{"type": "text", "text": "ok"}], "not a turn"], "turn 2: expected a non-empty list"),
        ({"turns": []}, "mapping with 'sessions'"),
    ],
)
def test_a_malformed_script_is_a_config_error_naming_the_place(tmp_path: Path, data: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        open_model(f"scripted:{write(tmp_path, data)}")


def test_an_unknown_script_and_an_unknown_provider_are_config_errors() -> None:
    with pytest.raises(ConfigError, match=r"no file 'nope\.yaml'"):
        open_model("scripted:nope.yaml")
    with pytest.raises(ConfigError, match="expected 'anthropic:<model>'"):
        open_model("gemini:pro")
