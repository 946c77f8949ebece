"""`perfbot ci` driven with CI variables and `perfbot publish` against the fake GitLab (python-gitlab for real):
the branch and its one commit, the MR with the tables, the reply, idempotence, retry after a failure, and the
reply when nothing was selected."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.bot.ci.conftest import BOT_TOKEN, CiRun, Lab, ci_env, copy_run
from tests.conftest import git
from tests.pipelines.sessions import EVALUATE, finish, rewrite, view

Perfbot = Callable[..., CiRun]

WASTEFUL = '''def closest_pair_distance(points):
    """The smallest Euclidean distance between two of `points` (a sequence of equal-length coordinate tuples).

    Duplicate points are at distance 0.0. Raises ValueError for fewer than two points.
    """
    if len(points) < 2:
        raise ValueError("closest_pair_distance needs at least two points")
    best = math.inf
    for i in range(len(points)):
        for j in range(i + 1, len(points)):
            distance = math.dist(points[i], points[j])
            if distance < best:
                best = distance
    list(sorted(points))
    return best
'''
NO_GAIN: list[list[dict[str, Any]]] = [
    [view("geometry.py")],
    [rewrite("geometry.py::closest_pair_distance", WASTEFUL)],
    [EVALUATE],
    [finish("sorted the points (no speedup)")],
]


def standalone(lab: Lab, **extra: str) -> dict[str, str]:
    return ci_env(lab, PERFBOT_GITLAB_TOKEN=BOT_TOKEN, PERFBOT_GITLAB_URL=lab.fake.url, **extra)


def test_a_bot_request_with_a_token_opens_one_mr_from_the_measured_commit_and_replies_on_the_note(
    closest_pair: Callable[..., Path], lab: Callable[[Path], Lab], perfbot: Perfbot
) -> None:
    repo = closest_pair()
    gl = lab(repo)
    out = repo / ".perfbot" / "ci"
    run = perfbot(["ci", str(repo), "--sandbox", "local"], standalone(gl, PERFBOT_STEPS="6"), out)

    assert run.exit_code == 0, run.stderr
    selected = next(c for c in run.report["candidates"] if c["id"] == run.report["selected"])
    [mr] = gl.perfbot_mrs()
    assert mr["title"].startswith("perf: speed up `geometry.closest_pair_distance` ")
    assert mr["title"].endswith("× at n=800")
    assert (mr["target_branch"], mr["force_remove_source_branch"], mr["squash"]) == ("main", True, True)
    assert mr["labels"] == ["perfbot", "performance"]
    head = gl.project.branches[mr["source_branch"]]
    assert gl.project.commits[head]["parent_ids"] == [gl.base_sha]
    assert "ordered = sorted(points)" in gl.file_at(mr["source_branch"], "geometry.py")
    assert gl.file_at(mr["source_branch"], "bench_inputs.py") == (repo / "bench_inputs.py").read_text()
    description = mr["description"]
    assert "| n | d | before | after | speedup | 95% interval | memory before | memory after |" in description
    assert "**Complexity exponent**" in description and re.search(r"n: \*\*-?\d+\.\d\d → -?\d+\.\d\d\*\*", description)
    assert "✅ the same tests pass as on the original, test by test" in description
    assert "outputs equal the original's on every timed call at all 2 grid points and on" in description
    assert "<details><summary>How the agent got there</summary>\n\n" in description
    assert "/-/jobs/777/artifacts/file/.perfbot/ci/report.html" in description
    assert f"| {selected['id']} ✅ |" in description
    assert len(description) < 60_000
    [reply] = gl.bot_notes("merge_request", gl.mr["iid"])
    assert reply["body"].startswith("@dana perfbot found a faster version")
    assert mr["web_url"] in reply["body"]
    assert "<!-- perfbot:req0123456789abcdef:published -->" in reply["body"]
    artifacts = "".join(p.read_text() for p in out.iterdir() if p.is_file())
    assert BOT_TOKEN not in artifacts


def test_publishing_the_same_run_twice_opens_no_second_mr_and_posts_no_second_reply(
    finished_run: Path, lab: Callable[[Path], Lab], perfbot: Perfbot, tmp_path: Path
) -> None:
    gl = lab(finished_run.parent.parent)
    out = copy_run(finished_run, tmp_path, gl)

    env = {"PERFBOT_GITLAB_TOKEN": BOT_TOKEN, "PERFBOT_GITLAB_URL": gl.fake.url}
    first = perfbot(["publish", str(out)], env, out)
    second = perfbot(["publish", str(out)], env, out)

    assert (first.exit_code, second.exit_code) == (0, 0)
    [mr] = gl.perfbot_mrs()
    assert first.stdout.startswith("opened: ") and mr["web_url"] in first.stdout
    assert second.stdout == f"already open: {mr['web_url']}\n"
    assert len(gl.fake.calls_to("POST", r"/repository/commits$")) == 1
    assert len(gl.bot_notes("merge_request", gl.mr["iid"])) == 1


def test_a_publish_that_failed_half_way_is_finished_by_running_it_again(
    finished_run: Path, lab: Callable[[Path], Lab], perfbot: Perfbot, tmp_path: Path
) -> None:
    gl = lab(finished_run.parent.parent)
    out = copy_run(finished_run, tmp_path, gl)
    gl.fake.fail("POST", r"/merge_requests$", 503, times=10)
    env = {"PERFBOT_GITLAB_TOKEN": BOT_TOKEN, "PERFBOT_GITLAB_URL": gl.fake.url}

    failed = perfbot(["publish", str(out)], env, out)
    assert failed.exit_code == 1
    assert "run it again" in failed.stderr and "503" in failed.stderr
    assert gl.perfbot_mrs() == []
    branches = [b for b in gl.project.branches if b.startswith("perfbot/")]
    assert len(branches) == 1

    with gl.fake.lock:
        gl.fake.faults.clear()
    assert perfbot(["publish", str(out)], env, out).exit_code == 0
    [mr] = gl.perfbot_mrs()
    assert mr["source_branch"] == branches[0]
    assert len(gl.fake.calls_to("POST", r"/repository/commits$")) == 1
    assert len(gl.bot_notes("merge_request", gl.mr["iid"])) == 1


def test_a_lost_reply_to_the_mr_creation_does_not_open_a_second_mr(
    finished_run: Path, lab: Callable[[Path], Lab], perfbot: Perfbot, tmp_path: Path
) -> None:
    gl = lab(finished_run.parent.parent)
    out = copy_run(finished_run, tmp_path, gl)
    gl.fake.fail("POST", r"/merge_requests$", 502, applied=True)

    result = perfbot(["publish", str(out)], {"PERFBOT_GITLAB_TOKEN": BOT_TOKEN, "CI_SERVER_URL": gl.fake.url}, out)

    assert result.exit_code == 0, result.stderr
    assert len(gl.perfbot_mrs()) == 1
    assert result.stdout.startswith("already open: ")


def test_nothing_selected_replies_with_what_was_tried_and_the_best_rejected_numbers_and_opens_no_mr(
    closest_pair: Callable[..., Path], lab: Callable[[Path], Lab], perfbot: Perfbot, script: Callable[[Any], str]
) -> None:
    repo = closest_pair(model=script(NO_GAIN))
    gl = lab(repo)
    out = repo / ".perfbot" / "ci"
    env = standalone(gl, PERFBOT_MR_IID="", PERFBOT_ISSUE_IID=str(gl.issue["iid"]))

    run = perfbot(["ci", str(repo), "--sandbox", "local"], env, out)

    assert run.exit_code == 0, run.stderr
    assert run.report["selected"] is None
    [rejected] = run.report["candidates"]
    assert gl.merge_requests() == [gl.mr]
    assert [b for b in gl.project.branches if b.startswith("perfbot/")] == []
    assert not (out / "selected.json").exists()
    [reply] = gl.bot_notes("issue", gl.issue["iid"])
    body = reply["body"]
    assert "no merge request was opened" in body
    assert "**What was tried:** 1 agent(s) × up to 8 steps, 1 candidate(s) measured" in body
    assert f"**Best rejected attempt:** `{rejected['id']}`" in body and f"score {rejected['score']:.2f}" in body
    assert "| n | d | before | after | speedup | 95% interval |" in body
    assert rejected["reason"].split(" (")[0] in body
    assert gl.bot_notes("merge_request", gl.mr["iid"]) == []


def test_a_bad_ci_variable_exits_2_naming_it(
    closest_pair: Callable[..., Path], lab: Callable[[Path], Lab], perfbot: Perfbot
) -> None:
    repo = closest_pair()
    gl = lab(repo)
    run = perfbot(["ci", str(repo), "--sandbox", "local"], ci_env(gl, PERFBOT_AGENTS="many"), repo)
    assert run.exit_code == 2
    assert "PERFBOT_AGENTS" in run.stderr and "'many'" in run.stderr


def test_publish_without_a_token_exits_2_and_says_which_variable_to_set(tmp_path: Path, perfbot: Perfbot) -> None:
    run = perfbot(["publish", str(tmp_path)], {"CI_SERVER_URL": "http://127.0.0.1:9"}, tmp_path)
    assert run.exit_code == 2
    assert "PERFBOT_GITLAB_TOKEN" in run.stderr


def test_publish_of_a_directory_without_a_report_names_the_missing_file(tmp_path: Path, perfbot: Perfbot) -> None:
    shutil.rmtree(tmp_path / "none", ignore_errors=True)
    env = {"PERFBOT_GITLAB_TOKEN": "t" * 20, "PERFBOT_GITLAB_URL": "http://127.0.0.1:9"}
    run = perfbot(["publish", str(tmp_path)], env, tmp_path)
    assert run.exit_code == 1
    assert f"{tmp_path / 'report.json'}: missing" in run.stderr


def test_a_run_that_cannot_start_exits_1_and_tells_the_requester_why(
    closest_pair: Callable[..., Path], lab: Callable[[Path], Lab], perfbot: Perfbot
) -> None:
    repo = closest_pair()
    (repo / "tests" / "test_broken.py").write_text("def test_broken():\n    assert False\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a failing test")
    gl = lab(repo)

    run = perfbot(["ci", str(repo), "--sandbox", "local"], standalone(gl), repo)

    assert run.exit_code == 1
    assert "the baseline fails its own tests" in run.stderr
    [reply] = gl.bot_notes("merge_request", gl.mr["iid"])
    assert reply["body"].startswith("@dana perfbot could not run: the baseline fails its own tests")
    assert "```\n____" in reply["body"] and "def test_broken():" in reply["body"]
    assert gl.perfbot_mrs() == []
    out = repo / ".perfbot" / "ci"
    report = json.loads((out / "report.json").read_text())
    assert report["error"]["test"] == "FAILED tests/test_broken.py::test_broken - assert False"
    assert "def test_broken():" in report["error"]["output"]
    assert "the baseline fails its own tests" in (out / "report.md").read_text()
    assert json.loads((out / "request.json").read_text())["request_id"] == "req0123456789abcdef"
