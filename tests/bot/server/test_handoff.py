"""The hand-over to the publisher: what happens when it fails (the run is recorded as such, the requester is told,
and the bot carries on)."""

from __future__ import annotations

from bot.server.app import STATE
from bot.server.handoff import Handoff
from tests.bot.conftest import BotHarness, wait_for
from tests.bot.server.test_pipeline_hook import started
from tests.bot.server.test_triggers import bot_notes


async def test_a_publisher_that_fails_is_recorded_and_the_bot_carries_on(harness: BotHarness) -> None:
    w = harness.world
    calls: list[Handoff] = []

    def broken(handoff: Handoff) -> str | None:
        calls.append(handoff)
        raise RuntimeError("artifacts expired")

    harness.publisher = broken  # type: ignore[assignment]
    await harness.restart()
    pipeline = await started(harness)

    await harness.post(w.fake.finish_pipeline(w.project, pipeline["id"], "success"))

    await wait_for(lambda: calls)
    await harness.settle()
    assert harness.client is not None
    store = harness.client.app[STATE].store
    run = await store.run_for(w.project.id, pipeline["id"], "")
    assert run is not None
    assert (run.state, run.detail) == ("finished", "publish failed: artifacts expired")
    reply = bot_notes(harness, "issue", w.issue["iid"])[-1]["body"]
    assert "could not publish its result: artifacts expired" in reply and "`/optimize retry`" in reply
    assert (await harness.client.get("/healthz")).status == 200
