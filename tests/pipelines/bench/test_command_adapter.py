"""The command adapter's boundary: only the variables a contestant names reach the agent, and their values never
reach the stored log; the agent works on a committed git checkout of the task."""

from __future__ import annotations

import pytest

from pipelines.bench.agent_command import run_agent_command
from pipelines.bench.contestants import CommandContestant
from pipelines.bench.suite import load_suite
from pipelines.errors import ConfigError
from tests.pipelines.bench.conftest import TINY


def test_only_passed_variables_reach_the_agent_and_their_values_are_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_AGENT_KEY", "agent-key-0123456789")
    monkeypatch.setenv("PERFBOT_OWN_TOKEN", "host-token-9876543210")
    [task] = load_suite(TINY)
    agent = CommandContestant(
        name="env-printer",
        kind="command",
        command='echo "key=$MY_AGENT_KEY own=${PERFBOT_OWN_TOKEN:-unset} plain=$PLAIN"; git log --oneline | wc -l',
        env={"PLAIN": "visible"},
        pass_env=["MY_AGENT_KEY"],
    )
    run = run_agent_command(task, agent, "local")
    assert run.output.splitlines() == ["key=[redacted] own=unset plain=visible", "1"]
    assert (run.returncode, run.files, run.outside_target) == (0, {}, [])


def test_a_passed_variable_that_is_not_set_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    [task] = load_suite(TINY)
    agent = CommandContestant(name="x", kind="command", command="true", pass_env=["NOT_SET_ANYWHERE"])
    with pytest.raises(ConfigError, match=r"pass_env names unset variable\(s\) \['NOT_SET_ANYWHERE'\]"):
        run_agent_command(task, agent, "local")
