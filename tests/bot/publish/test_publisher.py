"""The bot's publisher: on pipeline success it downloads the job's artifacts, opens the MR and replies, once."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from bot.forge import PipelineJob, PublishError
from bot.publish.publisher import Publisher, branch_name, make_publisher
from bot.server.handoff import Handoff
from bot.server.settings import Settings
from pipelines.runfiles import Origin, load_run
from tests.bot.ci.conftest import BOT_TOKEN, Lab, copy_run
from tests.fakes import gitlab_ci


def finished_pipeline(gl: Lab, artifacts: dict[str, bytes] | None) -> Handoff:
    with gl.fake.lock:
        record = gitlab_ci.new_pipeline(gl.project, "main", gl.base_sha, gl.bot, [])
    hook = gl.fake.finish_pipeline(gl.project, record["pipeline"]["id"], "success", artifacts=artifacts)
    attrs = hook["object_attributes"]
    origin = Origin(
        project_id=gl.project.id,
        project_path=gl.project.path,
        project_url=gl.project.web_url,
        kind="merge_request",
        iid=gl.mr["iid"],
        note_id=555,
        requester="dana",
        requester_id=gl.developer["id"],
    )
    final = next(b for b in hook["builds"] if b["name"] == "perfbot-gather")
    job = PipelineJob(final["id"], final["name"], final["status"], f"{gl.project.web_url}/-/jobs/{final['id']}")
    return Handoff(
        project_id=gl.project.id,
        pipeline_id=attrs["id"],
        pipeline_url=attrs["url"],
        request_id="handoff0request1",
        origin=origin,
        variables={"PERFBOT_REQUEST": "handoff0request1"},
        jobs=[job],
    )


def zipped(directory: Path, prefix: str = ".perfbot/ci/") -> dict[str, bytes]:
    return {prefix + p.relative_to(directory).as_posix(): p.read_bytes() for p in directory.rglob("*") if p.is_file()}


def test_the_bot_publishes_from_the_pipeline_artifacts_once_however_often_it_is_handed_over(
    finished_run: Path,
    lab: Callable[[Path], Lab],
    tmp_path: Path,
) -> None:
    gl = lab(finished_run.parent.parent)
    handoff = finished_pipeline(gl, zipped(copy_run(finished_run, tmp_path, gl)))
    publisher = Publisher(gl.fake.url, BOT_TOKEN, wait=0.01)

    first, second = publisher(handoff), publisher(handoff)

    [mr] = gl.perfbot_mrs()
    assert first == second == mr["web_url"]
    assert mr["source_branch"].endswith("-handoff0re")
    assert gl.project.commits[gl.project.branches[mr["source_branch"]]]["parent_ids"] == [gl.base_sha]
    [reply] = gl.bot_notes("merge_request", gl.mr["iid"])
    assert "<!-- perfbot:handoff0request1:published -->" in reply["body"]
    assert handoff.pipeline_url in mr["description"]


def test_when_the_hook_lists_no_jobs_the_publisher_asks_gitlab_for_them(
    finished_run: Path, lab: Callable[[Path], Lab], tmp_path: Path
) -> None:
    gl = lab(finished_run.parent.parent)
    handoff = replace(finished_pipeline(gl, zipped(copy_run(finished_run, tmp_path, gl))), jobs=[])

    url = Publisher(gl.fake.url, BOT_TOKEN, wait=0.01)(handoff)

    assert [mr["web_url"] for mr in gl.perfbot_mrs()] == [url]
    assert len(gl.fake.calls_to("GET", rf"/pipelines/{handoff.pipeline_id}/jobs$")) == 1


def test_a_pipeline_without_perfbot_artifacts_fails_the_publish_and_says_so_on_the_request(
    finished_run: Path,
    lab: Callable[[Path], Lab],
) -> None:
    gl = lab(finished_run.parent.parent)
    handoff = finished_pipeline(gl, {"junit.xml": b"<testsuites/>"})

    with pytest.raises(PublishError, match=r"request\.json"):
        Publisher(gl.fake.url, BOT_TOKEN, wait=0.01)(handoff)

    assert gl.perfbot_mrs() == []
    [reply] = gl.bot_notes("merge_request", gl.mr["iid"])
    assert "perfbot could not run" in reply["body"] and f"pipeline {handoff.pipeline_id}" in reply["body"]


def test_publishing_a_run_that_failed_replies_with_the_reason_and_the_tests_output_and_opens_no_mr(
    finished_run: Path, lab: Callable[[Path], Lab], tmp_path: Path
) -> None:
    gl = lab(finished_run.parent.parent)
    artifacts = copy_run(finished_run, tmp_path, gl)
    report = json.loads((artifacts / "report.json").read_text())
    output = "____ test_mean ____\n>       assert mean([1, 3]) == 2\n```\n<!-- perfbot:x:published -->"
    report |= {"candidates": [], "selected": None}
    report["error"] = {"stage": "baseline-tests", "message": "the baseline fails", "test": "FAILED t", "output": output}
    (artifacts / "report.json").write_text(json.dumps(report))
    (artifacts / "selected.json").unlink()

    outcome = Publisher(gl.fake.url, BOT_TOKEN, wait=0.01).publish(load_run(artifacts), project_id=gl.project.id)

    assert outcome.kind == "failed"
    assert gl.perfbot_mrs() == []
    [reply] = gl.bot_notes("merge_request", gl.mr["iid"])
    assert reply["body"].startswith("@dana perfbot could not run: the baseline fails\n\n```\n____ test_mean ____\n")
    assert ">       assert mean([1, 3]) == 2" in reply["body"]
    assert reply["body"].count("```") == 2 and "<!-- perfbot:x:published -->" not in reply["body"]


def test_the_bot_uses_this_publisher_when_it_starts(tmp_path: Path) -> None:
    settings = Settings(
        gitlab_url="http://127.0.0.1:9", gitlab_token=SecretStr("x" * 20), webhook_secret=SecretStr("s" * 10)
    )
    assert isinstance(make_publisher(settings), Publisher)


def test_the_branch_names_what_was_optimized_and_the_request(finished_run: Path, tmp_path: Path) -> None:
    run = load_run(finished_run)
    assert branch_name(run) == "perfbot/closest-pair-distance-req0123456"
    targeted: Any = run.request.__class__(request_id="abc-DEF_42", target="src/stats.py::Stats.min_gap")
    assert branch_name(load_run(finished_run, targeted)) == "perfbot/src-stats-stats-min-gap-abcdef42"
