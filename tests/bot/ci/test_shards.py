"""Scale-out: two `perfbot ci --shard i/2` jobs each run half of the agents, then `perfbot ci --gather` measures
their finalists together, selects, and (with a token) publishes one merge request."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.ci.shard import Shard
from bot.cli import main
from pipelines.errors import UsageError
from tests.bot.ci.conftest import BOT_TOKEN, CiRun, Lab, ci_env
from tests.pipelines.sessions import DEMO, NO_CHANGE

Perfbot = Callable[..., CiRun]


def test_two_shards_split_the_agents_and_the_gather_job_selects_and_publishes_once(
    closest_pair: Callable[..., Path], lab: Callable[[Path], Lab], perfbot: Perfbot, script: Callable[[Any], str]
) -> None:
    repo = closest_pair(model=script({"sessions": [NO_CHANGE, DEMO]}), agents=2)
    gl = lab(repo)
    out = repo / ".perfbot" / "ci"
    env = ci_env(gl, PERFBOT_GITLAB_TOKEN=BOT_TOKEN, PERFBOT_GITLAB_URL=gl.fake.url)

    shard_runs = [perfbot(["ci", str(repo), "--sandbox", "local", "--shard", f"{i}/2"], env, out) for i in (1, 2)]

    assert [r.exit_code for r in shard_runs] == [0, 0]
    assert gl.perfbot_mrs() == []  # shards never publish
    shard_reports = [json.loads((out / f"shard-{i}" / "report.json").read_text()) for i in (1, 2)]
    assert [[a["id"] for a in r["agents"]] for r in shard_reports] == [["a0"], ["a1"]]
    finalists = [json.loads((out / f"shard-{i}" / "finalists.json").read_text())["finalists"] for i in (1, 2)]
    assert finalists[0] == []
    [finalist] = finalists[1]
    assert finalist["id"].startswith("a1-") and "ordered = sorted(points)" in finalist["files"]["geometry.py"]

    gathered = perfbot(["ci", str(repo), "--sandbox", "local", "--gather"], env, out)

    assert gathered.exit_code == 0, gathered.stderr
    report = gathered.report
    assert [a["id"] for a in report["agents"]] == ["a0", "a1"]
    assert report["extra"]["shards"] == ["1/2", "2/2"]
    assert report["selected"] == finalist["id"]
    selected = next(c for c in report["candidates"] if c["id"] == report["selected"])
    assert selected["origin"].endswith("(shard 2/2)")
    events = [json.loads(line) for line in (out / "trace.jsonl").read_text().splitlines()]
    assert {e["agent"] for e in events if e["type"] == "agent_start"} == {"a0", "a1"}
    assert [e["candidate"] for e in events if e.get("agent") == "gather"] == [finalist["id"]]
    [mr] = gl.perfbot_mrs()
    assert "ordered = sorted(points)" in gl.file_at(mr["source_branch"], "geometry.py")
    assert len(gl.bot_notes("merge_request", gl.mr["iid"])) == 1


def test_a_gather_without_shard_artifacts_exits_2_naming_the_directory(
    closest_pair: Callable[..., Path], lab: Callable[[Path], Lab], perfbot: Perfbot
) -> None:
    repo = closest_pair()
    gl = lab(repo)
    run = perfbot(["ci", str(repo), "--sandbox", "local", "--gather", "--no-publish"], ci_env(gl), repo)
    assert run.exit_code == 2
    assert "no shard artifacts" in run.stderr and "shard-1/report.json" in run.stderr


@pytest.mark.parametrize(
    ("text", "agents", "slots"),
    [("1/2", 5, [0, 2, 4]), ("2/2", 5, [1, 3]), ("3/3", 2, []), ("1/1", 3, [0, 1, 2])],
)
def test_a_shard_runs_every_nth_agent_slot(text: str, agents: int, slots: list[int]) -> None:
    assert Shard.parse(text).slots(agents) == slots


@pytest.mark.parametrize("text", ["0/2", "3/2", "2", "a/b", "1/0"])
def test_a_malformed_shard_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError, match="i/N"):
        Shard.parse(text)


def test_a_malformed_shard_on_the_command_line_exits_2_with_the_expected_form(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["ci", "--shard", "3/2"])
    assert exit_.value.code == 2
    assert "argument --shard: expected i/N with 1 <= i <= N" in capsys.readouterr().err
