"""The harness's parts on their own: suite format, contestants, sweeps and budgets, adapters, usage parsing,
failure classification, confidence intervals and the plot."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from pipelines.bench.adapters import NO_HEADLESS_MODE, read_usage
from pipelines.bench.agent_command import render_command, render_prompt
from pipelines.bench.contestants import (
    CommandContestant,
    PerfbotContestant,
    apply_adapter,
    expand_sweep,
    load_contestants,
    parse_sweep,
    with_budget,
)
from pipelines.bench.failures import edit_failure_kind
from pipelines.bench.leaderboard import geomean, interval
from pipelines.bench.suite import load_suite
from pipelines.commands.bench import adapter_list
from pipelines.errors import ConfigError, UsageError
from tests.conftest import ROOT
from tests.pipelines.bench.conftest import TINY


def test_a_suite_loads_its_tasks_with_their_versions() -> None:
    [task] = load_suite(TINY)
    assert (task.name, task.kind, task.reference_speedup) == ("pair-count", "algorithmic", 20.0)
    assert set(task.overlays) == {"reference", "wrong"} and "seen = {}" in task.overlays["reference"]["pairs.py"]
    assert task.config.target.files == ["pairs.py"]


def test_a_task_with_an_unknown_key_or_a_stray_solution_file_is_refused(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    shutil.copytree(TINY, suite)
    meta = suite / "pair-count" / "task.yml"
    meta.write_text("description: x\nreference_speedupp: 3\n")
    with pytest.raises(ConfigError, match=r"unknown key\(s\) \['reference_speedupp'\]"):
        load_suite(suite)
    meta.write_text("description: x\n")
    (suite / "pair-count" / "reference" / "other.py").write_text("")
    with pytest.raises(ConfigError, match=r"reference/other\.py replaces no file of repo/"):
        load_suite(suite)


def test_asking_for_a_task_the_suite_lacks_names_the_tasks_it_has() -> None:
    with pytest.raises(ConfigError, match=r"no task\(s\) \['nope'\]; the suite has \['pair-count'\]"):
        load_suite(TINY, ["nope"])


def test_a_sweep_is_one_flag_for_every_split() -> None:
    assert parse_sweep("100") == [(1, 100, 1), (10, 10, 1), (100, 1, 1)]
    assert parse_sweep("1x20, 4x5") == [(1, 20, 1), (4, 5, 1)]
    with pytest.raises(UsageError, match="'4by5'"):
        parse_sweep("4by5")
    base = PerfbotContestant(name="p", model="anthropic:x")
    cli = CommandContestant(name="c", kind="command", command="true")
    swept = expand_sweep([base, cli], [(1, 20, 1), (4, 5, 1)])
    assert [(c.name, getattr(c, "agents", None), c.steps) for c in swept] == [
        ("p@1x20", 1, 20),
        ("p@4x5", 4, 5),
        ("c", None, 50),
    ]


def test_an_equal_step_budget_splits_over_agents_and_rounds() -> None:
    wide = PerfbotContestant(name="w", agents=5, rounds=2)
    single = PerfbotContestant(name="s")
    cli = CommandContestant(name="c", kind="command", command="true")
    out = with_budget([wide, single, cli], steps=40, usd=1.5)
    assert [(c.name, c.steps, c.max_cost_usd) for c in out] == [("w", 4, 1.5), ("s", 40, 1.5), ("c", 40, 1.5)]
    with pytest.raises(UsageError, match=r"does not split evenly over w's 5 agent\(s\) x 2 round\(s\)"):
        with_budget([wide], steps=9, usd=None)


def test_a_contestants_file_is_validated_and_adapters_fill_in_defaults(tmp_path: Path) -> None:
    path = tmp_path / "c.yml"
    path.write_text(
        yaml.safe_dump({"contestants": [{"name": "a", "kind": "command", "adapter": "aider", "model": "m"}]})
    )
    [aider] = load_contestants(path)
    assert isinstance(aider, CommandContestant)
    assert aider.command.startswith("aider --yes-always") and aider.image == "perfbot/aider:latest"
    path.write_text(yaml.safe_dump({"contestants": [{"name": "x", "agents": 0}]}))
    with pytest.raises(ConfigError, match=r"contestants\.0\.perfbot\.agents"):
        load_contestants(path)
    path.write_text(yaml.safe_dump({"contestants": [{"name": "x"}, {"name": "x"}]}))
    with pytest.raises(ConfigError, match=r"repeated: \['x'\]"):
        load_contestants(path)


def test_agents_without_a_headless_mode_are_refused_with_the_reason() -> None:
    for name in ("windsurf",):
        with pytest.raises(ConfigError, match="cannot be benchmarked"):
            apply_adapter(CommandContestant(name="x", kind="command", adapter=name))
        assert name in adapter_list() and NO_HEADLESS_MODE[name] in adapter_list()


def test_the_command_and_prompt_are_filled_in_and_quoted() -> None:
    contestant = apply_adapter(CommandContestant(name="a", kind="command", adapter="aider", model="openai/m x"))
    command = render_command(contestant, "/workspace", ["src/a b.py", "c.py"])
    assert "--model 'openai/m x'" in command
    assert command.endswith("--message-file /workspace/.bench/prompt.md 'src/a b.py' c.py")
    [task] = load_suite(TINY)
    prompt = render_prompt(task, contestant, ["pairs.py"])
    assert "Count the pairs of readings" in prompt and "only these files: pairs.py" in prompt
    assert "`pairs:count_pairs`" in prompt


def test_usage_is_read_from_aider_and_claude_output() -> None:
    aider = "Tokens: 2.9k sent, 179 received.\nTokens: 1,200 sent, 1.1k received. Cost: $0.02 message, $0.03 session."
    assert read_usage("aider", aider) == {"input_tokens": 4100, "output_tokens": 1279, "usd": 0.02}
    claude = 'noise\n{"type": "result", "total_cost_usd": 0.5, "usage": {"input_tokens": 10, "output_tokens": 4}}'
    assert read_usage("claude", claude) == {"input_tokens": 10, "output_tokens": 4, "usd": 0.5}
    cursor = '{"type": "result", "subtype": "success", "duration_ms": 2500, "duration_api_ms": 2000, "result": "ok"}'
    assert read_usage("cursor", cursor) == {"api_s": 2.0}
    assert read_usage("aider", "no usage here") == {}


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("No match: old does not appear verbatim in a.py; nothing was changed.", "no match"),
        ("old matches 2 places in a.py (lines 3, 9); nothing was changed.", "ambiguous match"),
        ("Refused: the content leaves out code that a.py has; nothing was written.", "elision"),
        ("Refused: the result would not parse as Python (a.py, line 3).", "syntax error"),
        ("tests.py is not an editable file: only files matching a.py may be edited", "not editable"),
        ("This replace was already applied in an earlier turn; old is no longer in a.py.", "already applied"),
        ("replace: missing argument 'old'. Usage: ...", "malformed call"),
        ("something new", "other"),
    ],
)
def test_edit_failures_are_classified_by_the_refusal(message: str, kind: str) -> None:
    assert edit_failure_kind(message) == kind


def test_intervals_use_the_t_distribution() -> None:
    assert interval([2.0]) == {"mean": 2.0, "ci": None, "n": 1}
    result = interval([1.0, 3.0])
    assert result["mean"] == 2.0 and result["ci"] == pytest.approx(12.706 * 2**0.5 / 2**0.5)
    assert geomean([1.0, 4.0]) == pytest.approx(2.0)


def test_the_example_contestants_file_loads() -> None:
    contestants = load_contestants(ROOT / "bench" / "agents" / "contestants.example.yml")
    assert [c.kind for c in contestants] == ["perfbot", "perfbot", "perfbot", "command", "command", "reference"]
