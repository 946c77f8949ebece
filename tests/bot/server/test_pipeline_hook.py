"""When a perfbot run ends: only perfbot's own jobs decide. Success of its final job goes to the publisher (even if
the project's other jobs fail, and as soon as the Job Hook says so); every other ending frees the run's slot and
gets a reply naming perfbot's failed jobs, the reason their report gives, or that they never ran."""

from __future__ import annotations

from typing import Any

import pytest

from bot.server.app import STATE
from tests.bot.conftest import BotHarness, fixture, wait_for
from tests.bot.server.test_triggers import bot_notes
from tests.fakes.gitlab import USES_PERFBOT

OTHER_JOBS = (
    USES_PERFBOT
    + """
lint:
  stage: test
  script: [ruff check .]
deploy:
  stage: deploy
  script: [./deploy.sh]
"""
)


async def started(harness: BotHarness, text: str = "/optimize src/stats.py", on: str = "issue") -> dict[str, Any]:
    w = harness.world
    iid = w.issue["iid"] if on == "issue" else w.mr["iid"]
    await harness.post(harness.note(text, on=on))
    await wait_for(lambda: bot_notes(harness, on, iid))
    return w.fake.pipelines(w.project)[-1]


async def started_with_other_jobs(harness: BotHarness) -> dict[str, Any]:
    """A request's pipeline on a `main` whose CI config also has the project's own `lint` and `deploy` jobs."""
    w = harness.world
    w.fake.push(w.project, "main", {".gitlab-ci.yml": OTHER_JOBS.encode()})
    return await started(harness)


def issue_notes(harness: BotHarness) -> list[dict[str, Any]]:
    return bot_notes(harness, "issue", harness.world.issue["iid"])


async def run_state(harness: BotHarness, pipeline_id: int) -> tuple[str, str | None]:
    assert harness.client is not None
    run = await harness.client.app[STATE].store.run_for(harness.world.project.id, pipeline_id)
    assert run is not None
    return run.state, run.detail


async def test_a_successful_pipeline_is_handed_to_the_publisher_once_with_only_perfbots_final_job(
    harness: BotHarness,
) -> None:
    w = harness.world
    pipeline = await started(harness)
    hook = w.fake.finish_pipeline(w.project, pipeline["id"], "success", artifacts={"report.json": b"{}"})

    assert (await harness.post(hook, key="hook-1"))[0] == 202
    assert (await harness.post(hook, key="hook-2"))[0] == 202

    [handoff] = await wait_for(lambda: harness.publisher.handoffs)
    await harness.settle()
    assert len(harness.publisher.handoffs) == 1
    assert (handoff.project_id, handoff.pipeline_id) == (w.project.id, pipeline["id"])
    assert (handoff.origin.kind, handoff.origin.iid) == ("issue", w.issue["iid"])
    assert handoff.variables["PERFBOT_TARGET"] == "src/stats.py"
    assert [job.name for job in handoff.jobs] == ["perfbot-gather"]


async def test_a_pipeline_whose_unrelated_job_failed_still_publishes(harness: BotHarness) -> None:
    w = harness.world
    pipeline = await started_with_other_jobs(harness)
    assert "2 job(s) that are not perfbot's (`lint`, `deploy`)" in issue_notes(harness)[0]["body"]

    ended = {"perfbot 1/1": "success", "perfbot-gather": "success", "lint": "failed", "deploy": "skipped"}
    hook = w.fake.finish_pipeline(w.project, pipeline["id"], jobs=ended)
    assert hook["object_attributes"]["status"] == "failed"  # for GitLab, the pipeline failed
    await harness.post(hook)

    [handoff] = await wait_for(lambda: harness.publisher.handoffs)
    assert [job.name for job in handoff.jobs] == ["perfbot-gather"]
    await harness.settle()
    assert len(issue_notes(harness)) == 1  # only "started": no failure reply about someone else's job


async def test_perfbots_final_job_succeeding_publishes_while_the_rest_of_the_pipeline_still_runs(
    harness: BotHarness,
) -> None:
    w = harness.world
    pipeline = await started_with_other_jobs(harness)
    w.fake.finish_job(w.project, pipeline["id"], "perfbot 1/1", "success")

    job_hook = w.fake.finish_job(w.project, pipeline["id"], "perfbot-gather", "success")
    assert (await harness.post(job_hook, event="Job Hook"))[0] == 202

    [handoff] = await wait_for(lambda: harness.publisher.handoffs)
    assert handoff.jobs[0].id == job_hook["build_id"]
    assert await run_state(harness, pipeline["id"]) == (
        "finished",
        f"published: {handoff.origin.project_url}/-/merge_requests/99",
    )
    await harness.post(w.fake.finish_pipeline(w.project, pipeline["id"], jobs={"lint": "success", "deploy": "success"}))
    await harness.settle()
    assert len(harness.publisher.handoffs) == 1


async def test_job_hooks_of_other_jobs_and_unfinished_ones_are_ignored_with_200(harness: BotHarness) -> None:
    w = harness.world
    pipeline = await started(harness)
    shard = w.fake.finish_job(w.project, pipeline["id"], "perfbot 1/1", "success")
    running = w.fake.finish_job(w.project, pipeline["id"], "perfbot-gather", "running")

    assert [(await harness.post(hook, event="Job Hook"))[0] for hook in (shard, running)] == [200, 200]
    await harness.settle()
    assert harness.publisher.handoffs == []


async def test_a_failed_perfbot_job_gets_a_reply_naming_it_and_the_reason_its_report_gives(
    harness: BotHarness,
) -> None:
    w = harness.world
    pipeline = await started_with_other_jobs(harness)
    jobs = {job["name"]: job["id"] for job in w.fake.pipeline_jobs(w.project, pipeline["id"])}
    harness.publisher.reasons[jobs["perfbot 1/1"]] = "ANTHROPIC_API_KEY is not set in this job: add it under Settings"
    hook = w.fake.finish_pipeline(
        w.project, pipeline["id"], jobs={"perfbot 1/1": "failed", "perfbot-gather": "skipped", "lint": "failed"}
    )

    await harness.post(hook)
    await harness.post(hook)

    await wait_for(lambda: len(issue_notes(harness)) == 2)
    await harness.settle()
    failure = issue_notes(harness)[-1]["body"]
    assert f"The perfbot pipeline [#{pipeline['id']}]" in failure and "failed." in failure
    assert "ANTHROPIC_API_KEY is not set in this job" in failure
    assert (
        f"- `perfbot 1/1` failed, script failure: [job log]({w.project.web_url}/-/jobs/{jobs['perfbot 1/1']})"
        in failure
    )
    assert "`lint`" not in failure
    assert harness.publisher.handoffs == []


@pytest.mark.parametrize(
    ("status", "jobs", "says"),
    [
        ("canceled", {"perfbot 1/1": "canceled", "perfbot-gather": "canceled"}, "was canceled"),
        ("skipped", {"perfbot 1/1": "skipped", "perfbot-gather": "skipped"}, "before perfbot's jobs ran"),
        ("manual", {"perfbot 1/1": "success", "perfbot-gather": "manual"}, "waits to be started by hand"),
    ],
)
async def test_a_pipeline_ending_without_a_result_frees_the_slot_and_says_why(
    harness: BotHarness, status: str, jobs: dict[str, str], says: str
) -> None:
    w = harness.world
    await harness.restart(settings=harness.settings.model_copy(update={"max_runs_per_project": 1}))
    pipeline = await started(harness)
    await harness.post(harness.note("/optimize", on="merge_request"))
    await wait_for(lambda: bot_notes(harness, "merge_request", w.mr["iid"]))
    assert "Queued" in bot_notes(harness, "merge_request", w.mr["iid"])[0]["body"]

    await harness.post(w.fake.finish_pipeline(w.project, pipeline["id"], status, jobs=jobs))

    await wait_for(lambda: len(issue_notes(harness)) == 2)
    assert says in issue_notes(harness)[-1]["body"]
    await wait_for(lambda: len(w.fake.pipelines(w.project)) == 2)  # the queued request got the freed slot
    assert (await run_state(harness, pipeline["id"]))[0] == "finished"


async def test_a_finished_pipeline_no_request_of_ours_started_is_recorded_and_left_alone(harness: BotHarness) -> None:
    w = harness.world
    payload = fixture("pipeline")
    payload["project"].update(id=w.project.id, web_url=w.project.web_url)
    payload["object_attributes"]["variables"] = [{"key": "PERFBOT_REQUEST", "value": "from-a-scheduled-run"}]

    assert (await harness.post(payload))[0] == 202

    await harness.settle()
    assert harness.publisher.handoffs == []
    assert w.fake.calls_to("POST", ".") == []


async def test_every_log_line_about_a_delivery_carries_its_id_and_no_secret_is_logged(harness: BotHarness) -> None:
    w = harness.world
    pipeline = await started(harness)
    await harness.post(w.fake.finish_pipeline(w.project, pipeline["id"], "failed"), key="hook-delivery")
    await wait_for(lambda: len(issue_notes(harness)) == 2)
    await harness.settle()
    await harness.post(harness.note("/optimize"), token="wrong-token")

    lines = harness.log_lines()
    per_delivery = [line for line in lines if not line["event"].startswith(("server.", "worker."))]
    assert {"webhook.received", "request.admitted", "pipeline.created", "note.posted", "job.closed"} <= {
        line["event"] for line in per_delivery
    }
    assert all(line.get("delivery") for line in per_delivery), [x for x in per_delivery if not x.get("delivery")]
    assert "hook-delivery" in {line["delivery"] for line in per_delivery if line["event"] == "job.closed"}
    text = harness.log_stream.getvalue()
    assert "glpat-bot-secret-token-123" not in text
    assert "hook-secret-456" not in text
    assert "wrong-token" not in text
