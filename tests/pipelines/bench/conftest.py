"""Fixtures of the bench tests: the tiny suite (one task), scripted contestants and a fake CLI agent."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TINY = FIXTURES / "tiny-suite"
TASK = TINY / "pair-count"
collect_ignore_glob = ["fixtures/*"]  # the tiny task's own tests run inside the harness, not here


def write_file_turns(path: str, content: str, summary: str) -> list[list[dict[str, Any]]]:
    return [
        [{"type": "tool_use", "name": "write_file", "input": {"path": path, "content": content}}],
        [{"type": "tool_use", "name": "finish", "input": {"summary": summary}}],
    ]


def ok_record(
    contestant: str,
    task: str,
    repeat: int,
    speedup: float,
    solved: bool,
    *,
    kind: str = "perfbot",
    wall_s: float = 2.0,
    usage: dict[str, Any] | None = None,
    budget: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A finished run's record, as the leaderboard reads it (no trace, no grid points)."""
    return {
        "task": task,
        "contestant": contestant,
        "repeat": repeat,
        "kind": kind,
        "status": "ok",
        "solved": solved,
        "speedup": speedup,
        "correctness_failures": 0,
        "wall_s": wall_s,
        "usage": usage or {},
        "budget": budget,
        "failures": None,
    }


@pytest.fixture(scope="module")
def tiny_suite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the tiny suite (so runs never write next to the fixtures)."""
    suite = tmp_path_factory.mktemp("suite") / "tiny-suite"
    shutil.copytree(TINY, suite)
    return suite


@pytest.fixture(scope="module")
def contestants_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """good (one refused replace, a write_file, an evaluation, finish), wrong (tests fail), noedit (finishes at
    once) and fake-cli (a command contestant that copies the known-good solution)."""
    tmp_path = tmp_path_factory.mktemp("contestants")
    reference = (TASK / "reference" / "pairs.py").read_text()
    wrong = (TASK / "wrong" / "pairs.py").read_text()
    scripts = {
        "good": [
            [{"type": "tool_use", "name": "replace", "input": {"path": "pairs.py", "old": "no such text", "new": "x"}}],
            [{"type": "tool_use", "name": "write_file", "input": {"path": "pairs.py", "content": reference}}],
            [{"type": "tool_use", "name": "evaluate", "input": {}}],
            [{"type": "tool_use", "name": "finish", "input": {"summary": "count complements with a dict"}}],
        ],
        "wrong": write_file_turns("pairs.py", wrong, "a set of values"),
        "noedit": [[{"type": "tool_use", "name": "finish", "input": {"summary": "nothing to do"}}]],
    }
    for name, turns in scripts.items():
        (tmp_path / f"{name}-pair-count.yaml").write_text(yaml.safe_dump(turns))
    agent = tmp_path / "agent"
    (agent / "solution").mkdir(parents=True)
    shutil.copy(FIXTURES / "agents" / "fake_agent.py", agent / "fake_agent.py")
    shutil.copy(TASK / "reference" / "pairs.py", agent / "solution" / "pairs.py")
    contestants = [
        {"name": name, "model": f"scripted:{tmp_path}/{name}-{{task}}.yaml"} for name in ("good", "wrong", "noedit")
    ]
    contestants.append(
        {
            "name": "fake-cli",
            "kind": "command",
            "command": "python {agent_dir}/fake_agent.py {prompt_file} {files}",
            "agent_dir": str(agent),
            "usage": "aider",
        }
    )
    path = tmp_path / "contestants.yml"
    path.write_text(yaml.safe_dump({"contestants": contestants}))
    return path
