"""When the perfbot pipeline finishes: success goes to the publisher, failure gets a reply with the job log."""

from __future__ import annotations

from typing import Any

from tests.bot.conftest import BotHarness, fixture, wait_for
from tests.bot.server.test_triggers import bot_notes


async def started(harness: BotHarness, text: str = "/optimize src/stats.py") -> dict[str, Any]:
    w = harness.world
    await harness.post(harness.note(text))
    await wait_for(lambda: bot_notes(harness, "merge_request", w.mr["iid"]))
    [pipeline] = w.fake.pipelines(w.project)
    return pipeline


async def test_a_successful_pipeline_is_handed_to_the_publisher_once(harness: BotHarness) -> None:
    w = harness.world
    pipeline = await started(harness)
    hook = w.fake.finish_pipeline(w.project, pipeline["id"], "success", artifacts={"report.json": b"{}"})

    assert (await harness.post(hook, key="hook-1"))[0] == 202
    assert (await harness.post(hook, key="hook-2"))[0] == 202

    [handoff] = await wait_for(lambda: harness.publisher.handoffs)
    await harness.settle()
    assert len(harness.publisher.handoffs) == 1
    assert (handoff.project_id, handoff.pipeline_id) == (w.project.id, pipeline["id"])
    assert (handoff.origin.kind, handoff.origin.iid) == ("merge_request", w.mr["iid"])
    assert handoff.variables["PERFBOT_TARGET"] == "src/stats.py"
    assert [job.name for job in handoff.jobs] == ["perfbot"]


async def test_a_failed_pipeline_gets_a_reply_naming_the_failed_job_with_a_link_to_its_log(harness: BotHarness) -> None:
    w = harness.world
    pipeline = await started(harness)
    hook = w.fake.finish_pipeline(w.project, pipeline["id"], "failed")
    job_id = hook["builds"][0]["id"]

    await harness.post(hook)
    await harness.post(hook)

    await wait_for(lambda: len(bot_notes(harness, "merge_request", w.mr["iid"])) == 2)
    await harness.settle()
    replies = bot_notes(harness, "merge_request", w.mr["iid"])
    assert len(replies) == 2
    failure = replies[-1]["body"]
    assert f"[#{pipeline['id']}]" in failure
    assert "`perfbot` failed, script failure" in failure
    assert f"({w.project.web_url}/-/jobs/{job_id})" in failure
    assert harness.publisher.handoffs == []


async def test_a_canceled_pipeline_is_reported_as_canceled(harness: BotHarness) -> None:
    w = harness.world
    pipeline = await started(harness)

    await harness.post(w.fake.finish_pipeline(w.project, pipeline["id"], "canceled"))

    await wait_for(lambda: len(bot_notes(harness, "merge_request", w.mr["iid"])) == 2)
    assert "was canceled" in bot_notes(harness, "merge_request", w.mr["iid"])[-1]["body"]


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
    await wait_for(lambda: len(bot_notes(harness, "merge_request", w.mr["iid"])) == 2)
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
