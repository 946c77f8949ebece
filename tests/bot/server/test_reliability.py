"""Exactly one pipeline per request: duplicate deliveries, restarts mid-way, GitLab failing and recovering;
and the people who may not run it, and the commands that cannot be run, get a note and nothing else."""

from __future__ import annotations

from bot.server.app import STATE
from tests.bot.conftest import BotHarness, wait_for
from tests.bot.server.test_triggers import bot_notes


async def job_states(harness: BotHarness) -> list[str]:
    assert harness.client is not None
    store = harness.client.app[STATE].store
    return [job.state for job in await store.open_jobs()]


def mr_notes(harness: BotHarness) -> list[dict[str, object]]:
    return bot_notes(harness, "merge_request", harness.world.mr["iid"])


async def test_a_delivery_sent_twice_starts_one_pipeline(harness: BotHarness) -> None:
    w = harness.world
    payload = harness.note("/optimize")

    first = await harness.post(payload, key="delivery-1")
    second = await harness.post(payload, key="delivery-1")

    assert (first, second) == ((202, {"status": "accepted"}), (202, {"status": "duplicate"}))
    await wait_for(lambda: mr_notes(harness))
    await harness.settle()
    assert len(w.fake.pipelines(w.project)) == 1
    assert len(mr_notes(harness)) == 1


async def test_the_same_note_under_a_new_delivery_id_starts_one_pipeline(harness: BotHarness) -> None:
    w = harness.world
    payload = harness.note("/optimize")

    await harness.post(payload, key="delivery-1")
    await wait_for(lambda: mr_notes(harness))
    status, body = await harness.post(payload, key="delivery-2")

    assert (status, body) == (202, {"status": "duplicate"})
    await harness.settle()
    assert len(w.fake.pipelines(w.project)) == 1


async def test_a_restart_between_receipt_and_action_still_starts_exactly_one_pipeline(harness: BotHarness) -> None:
    w = harness.world
    await harness.restart(worker_tasks=0)  # receives and records, but never acts: a crash right after the 202
    payload = harness.note("/optimize")
    assert (await harness.post(payload))[0] == 202
    assert w.fake.pipelines(w.project) == []

    await harness.restart()

    await wait_for(lambda: mr_notes(harness))
    await harness.settle()
    assert len(w.fake.pipelines(w.project)) == 1
    assert len(mr_notes(harness)) == 1


async def test_a_restart_after_the_pipeline_was_created_but_not_recorded_does_not_create_another(
    harness: BotHarness,
) -> None:
    w = harness.world
    w.fake.fail("POST", r"/pipeline$", 502, applied=True)  # GitLab creates it, the bot never hears back
    await harness.restart(attempts=1, retry_after=3600)  # gives up at once and would retry only much later
    await harness.post(harness.note("/optimize"))
    await wait_for(lambda: w.fake.calls_to("POST", r"/pipeline$"))
    await harness.settle()
    assert len(w.fake.pipelines(w.project)) == 1
    assert mr_notes(harness) == []
    assert await job_states(harness) == ["starting"]

    await harness.restart()

    await wait_for(lambda: mr_notes(harness))
    await harness.settle()
    assert len(w.fake.pipelines(w.project)) == 1
    assert len(w.fake.calls_to("POST", r"/pipeline$")) == 1


async def test_gitlab_answering_500_then_200_gets_one_pipeline_and_one_reply(harness: BotHarness) -> None:
    w = harness.world
    w.fake.fail("POST", r"/pipeline$", 500)
    w.fake.fail("POST", r"/notes$", 500)
    w.fake.fail("GET", r"/members/all/", 503)

    await harness.post(harness.note("/optimize"))

    await wait_for(lambda: mr_notes(harness))
    await harness.settle()
    assert len(w.fake.pipelines(w.project)) == 1
    assert len(mr_notes(harness)) == 1
    assert [c.status for c in w.fake.calls_to("POST", r"/pipeline$")] == [500, 201]


async def test_a_lost_answer_to_a_post_is_not_retried_blindly(harness: BotHarness) -> None:
    w = harness.world
    w.fake.fail("POST", r"/pipeline$", 502, applied=True)
    w.fake.fail("POST", r"/notes$", 504, applied=True)

    await harness.post(harness.note("/optimize"))

    await wait_for(lambda: mr_notes(harness))
    await harness.settle()
    assert len(w.fake.pipelines(w.project)) == 1
    assert len(mr_notes(harness)) == 1
    assert len(w.fake.calls_to("POST", r"/pipeline$")) == 1


async def test_rate_limited_calls_wait_and_succeed(harness: BotHarness) -> None:
    w = harness.world
    w.fake.fail("POST", r"/pipeline$", 429, headers={"Retry-After": "0"})

    await harness.post(harness.note("/optimize"))

    await wait_for(lambda: mr_notes(harness))
    assert len(w.fake.pipelines(w.project)) == 1


async def test_a_non_member_gets_a_polite_note_and_nothing_else(harness: BotHarness) -> None:
    w = harness.world
    payload = harness.note("/optimize", author=w.outsider)

    assert (await harness.post(payload))[0] == 202

    [reply] = await wait_for(lambda: mr_notes(harness))
    await harness.settle()
    assert "Sorry @olga" in str(reply["body"])
    assert "Developer" in str(reply["body"])
    assert w.fake.pipelines(w.project) == []
    assert w.fake.awards(w.project, "merge_request", w.mr["iid"], payload["object_attributes"]["id"]) == []


async def test_a_reporter_is_not_enough(harness: BotHarness) -> None:
    w = harness.world

    await harness.post(harness.labelled("issue", author=w.reporter))

    [reply] = await wait_for(lambda: bot_notes(harness, "issue", w.issue["iid"]))
    assert "Sorry @rita" in str(reply["body"])
    assert w.fake.pipelines(w.project) == []


async def test_a_bad_argument_gets_the_grammar_and_nothing_else(harness: BotHarness) -> None:
    w = harness.world
    payload = harness.note("/optimize --agents 99")

    await harness.post(payload)

    [reply] = await wait_for(lambda: mr_notes(harness))
    await harness.settle()
    assert "--agents must be a whole number from 1 to 16, got '99'" in str(reply["body"])
    assert "/optimize [PATH[::SYMBOL]]" in str(reply["body"])
    assert w.fake.pipelines(w.project) == []
    assert w.fake.awards(w.project, "merge_request", w.mr["iid"], payload["object_attributes"]["id"]) == []


async def test_a_missing_ref_is_reported_once_and_not_retried(harness: BotHarness) -> None:
    w = harness.world
    await harness.restart(settings=harness.settings.model_copy(update={"ref": "no-such-branch"}))

    await harness.post(harness.note("/optimize"))

    [reply] = await wait_for(lambda: mr_notes(harness))
    await harness.settle()
    assert "could not start the perfbot pipeline" in str(reply["body"])
    assert "Reference not found" in str(reply["body"])
    assert len(w.fake.calls_to("POST", r"/pipeline$")) == 1


async def test_requests_beyond_the_per_project_limit_wait_for_a_free_slot(harness: BotHarness) -> None:
    w = harness.world
    await harness.restart(settings=harness.settings.model_copy(update={"max_runs_per_project": 1}))

    await harness.post(harness.note("/optimize", on="merge_request"))
    await wait_for(lambda: w.fake.pipelines(w.project))
    await harness.post(harness.note("/optimize", on="issue"))
    queued = await wait_for(lambda: bot_notes(harness, "issue", w.issue["iid"]))
    await harness.settle()
    assert "Queued" in str(queued[0]["body"])
    [first] = w.fake.pipelines(w.project)

    hook = w.fake.finish_pipeline(w.project, first["id"], "success")
    await harness.post(hook)

    await wait_for(lambda: len(w.fake.pipelines(w.project)) == 2)
    await harness.settle()
    assert len(w.fake.pipelines(w.project)) == 2


async def test_a_run_whose_pipeline_hook_was_lost_gives_its_slot_back_when_polled(harness: BotHarness) -> None:
    w = harness.world
    await harness.restart(settings=harness.settings.model_copy(update={"max_runs_per_project": 1}), poll_after=0)
    await harness.post(harness.note("/optimize", on="merge_request"))
    [first] = await wait_for(lambda: w.fake.pipelines(w.project))
    await harness.settle()
    w.fake.finish_pipeline(w.project, first["id"], "success")  # GitLab's hook never reaches the bot

    await harness.post(harness.note("/optimize", on="issue"))

    await wait_for(lambda: len(w.fake.pipelines(w.project)) == 2)
    await harness.settle()
    assert [n for n in bot_notes(harness, "issue", w.issue["iid"]) if "Queued" in str(n["body"])] == []


async def test_the_eyes_reaction_is_given_once_when_a_killed_bot_resumes_the_request(harness: BotHarness) -> None:
    w = harness.world
    w.fake.fail("POST", r"/pipeline$", 502)  # killed after the 👀, before its pipeline: the request resumes
    await harness.restart(attempts=1, retry_after=3600)
    payload = harness.note("/optimize")
    await harness.post(payload)
    await wait_for(lambda: w.fake.calls_to("POST", r"/pipeline$"))
    await harness.settle()
    assert await job_states(harness) == ["starting"]

    await harness.restart()

    await wait_for(lambda: mr_notes(harness))
    await harness.settle()
    note_id = payload["object_attributes"]["id"]
    assert [a["name"] for a in w.fake.awards(w.project, "merge_request", w.mr["iid"], note_id)] == ["eyes"]
    assert len(w.fake.calls_to("POST", r"/award_emoji$")) == 1  # looked up, not posted again
    assert len(w.fake.pipelines(w.project)) == 1
