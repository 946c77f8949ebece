"""The merge request perfbot opens: its description's opening sentence and links, the columns it leaves out, its
assignees and reviewers, the MR a retry replaces; and the artifacts it is built from (only perfbot's final job's,
streamed under a cap), or the reason a failed job's report gives."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from bot.forge import ForgeError
from bot.publish import artifacts
from bot.publish.publisher import People, Publisher
from pipelines.runfiles import load_run
from tests.bot.ci.conftest import BOT_TOKEN, Lab, copy_run
from tests.bot.publish.test_publisher import finished_pipeline, zipped


def publish(gl: Lab, artifacts_dir: Path, people: People | None = None) -> dict[str, object]:
    run = load_run(artifacts_dir)
    Publisher(gl.fake.url, BOT_TOKEN, wait=0.01, people=people).publish(run, gl.project.id)
    [mr] = gl.perfbot_mrs()
    return mr


def with_request(directory: Path, **fields: object) -> Path:
    request = json.loads((directory / "request.json").read_text())
    for key, value in fields.items():
        if key == "origin":
            request["origin"] |= value  # type: ignore[operator]
        else:
            request[key] = value
    (directory / "request.json").write_text(json.dumps(request))
    return directory


def test_the_description_opens_with_what_got_faster_and_links_back_to_the_request_commit_and_runner(
    finished_run: Path, lab: Callable[[Path], Lab], tmp_path: Path
) -> None:
    gl = lab(finished_run.parent.parent)
    directory = with_request(
        copy_run(finished_run, tmp_path, gl),
        runner="saas-linux-small-amd64 (docker)",
        origin={"project_url": gl.project.web_url},
    )

    mr = publish(gl, directory)

    description = str(mr["description"])
    first = description.splitlines()[0]
    assert (
        first.startswith("`geometry.closest_pair_distance` is now ") and " faster at n=800, the largest size" in first
    )
    assert "its outputs are unchanged on all 2 grid points." in first
    link = f"[!{gl.mr['iid']}]({gl.project.web_url}/-/merge_requests/{gl.mr['iid']})"
    assert f"Requested by @dana in {link}." in first
    assert f"Measured on commit `{gl.base_sha[:12]}`, on runner `saas-linux-small-amd64 (docker)`." in first


def test_columns_that_are_empty_on_every_row_are_left_out(
    finished_run: Path, lab: Callable[[Path], Lab], tmp_path: Path
) -> None:
    gl = lab(finished_run.parent.parent)
    directory = copy_run(finished_run, tmp_path, gl)
    report = json.loads((directory / "report.json").read_text())
    for candidate in [report["baseline"], *report["candidates"]]:
        for point in candidate.get("points", []):
            point.pop("peak_bytes", None)
            point.pop("baseline_peak_bytes", None)
    (directory / "report.json").write_text(json.dumps(report))

    description = str(publish(gl, directory)["description"])

    assert "| n | d | before | after | speedup | 95% interval |" in description
    assert "memory before" not in description


def test_the_requester_is_assignee_and_reviewer_by_default_and_both_are_configurable(
    finished_run: Path, lab: Callable[[Path], Lab], tmp_path: Path
) -> None:
    gl = lab(finished_run.parent.parent)
    rita = gl.fake.add_user("rita")
    mr = publish(gl, copy_run(finished_run, tmp_path / "a", gl))
    assert [u["username"] for u in mr["assignees"]] == [u["username"] for u in mr["reviewers"]] == ["dana"]  # type: ignore[union-attr]

    gl.fake.add_merge_request(gl.project, "feature-2")  # keeps iids apart; the second run gets its own branch
    second = with_request(copy_run(finished_run, tmp_path / "b", gl), request_id="second0request")
    Publisher(gl.fake.url, BOT_TOKEN, wait=0.01, people=People("", "requester, @rita, nobody")).publish(
        load_run(second), gl.project.id
    )
    [other] = [m for m in gl.perfbot_mrs() if m["iid"] != mr["iid"]]
    assert other["assignees"] == []
    assert [u["username"] for u in other["reviewers"]] == ["dana", rita["username"]]


def test_a_retry_closes_the_merge_request_it_replaces_with_a_link_to_the_new_one(
    finished_run: Path, lab: Callable[[Path], Lab], tmp_path: Path
) -> None:
    gl = lab(finished_run.parent.parent)
    with gl.fake.lock:
        gl.project.branches["perfbot/old-0123456789"] = gl.base_sha
    old = gl.fake.add_merge_request(gl.project, "perfbot/old-0123456789", "perf: an older result")
    directory = with_request(copy_run(finished_run, tmp_path, gl), supersedes=old["iid"])

    Publisher(gl.fake.url, BOT_TOKEN, wait=0.01).publish(load_run(directory), gl.project.id)
    Publisher(gl.fake.url, BOT_TOKEN, wait=0.01).publish(load_run(directory), gl.project.id)

    [new] = [mr for mr in gl.perfbot_mrs() if mr["iid"] != old["iid"]]
    assert [mr["state"] for mr in gl.perfbot_mrs() if mr["iid"] == old["iid"]] == ["closed"]
    [note] = gl.bot_notes("merge_request", old["iid"])
    assert note["body"].startswith(f"Replaced by {new['references']['full']}")


def test_only_the_final_jobs_artifacts_are_fetched_and_never_beyond_the_cap(
    finished_run: Path, lab: Callable[[Path], Lab], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gl = lab(finished_run.parent.parent)
    handoff = finished_pipeline(gl, zipped(copy_run(finished_run, tmp_path, gl)))
    monkeypatch.setattr(artifacts, "MAX_ARTIFACTS_BYTES", 1024)

    with pytest.raises(ForgeError, match="larger than 1024 bytes"):
        Publisher(gl.fake.url, BOT_TOKEN, wait=0.01)(handoff)

    fetched = gl.fake.calls_to("GET", r"/jobs/\d+/artifacts$")
    assert [call.path.split("/")[-2] for call in fetched] == [str(handoff.jobs[0].id)]
    assert gl.perfbot_mrs() == []


def test_the_reason_a_failed_job_gives_is_read_from_its_report(
    finished_run: Path, lab: Callable[[Path], Lab], tmp_path: Path
) -> None:
    gl = lab(finished_run.parent.parent)
    report = {"error": {"stage": "setup", "message": "ANTHROPIC_API_KEY is not set in this job (model x)"}}
    handoff = finished_pipeline(gl, {".perfbot/ci/shard-1/report.json": json.dumps(report).encode()})
    publisher = Publisher(gl.fake.url, BOT_TOKEN, wait=0.01)

    assert publisher.explain(gl.project.id, handoff.jobs[0].id) == report["error"]["message"]
    assert publisher.explain(gl.project.id, replace(handoff.jobs[0], id=handoff.jobs[0].id - 1).id) is None
