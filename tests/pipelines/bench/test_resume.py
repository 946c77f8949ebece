"""A benchmark that is killed part-way continues where it stopped: finished runs are kept, the rest are run."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from pipelines.bench.contestants import OverlayContestant, PerfbotContestant, load_contestants
from pipelines.bench.harness import run_benchmark
from pipelines.bench.leaderboard import build
from pipelines.bench.runs import run_one
from pipelines.bench.suite import load_suite
from tests.conftest import ROOT, wait_until


def test_a_killed_benchmark_resumes_without_redoing_finished_runs(
    tiny_suite: Path, contestants_file: Path, tmp_path: Path
) -> None:
    spec = yaml.safe_load(contestants_file.read_text())
    spec["contestants"] = [c for c in spec["contestants"] if c["name"] in ("noedit", "fake-cli")]
    contestants = tmp_path / "two.yml"
    contestants.write_text(yaml.safe_dump(spec))
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "bot.cli", "bench", str(tiny_suite), "--contestants", str(contestants)]
    argv += ["--sandbox", "local", "--jobs", "1", "--repeats", "2", "--out", str(out)]
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        wait_until(lambda: len(list(out.glob("runs/*/*/*.json"))) >= 1, 120, "the first finished run")
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    finished = {p: p.read_bytes() for p in out.glob("runs/*/*/*.json")}
    assert 1 <= len(finished) < 4, "the kill should have come before the last run finished"
    assert not (out / "leaderboard.md").exists()

    said: list[str] = []
    records = run_benchmark(
        load_suite(tiny_suite), load_contestants(contestants), repeats=2, out=out, sandbox="local", say=said.append
    )
    assert said[0] == f"4 runs: {len(finished)} already done, {4 - len(finished)} to run"
    assert [(r["contestant"], r["repeat"], r["status"]) for r in records] == [
        ("noedit", 1, "ok"),
        ("noedit", 2, "ok"),
        ("fake-cli", 1, "ok"),
        ("fake-cli", 2, "ok"),
    ]
    assert all(path.read_bytes() == data for path, data in finished.items())
    assert not list(out.glob("runs/**/*.partial"))


def test_a_changed_contestant_setting_reruns_its_runs(tiny_suite: Path, contestants_file: Path, tmp_path: Path) -> None:
    spec = yaml.safe_load(contestants_file.read_text())
    spec["contestants"] = [c for c in spec["contestants"] if c["name"] == "noedit"]
    path = tmp_path / "one.yml"
    path.write_text(yaml.safe_dump(spec))
    out, tasks = tmp_path / "out", load_suite(tiny_suite)
    run_benchmark(tasks, load_contestants(path), repeats=1, out=out, sandbox="local")
    spec["contestants"][0]["steps"] = 3
    path.write_text(yaml.safe_dump(spec))
    said: list[str] = []
    records = run_benchmark(tasks, load_contestants(path), repeats=1, out=out, sandbox="local", say=said.append)
    assert said[0] == "1 runs: 0 already done, 1 to run"
    assert records[0]["budget"]["steps"] == 3
    spec["contestants"][0]["steps"] = 4
    path.write_text(yaml.safe_dump(spec))
    kept = run_benchmark(
        tasks, load_contestants(path), repeats=1, out=out, sandbox="local", report_only=True, say=said.append
    )
    assert said[-1] == "1 runs: 1 stored (1 made with other settings, code or task files), 0 missing; nothing is run"
    assert kept == records


def test_a_broken_run_is_recorded_as_an_error_and_rerun_only_when_asked(tiny_suite: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.yml"
    path.write_text(yaml.safe_dump({"contestants": [{"name": "bad", "tools": ["finish", "teleport"]}]}))
    tasks, contestants, out = load_suite(tiny_suite), load_contestants(path), tmp_path / "out"
    [record] = run_benchmark(tasks, contestants, repeats=1, out=out, sandbox="local")
    assert record["status"] == "error" and "teleport" in record["error"]
    assert build([record])[0]["errors"] == 1
    said: list[str] = []
    run_benchmark(tasks, contestants, repeats=1, out=out, sandbox="local", say=said.append)
    run_benchmark(tasks, contestants, repeats=1, out=out, sandbox="local", retry_errors=True, say=said.append)
    plans = [line for line in said if line.startswith("1 runs")]
    assert plans == ["1 runs: 1 already done, 0 to run", "1 runs: 0 already done, 1 to run"]


def test_a_task_whose_reference_was_replaced_is_rerun_not_reused(tiny_suite: Path, tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    shutil.copytree(tiny_suite, suite)
    reference = [OverlayContestant(name="reference", kind="reference")]
    out = tmp_path / "out"
    [first] = run_benchmark(load_suite(suite), reference, repeats=1, out=out, sandbox="local")
    assert first["solved"]
    task = suite / "pair-count"
    (task / "reference" / "pairs.py").write_text((task / "wrong" / "pairs.py").read_text())
    said: list[str] = []
    [second] = run_benchmark(load_suite(suite), reference, repeats=1, out=out, sandbox="local", say=said.append)
    assert said[0] == "1 runs: 0 already done, 1 to run"
    assert not second["solved"] and second["meta"]["task_sha256"] != first["meta"]["task_sha256"]


def test_a_run_whose_agents_all_failed_to_start_is_an_error_not_a_loss(
    tiny_suite: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    [task] = load_suite(tiny_suite)
    record = run_one(task, PerfbotContestant(name="keyless", model="anthropic:claude-sonnet-4-6"), 1, tmp_path, "local")
    assert record["status"] == "error" and "ANTHROPIC_API_KEY" in record["error"]
    assert build([record])[0]["errors"] == 1
