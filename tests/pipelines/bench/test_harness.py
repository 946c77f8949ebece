"""The harness end to end on the tiny suite (local sandbox): scripted perfbot contestants with known behaviour and
a fake CLI agent through the command adapter; the leaderboard's numbers are checked against what is known."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from pipelines.bench.contestants import expand_sweep, load_contestants, parse_sweep
from pipelines.bench.harness import run_benchmark
from pipelines.bench.leaderboard import build
from pipelines.bench.suite import load_suite
from pipelines.commands.bench import timing_isolation, write_outputs


@pytest.fixture(scope="module")
def board(tiny_suite: Path, contestants_file: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One benchmark of the tiny suite, shared by the tests of this module (each only reads it)."""
    tasks = load_suite(tiny_suite)
    out = tmp_path_factory.mktemp("bench") / "out"
    records = run_benchmark(tasks, load_contestants(contestants_file), repeats=2, out=out, sandbox="local", jobs=2)
    write_outputs(out, records, tasks, repeats=2, suite=str(tiny_suite), timing=timing_isolation("local", 2))
    rows = {row["contestant"]: row for row in build(records)}
    return {"rows": rows, "records": records, "out": out}


def test_the_leaderboard_matches_what_each_contestant_is_known_to_do(board: dict[str, Any]) -> None:
    rows = board["rows"]
    assert [r["status"] for r in board["records"]] == ["ok"] * 8
    good, wrong, noedit, cli = rows["good"], rows["wrong"], rows["noedit"], rows["fake-cli"]
    assert (good["solved"]["mean"], good["solved"]["ci"]) == (1.0, 0.0)
    assert good["geomean_speedup"]["mean"] > 1.5
    assert good["mean_speedup"]["mean"] == pytest.approx(good["geomean_speedup"]["mean"])
    assert good["edit_failure_rate"] == 0.5  # one refused replace and one write_file per run
    assert good["correctness_failures"] == 0
    assert (wrong["solved"]["mean"], wrong["mean_speedup"]["mean"], wrong["correctness_failures"]) == (0.0, 1.0, 2)
    assert wrong["edit_failure_rate"] == 0.0
    assert (noedit["solved"]["mean"], noedit["mean_speedup"]["mean"], noedit["correctness_failures"]) == (0.0, 1.0, 0)
    assert noedit["edit_failure_rate"] is None
    assert cli["solved"]["mean"] == 1.0 and cli["geomean_speedup"]["mean"] > 1.5
    assert (cli["tokens_per_run"], cli["usd_per_run"]) == (1750, 0.0125)
    ranking = [row["contestant"] for row in build(board["records"])]
    assert set(ranking[:2]) == {"good", "fake-cli"} and set(ranking[2:]) == {"wrong", "noedit"}


def test_failure_modes_count_what_the_scripts_did(board: dict[str, Any]) -> None:
    good = board["rows"]["good"]["failure_modes"]
    assert good["edit_failures_by_kind"] == {"no match": 2}
    assert good["evaluate_calls_per_step"] == pytest.approx(2 / 8)  # one evaluate call in four steps, twice
    assert good["measured_per_run"] == 1.0  # the finished state is the one already measured
    assert good["agent_ends"] == {"finished": 2}
    assert good["budget_exhausted"] == 0.0
    assert board["rows"]["fake-cli"]["failure_modes"] is None


def test_the_command_adapter_scores_only_the_target_files(board: dict[str, Any]) -> None:
    cli = [r for r in board["records"] if r["contestant"] == "fake-cli"]
    assert [r["outside_target"] for r in cli] == [["NOTES.txt"], ["NOTES.txt"]]
    assert all(r["agent_exit"] == 0 and r["solved"] and "+    seen = {}" in r["diff"] for r in cli)


def test_outputs_are_written_as_markdown_json_and_svg(board: dict[str, Any]) -> None:
    out: Path = board["out"]
    document = json.loads((out / "leaderboard.json").read_text())
    assert {row["contestant"] for row in document["contestants"]} == {"good", "wrong", "noedit", "fake-cli"}
    markdown = (out / "leaderboard.md").read_text()
    assert "| good | 1.0 ± 0.0 / 1 |" in markdown.replace("| 1 | good", "| good").replace("| 2 | good", "| good")
    assert "no match 2" in markdown
    assert "<svg" in (out / "speedup_vs_budget.svg").read_text()
    assert "<svg" in (out / "speedup_vs_size.svg").read_text()
    assert len(list((out / "runs").rglob("*.json"))) == 8


def test_every_record_and_the_leaderboard_carry_what_reproduces_them(board: dict[str, Any]) -> None:
    out: Path = board["out"]
    document = json.loads((out / "leaderboard.json").read_text())
    environment = document["environment"]
    assert environment["perfbot_version"] and environment["python"] and environment["host"] and environment["cpu"]
    assert environment["perfbot_commit"] and document["task_sha256"]["pair-count"]
    for record in board["records"]:
        meta = record["meta"]
        assert meta["task_sha256"] == document["task_sha256"]["pair-count"]
        assert meta["perfbot_commit"] == environment["perfbot_commit"] and meta["sandbox"] == "local"
        assert "seed" in meta and "model_settings" in meta
    good = next(r for r in board["records"] if r["contestant"] == "good")
    assert good["meta"]["model"].startswith("scripted:") and len(good["meta"]["scripted_sha256"]) == 64
    timing = document["timing"]
    assert (timing["jobs"], timing["sandbox"], timing["serialised"]) == (2, "local", True)
    assert "measurements serialised" in timing["how"] and "shared the cores" in timing["how"]
    assert f"timing isolation: {timing['how']}" in (out / "leaderboard.md").read_text()


def test_the_predictions_file_has_every_runs_patch(board: dict[str, Any]) -> None:
    lines = [json.loads(line) for line in (board["out"] / "predictions.jsonl").read_text().splitlines()]
    assert len(lines) == 8
    good = [p for p in lines if p["contestant"] == "good"]
    assert all(p["task"] == "pair-count" and "+    seen = {}" in p["patch"] for p in good)
    assert all(p["patch"] == "" for p in lines if p["contestant"] == "noedit")


def test_per_size_speedups_are_given_per_task(board: dict[str, Any]) -> None:
    grid = board["rows"]["good"]["per_size"]["pair-count"]
    assert [p["params"] for p in grid] == [{"n": 700}] and grid[0]["speedup"] > 1.5
    assert all(point["speedup"] == 1.0 for point in board["rows"]["noedit"]["per_size"].get("pair-count", []))
    markdown = (board["out"] / "leaderboard.md").read_text()
    assert "## Per task and size" in markdown and "**pair-count**" in markdown


def test_a_sweep_runs_each_split_with_its_agents_and_steps(
    tiny_suite: Path, contestants_file: Path, tmp_path: Path
) -> None:
    noedit = [c for c in load_contestants(contestants_file) if c.name == "noedit"]
    swept = expand_sweep(noedit, parse_sweep("1x4,2x2"))
    records = run_benchmark(load_suite(tiny_suite), swept, repeats=1, out=tmp_path, sandbox="local")
    summary = [
        (r["contestant"], r["budget"]["agents"], r["budget"]["steps"], r["failures"]["agent_ends"]) for r in records
    ]
    assert summary == [("noedit@1x4", 1, 4, {"finished": 1}), ("noedit@2x2", 2, 2, {"finished": 2})]


def export(*argv: str) -> list[dict[str, Any]]:
    target = Path(argv[-1])
    assert main(["trace", "export", *argv[:-1], "--out", str(target)]) == 0
    return [json.loads(line) for line in target.read_text().splitlines()]


def test_traces_export_as_labelled_openai_fine_tuning_data(board: dict[str, Any], tmp_path: Path) -> None:
    runs: Path = board["out"] / "runs" / "pair-count"
    [record] = export(str(runs / "good" / "1"), "--format", "openai", str(tmp_path / "good.jsonl"))
    roles = [m["role"] for m in record["messages"]]
    # four turns; the last (finish) ends the run, so its answer is never sent
    assert roles == ["system", "user", *["assistant", "tool"] * 3, "assistant"]
    first_call = record["messages"][2]["tool_calls"][0]
    assert first_call["type"] == "function" and first_call["function"]["name"] == "replace"
    assert json.loads(first_call["function"]["arguments"]) == {"path": "pairs.py", "old": "no such text", "new": "x"}
    assert record["messages"][3]["tool_call_id"] == first_call["id"]
    assert {t["function"]["name"] for t in record["tools"]} >= {"replace", "write_file", "finish"}
    assert all(t["type"] == "function" and "parameters" in t["function"] for t in record["tools"])
    label = record["metadata"]
    assert (label["accepted"], label["selected"], label["ended"], label["rejection_reason"]) == (
        True,
        True,
        "finished",
        None,
    )
    assert label["score"] > 1.5


def test_the_openai_export_keeps_only_accepted_trajectories_when_asked(board: dict[str, Any], tmp_path: Path) -> None:
    runs: Path = board["out"] / "runs"
    kept = export(str(runs), "--format", "openai", "--accepted-only", "--no-labels", str(tmp_path / "all.jsonl"))
    assert len(kept) == 2 and all("metadata" not in r for r in kept)  # good's two runs; wrong and noedit dropped
    labelled = export(str(runs / "pair-count" / "wrong"), "--format", "openai", str(tmp_path / "wrong.jsonl"))
    assert [r["metadata"]["accepted"] for r in labelled] == [False, False]
    assert all("test" in r["metadata"]["rejection_reason"].lower() for r in labelled)
