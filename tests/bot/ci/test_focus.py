"""A request for one function (`/optimize PATH::SYMBOL`, i.e. PERFBOT_TARGET) points every agent at it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.bot.ci.conftest import CiRun, Lab, ci_env
from tests.pipelines.sessions import NO_CHANGE


def test_a_request_for_a_symbol_opens_each_agents_task_with_focus_on_it(
    closest_pair: Callable[..., Path],
    lab: Callable[[Path], Lab],
    perfbot: Callable[..., CiRun],
    script: Callable[[Any], str],
) -> None:
    repo = closest_pair(model=script(NO_CHANGE))
    out = repo / ".perfbot" / "ci"
    env = ci_env(lab(repo), PERFBOT_TARGET="geometry.py::closest_pair_distance")

    run = perfbot(["ci", str(repo), "--sandbox", "local", "--no-publish"], env, out)

    assert run.exit_code == 0, run.stderr
    trace = [json.loads(line) for line in (out / "trace.jsonl").read_text().splitlines()]
    first_call = next(e for e in trace if e["type"] == "model_call")
    task = first_call["sent"][0]["content"][0]["text"]
    assert task.startswith("## Focus\nFocus on `closest_pair_distance` in geometry.py: it is the function to make")
    assert "Earlier attempts" not in task and "profiling put" not in task
