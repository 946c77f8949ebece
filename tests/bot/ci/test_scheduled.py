"""Scheduled mode: profile the benchmark, skip hot spots that already have an open perfbot MR, optimize at most N
of the others and publish them; and the profiler itself."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.publish.publisher import branch_prefix
from pipelines.config import load_config
from pipelines.localize.profile import find_hotspots
from sandbox.local import LocalSandbox
from tests.bot.ci.conftest import BOT_TOKEN, CiRun, Lab
from tests.conftest import git
from tests.pipelines.sessions import DISTINCT_FAST, EVALUATE, PAIRS_FAST, finish, rewrite, view

# pairs_summing_to runs twice per call, so it is clearly the hottest function and distinct_sorted the next.
SUMMARY = """def summary(values):
    return distinct_sorted(values), pairs_summing_to(values, len(values)) + 0 * pairs_summing_to(values, 1)
"""
BOTH_FIXED: list[list[dict[str, Any]]] = [
    [view("stats.py")],
    [rewrite("stats.py::distinct_sorted", DISTINCT_FAST), rewrite("stats.py::pairs_summing_to", PAIRS_FAST)],
    [EVALUATE],
    [finish("a set and a one-pass count")],
]


def hotter_pairs(repo: Path) -> Path:
    text = (repo / "stats.py").read_text()
    (repo / "stats.py").write_text(text[: text.index("def summary")] + SUMMARY)
    git(repo, "commit", "-qam", "pairs twice")
    return repo


def test_the_profiler_ranks_the_target_files_functions_by_their_own_time(
    two_hotspots: Callable[..., Path], tmp_path: Path
) -> None:
    repo = hotter_pairs(two_hotspots("scripted:unused.yaml"))
    with LocalSandbox(label="test-profile") as sandbox:
        spots = find_hotspots(repo, load_config(repo), sandbox, top=2)
    assert [s.target for s in spots] == ["stats.py::pairs_summing_to", "stats.py::distinct_sorted"]
    assert [s.line for s in spots] == [18, 4]
    assert spots[0].share > spots[1].share > 0.1
    assert spots[0].share + spots[1].share > 0.8


def test_a_scheduled_run_skips_a_target_with_an_open_mr_and_opens_at_most_n_new_ones(
    two_hotspots: Callable[..., Path],
    lab: Callable[[Path], Lab],
    perfbot: Callable[..., CiRun],
    script: Callable[[Any], str],
) -> None:
    repo = hotter_pairs(two_hotspots(script(BOTH_FIXED), steps=6))
    gl = lab(repo)
    taken = branch_prefix("stats.py::pairs_summing_to") + "older"
    with gl.fake.lock:
        gl.project.branches[taken] = gl.base_sha
    existing = gl.fake.add_merge_request(gl.project, taken, "perf: an earlier run")
    with gl.fake.lock:
        existing["labels"] = ["perfbot", "performance"]
    env = {
        "CI_PIPELINE_SOURCE": "schedule",
        "PERFBOT_RUN": "scheduled",
        "CI_PIPELINE_ID": "4242",
        "CI_PROJECT_ID": str(gl.project.id),
        "CI_COMMIT_SHA": gl.base_sha,
        "CI_COMMIT_BRANCH": "main",
        "PERFBOT_GITLAB_TOKEN": BOT_TOKEN,
        "PERFBOT_GITLAB_URL": gl.fake.url,
        "PERFBOT_MAX_MRS": "1",
    }
    out = repo / ".perfbot" / "ci"

    run = perfbot(["ci", str(repo), "--sandbox", "local"], env, out)

    assert run.exit_code == 0, run.stderr
    assert "skipping stats.py::pairs_summing_to: a perfbot merge request for it is already open" in run.stderr
    new = [mr for mr in gl.perfbot_mrs() if mr["iid"] != existing["iid"]]
    [mr] = new
    assert mr["source_branch"].startswith(branch_prefix("stats.py::distinct_sorted"))
    assert mr["title"].startswith("perf: speed up `stats.summary` ")
    assert "Target: `stats.py::distinct_sorted`" in mr["description"]
    report = json.loads((out / "stats-distinct-sorted" / "report.json").read_text())
    assert report["target"]["files"] == ["stats.py"]
    trace = (out / "stats-distinct-sorted" / "trace.jsonl").read_text().splitlines()
    first_call = next(json.loads(line) for line in trace if '"model_call"' in line)
    assert "Focus on `distinct_sorted` in stats.py" in json.dumps(first_call["sent"])
    assert [n for n in gl.fake.notes(gl.project, "merge_request", gl.mr["iid"])] == []
