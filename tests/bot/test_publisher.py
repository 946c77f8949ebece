"""The hand-over to the publisher: which one is used, and what happens when it fails."""

from __future__ import annotations

import sys

import pytest

from bot import publisher as publisher_module
from bot.publisher import Handoff, default_publisher, record_only
from bot.server import STATE
from bot.settings import Settings
from tests.bot.conftest import BotHarness, wait_for
from tests.bot.test_pipeline_hook import started


def test_the_default_publisher_is_the_one_bot_publish_makes(settings: Settings) -> None:
    import bot.publish

    chosen = default_publisher(settings)

    assert chosen is not record_only
    assert isinstance(chosen, bot.publish.Publisher)


def test_without_bot_publish_the_hand_over_is_only_recorded(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "bot.publish", None)

    assert publisher_module.default_publisher(settings) is record_only


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
    assert (await harness.client.get("/healthz")).status == 200
