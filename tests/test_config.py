from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.config import load_config, parse_config
from pipelines.errors import ConfigError

MINIMAL = {
    "target": {"files": ["stats.py"]},
    "benchmark": {"entry": "stats:f", "inputs": "inputs:make", "params": {"n": [10, 100], "d": [2, 3]}},
}


def test_minimal_config_gets_defaults_in_place() -> None:
    config = parse_config(MINIMAL, "x.yml")
    assert config.tests.command == "python -m pytest -q"
    assert config.search.agents == 4
    assert config.benchmark.grid() == [
        {"n": 10, "d": 2},
        {"n": 10, "d": 3},
        {"n": 100, "d": 2},
        {"n": 100, "d": 3},
    ]


def test_unknown_key_is_named_with_the_file() -> None:
    raw = {**MINIMAL, "serch": {"agents": 2}}
    with pytest.raises(ConfigError, match=r"x\.yml.*\n  serch: unknown key"):
        parse_config(raw, "x.yml")


def test_wrong_type_names_the_nested_key_and_the_value() -> None:
    raw = {**MINIMAL, "search": {"agents": "many"}}
    with pytest.raises(ConfigError, match=r"search\.agents: .*integer.*'many'"):
        parse_config(raw, "x.yml")


def test_bad_entry_reference_says_what_was_expected() -> None:
    raw = {**MINIMAL, "benchmark": {**MINIMAL["benchmark"], "entry": "stats.f"}}
    with pytest.raises(ConfigError, match=r"benchmark\.entry: expected 'module:callable'"):
        parse_config(raw, "x.yml")


def test_weight_for_a_value_not_in_the_grid_is_an_error() -> None:
    raw = {**MINIMAL, "benchmark": {**MINIMAL["benchmark"], "weights": {"n": {1000: 2}}}}
    with pytest.raises(ConfigError, match=r"weights\.n: 1000 is not one of params\.n"):
        parse_config(raw, "x.yml")


def test_point_weight_multiplies_axis_weights() -> None:
    raw = {**MINIMAL, "benchmark": {**MINIMAL["benchmark"], "weights": {"n": {100: 2}, "d": {3: 1.5}}}}
    config = parse_config(raw, "x.yml")
    assert config.benchmark.point_weight({"n": 100, "d": 3}) == 3.0
    assert config.benchmark.point_weight({"n": 10, "d": 2}) == 1.0


def test_evaluate_trigger_grammar() -> None:
    assert parse_config({**MINIMAL, "agent": {"evaluate": "every:3"}}, "x").agent.evaluate == "every:3"
    with pytest.raises(ConfigError, match=r"agent\.evaluate: expected 'agent', 'on_change' or 'every:N'"):
        parse_config({**MINIMAL, "agent": {"evaluate": "every:0"}}, "x")


def test_config_from_pyproject_tool_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.perfbot]\ntarget = {files = ["a.py"]}\n'
        '[tool.perfbot.benchmark]\nentry = "a:f"\ninputs = "a:make"\nparams = {n = [1]}\n'
    )
    assert load_config(tmp_path).target.files == ["a.py"]


def test_missing_config_points_at_init(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="perfbot init"):
        load_config(tmp_path)


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    (tmp_path / ".perfbot.yml").write_text("target: [unclosed\n")
    with pytest.raises(ConfigError, match=r"\.perfbot\.yml: not valid YAML"):
        load_config(tmp_path)


def test_empty_file_is_explained(tmp_path: Path) -> None:
    (tmp_path / ".perfbot.yml").write_text("")
    with pytest.raises(ConfigError, match="got an empty file"):
        load_config(tmp_path)
