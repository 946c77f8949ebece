"""What a reviewer would check first: every contestant counted once, stale results never reused, budgets that
are really equal. Pure logic on contestants, records and fingerprints; nothing is run."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipelines.bench import provenance
from pipelines.bench.contestants import (
    CommandContestant,
    OverlayContestant,
    PerfbotContestant,
    apply_adapter,
    expand_sweep,
    parse_sweep,
    with_budget,
    with_reference,
)
from pipelines.bench.leaderboard import build
from pipelines.bench.suite import load_suite
from pipelines.commands.bench import contestants_of
from pipelines.errors import ConfigError, UsageError
from tests.pipelines.bench.conftest import TINY, ok_record


def record(contestant: str, task: str, repeat: int, speedup: float, solved: bool, kind: str = "perfbot") -> dict:
    return ok_record(contestant, task, repeat, speedup, solved, kind=kind)


def bench_args(contestants: Path, **extra: Any) -> argparse.Namespace:
    values = {"contestants": contestants, "model": None, "sweep": None, "budget_steps": None, "budget_usd": None}
    return argparse.Namespace(**{**values, "with_reference": True, **extra})


def test_with_reference_adds_the_reference_once_even_when_the_file_has_it(tmp_path: Path) -> None:
    path = tmp_path / "c.yml"
    path.write_text(yaml.safe_dump({"contestants": [{"name": "p"}, {"name": "reference", "kind": "reference"}]}))
    assert [c.name for c in contestants_of(bench_args(path))] == ["p", "reference"]
    path.write_text(yaml.safe_dump({"contestants": [{"name": "p"}]}))
    assert [c.name for c in contestants_of(bench_args(path))] == ["p", "reference"]


def test_a_contestant_named_reference_that_is_not_the_reference_is_refused() -> None:
    with pytest.raises(ConfigError, match="already named 'reference' but is not kind: reference"):
        with_reference([PerfbotContestant(name="reference")])
    ceiling = OverlayContestant(name="ceiling", kind="reference")
    assert with_reference([ceiling]) == [ceiling]


def test_a_sweep_that_would_repeat_a_name_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "c.yml"
    path.write_text(yaml.safe_dump({"contestants": [{"name": "p"}, {"name": "p@1x4", "kind": "reference"}]}))
    with pytest.raises(ConfigError, match=r"repeated: \['p@1x4'\]"):
        contestants_of(bench_args(path, sweep="1x4,2x2", with_reference=False))


def test_the_leaderboard_refuses_records_that_would_count_a_run_twice() -> None:
    runs = [record("reference", "t", 1, 3.0, True, "reference")] * 2
    with pytest.raises(ValueError, match="counted twice"):
        build(runs)


def test_the_reference_row_counts_each_task_once() -> None:
    runs = [record("reference", t, r, 3.0, True, "reference") for t in ("a", "b", "c") for r in (1, 2)]
    [row] = build(runs)
    assert (row["solved"]["mean"], row["tasks"], row["per_task"]["a"]["runs"]) == (3.0, 3, 2)


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    copy = tmp_path / "suite"
    shutil.copytree(TINY, copy)
    return copy


def test_the_fingerprint_changes_with_the_tasks_files(suite: Path) -> None:
    contestant = OverlayContestant(name="reference", kind="reference")
    before = provenance.run_fingerprint(contestant, load_suite(suite)[0])
    (suite / "pair-count" / "reference" / "pairs.py").write_text(
        (suite / "pair-count" / "wrong" / "pairs.py").read_text()
    )
    after = provenance.run_fingerprint(contestant, load_suite(suite)[0])
    assert before != after
    (suite / "pair-count" / "repo" / "__pycache__").mkdir()
    (suite / "pair-count" / "repo" / "__pycache__" / "x.pyc").write_bytes(b"cache")
    assert provenance.run_fingerprint(contestant, load_suite(suite)[0]) == after


def test_the_fingerprint_changes_with_the_scripted_session(suite: Path, tmp_path: Path) -> None:
    script = tmp_path / "s-pair-count.yaml"
    contestant = PerfbotContestant(name="s", model=f"scripted:{tmp_path}/s-{{task}}.yaml")
    [task] = load_suite(suite)
    missing = provenance.run_fingerprint(contestant, task)
    script.write_text(yaml.safe_dump([[{"type": "text", "text": "one"}]]))
    first = provenance.run_fingerprint(contestant, task)
    script.write_text(yaml.safe_dump([[{"type": "text", "text": "two"}]]))
    assert len({missing, first, provenance.run_fingerprint(contestant, task)}) == 3


def test_the_fingerprint_changes_with_perfbots_version(suite: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    contestant = PerfbotContestant(name="p")
    [task] = load_suite(suite)
    before = provenance.run_fingerprint(contestant, task)
    monkeypatch.setattr(provenance, "perfbot_version", lambda: "99.0")
    assert provenance.run_fingerprint(contestant, task) != before
    monkeypatch.undo()
    monkeypatch.setattr(provenance, "perfbot_commit", lambda: "0" * 40)
    assert provenance.run_fingerprint(contestant, task) != before


def test_run_metadata_names_the_model_and_never_a_secret(suite: Path) -> None:
    [task] = load_suite(suite)
    cli = CommandContestant(
        name="c",
        kind="command",
        command="x",
        model="openai/m",
        env={"OPENAI_API_KEY": "sk-secret-value"},
        args="--api-key sk-secret-value",
    )
    meta = provenance.run_metadata(cli, task)
    assert meta["model"] == "openai/m" and meta["env_names"] == ["OPENAI_API_KEY"]
    assert "sk-secret-value" not in str(meta) and meta["model_settings"]["args"] == "--api-key [redacted]"
    for key in ("perfbot_version", "perfbot_commit", "python", "host", "cpu", "cpus_available", "task_sha256", "seed"):
        assert key in meta


def test_a_sweep_splits_one_fixed_total_over_agents_steps_and_rounds() -> None:
    assert parse_sweep("1x8x1,2x2x2,1x4x2") == [(1, 8, 1), (2, 2, 2), (1, 4, 2)]
    with pytest.raises(UsageError, match="same total K x M x R; got 1x4x1=4, 2x2x2=8"):
        parse_sweep("1x4,2x2x2")
    two_rounds = PerfbotContestant(name="p", rounds=2)
    swept = expand_sweep([two_rounds], [(1, 4, 1), (1, 2, 2)])
    assert [(c.name, c.agents, c.steps, c.rounds) for c in swept] == [("p@1x4", 1, 4, 1), ("p@1x2x2", 1, 2, 2)]


def test_an_equal_budget_that_does_not_divide_is_refused_instead_of_rounded_down() -> None:
    three = PerfbotContestant(name="three", agents=3)
    with pytest.raises(UsageError, match=r"use a multiple of 3, e.g. \[99, 102\]"):
        with_budget([three], steps=100, usd=None)
    [exact] = with_budget([three], steps=99, usd=None)
    assert (exact.agents or 1) * (exact.steps or 1) * (exact.rounds or 1) == 99


def test_external_agents_are_only_held_to_the_limits_their_cli_enforces() -> None:
    aider = apply_adapter(CommandContestant(name="a", kind="command", adapter="aider"))
    claude = apply_adapter(CommandContestant(name="c", kind="command", adapter="claude-code"))
    custom = CommandContestant(name="m", kind="command", command="agent --max-turns {steps}")
    assert aider.enforced() == ["timeout"]
    assert claude.enforced() == ["steps", "timeout", "usd"]
    assert custom.enforced() == ["steps", "timeout"]
    from pipelines.bench.runs import _command_budget

    assert _command_budget(aider)["total_steps"] is None and _command_budget(claude)["total_steps"] == 50


def test_a_sweep_gives_command_contestants_the_same_total(tmp_path: Path) -> None:
    path = tmp_path / "c.yml"
    path.write_text(yaml.safe_dump({"contestants": [{"name": "p"}, {"name": "m", "kind": "command", "command": "x"}]}))
    out = contestants_of(bench_args(path, sweep="1x6x1,3x2x1", with_reference=False))
    assert [(c.name, c.steps) for c in out] == [("p@1x6", 6), ("p@3x2", 2), ("m", 6)]


def test_parallel_runs_never_share_cores_with_measurements_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipelines.commands.bench import default_jobs, timing_isolation

    monkeypatch.setattr("os.cpu_count", lambda: 4)
    assert (default_jobs("local"), default_jobs("docker"), default_jobs(None)) == (1, 3, 3)
    monkeypatch.setenv("PERFBOT_BENCH_CPUS", "3")
    docker = timing_isolation("docker", 3)
    assert "pinned to CPU set 3" in docker["how"] and "measurement_lock" in docker["how"]
    assert "shared the cores" not in timing_isolation("local", 1)["how"]


def test_runs_are_blocked_by_task_and_repeat_with_the_contestants_rotated(suite: Path) -> None:
    from pipelines.bench.harness import Job, execution_order

    [task] = load_suite(suite)
    names = ["a", "b", "c"]
    plan = [Job(task, PerfbotContestant(name=n), r) for n in names for r in (1, 2, 3)]
    order = [(job.repeat, job.contestant.name) for job in execution_order(plan, names)]
    assert order == [(1, "a"), (1, "b"), (1, "c"), (2, "b"), (2, "c"), (2, "a"), (3, "c"), (3, "a"), (3, "b")]
