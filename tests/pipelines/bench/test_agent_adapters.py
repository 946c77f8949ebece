"""The Claude Code and Cursor adapters, run through the command adapter against stand-in executables that speak
the real CLIs' flags and output formats (neither CLI can be installed here): the command line each adapter
builds is accepted, the limits it passes are honoured, usage is read from the output, and keys stay out of logs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipelines.bench.agent_command import run_agent_command
from pipelines.bench.contestants import CommandContestant, apply_adapter
from pipelines.bench.runs import run_one
from pipelines.bench.suite import load_suite
from tests.pipelines.bench.conftest import FIXTURES, TASK, TINY

CLAUDE_KEY = "sk-ant-stand-in-0123456789"


@pytest.fixture(scope="module")
def agent_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("agents") / "agent"
    shutil.copytree(FIXTURES / "agents" / "bin", folder / "bin")
    (folder / "solution").mkdir()
    shutil.copy(TASK / "reference" / "pairs.py", folder / "solution" / "pairs.py")
    return folder


def contestant(adapter: str, agent_dir: Path, **extra: object) -> CommandContestant:
    spec = {"name": adapter, "kind": "command", "adapter": adapter, "agent_dir": str(agent_dir)}
    spec |= {"before": "export PATH={agent_dir}/bin:$PATH", "model": "some-model", **extra}
    return apply_adapter(CommandContestant.model_validate(spec))


def test_claude_code_runs_headless_with_its_turn_and_dollar_limits(
    agent_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", CLAUDE_KEY)
    [task] = load_suite(TINY)
    run = run_agent_command(task, contestant("claude-code", agent_dir, steps=5, max_cost_usd=0.5), "local")
    assert run.returncode == 0, run.output
    assert list(run.files) == ["pairs.py"] and "seen = {}" in run.files["pairs.py"]
    assert run.usage == {"input_tokens": 1500, "output_tokens": 450, "usd": 0.0421, "turns": 2}
    assert CLAUDE_KEY not in run.output and "[redacted]" in run.output
    assert '"type": "result"' in run.output.splitlines()[-1]


def test_claude_codes_turn_limit_is_enforced(agent_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", CLAUDE_KEY)
    [task] = load_suite(TINY)
    run = run_agent_command(task, contestant("claude-code", agent_dir, steps=1), "local")
    assert (run.files, run.usage["turns"]) == ({}, 1)
    assert '"subtype": "error_max_turns"' in run.output


def test_cursor_runs_headless_and_reports_its_api_time(agent_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CURSOR_API_KEY", "cursor-stand-in-key-0123")
    [task] = load_suite(TINY)
    cursor = contestant("cursor", agent_dir)
    assert cursor.enforced() == ["timeout"]
    run = run_agent_command(task, cursor, "local")
    assert run.returncode == 0, run.output
    assert "seen = {}" in run.files["pairs.py"] and run.usage == {"api_s": 2.9}


def test_an_agent_without_its_key_fails_with_the_clis_message(agent_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CURSOR_API_KEY", "")
    [task] = load_suite(TINY)
    run = run_agent_command(task, contestant("cursor", agent_dir), "local")
    assert run.returncode != 0 and "CURSOR_API_KEY" in run.output and run.files == {}


def test_a_claude_code_run_is_scored_with_the_budget_it_was_held_to(
    agent_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", CLAUDE_KEY)
    [task] = load_suite(TINY)
    record = run_one(task, contestant("claude-code", agent_dir, steps=7), 1, tmp_path / "run", "local")
    assert record["status"] == "ok" and record["solved"], record.get("error") or record["reason"]
    assert record["budget"]["total_steps"] == 7 and record["budget"]["enforced"] == ["steps", "timeout", "usd"]
    assert record["usage"]["usd"] == 0.0421 and record["log_failures"] == {}
    assert CLAUDE_KEY not in (tmp_path / "run" / "agent.log").read_text() and CLAUDE_KEY not in str(record)
