"""The HTTP edge: who may call, what is rejected (400/401), what is ignored (2xx), and how fast 202 comes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from pydantic import SecretStr

from tests.bot.conftest import BotHarness, fixture


def with_field(payload: dict[str, Any], path: tuple[str, ...], value: object) -> dict[str, Any]:
    """`payload` with the field at `path` set to `value`."""
    target = payload
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return payload


async def assert_alive(harness: BotHarness) -> None:
    assert harness.client is not None
    response = await harness.client.get("/healthz")
    assert (response.status, await response.json()) == (200, {"status": "ok"})


async def assert_nothing_happened(harness: BotHarness) -> None:
    await harness.settle()
    w = harness.world
    assert w.fake.pipelines(w.project) == []
    assert w.fake.calls_to("POST", ".") == []


@pytest.mark.parametrize("token", [None, "", "hook-secret-45", "hook-secret-4567", "HOOK-SECRET-456"])
async def test_a_missing_or_wrong_token_is_refused_with_401(harness: BotHarness, token: str | None) -> None:
    status, body = await harness.post(harness.note("/optimize"), token=token)

    assert status == 401
    assert "X-Gitlab-Token" in body["error"]
    await assert_nothing_happened(harness)


@pytest.mark.parametrize(
    "raw",
    [b"{", b"", b"not json", b"\xff\xfe", b"[1, 2]", b"null", b'"note"', b"3"],
    ids=["truncated", "empty", "text", "not-utf8", "list", "null", "string", "number"],
)
async def test_a_body_that_is_not_a_json_object_is_rejected_with_400_and_the_server_stays_up(
    harness: BotHarness, raw: bytes
) -> None:
    status, body = await harness.post({}, event="Note Hook", raw=raw)

    assert status == 400
    assert "body" in body["error"]
    await assert_alive(harness)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("object_attributes", "id"), "twelve"),
        (("user",), []),
        (("project", "id"), None),
        (("merge_request",), None),
    ],
)
async def test_an_optimize_note_lacking_a_field_the_bot_needs_is_rejected_with_400_naming_it(
    harness: BotHarness, path: tuple[str, ...], value: object
) -> None:
    status, body = await harness.post(with_field(harness.note("/optimize"), path, value))

    assert status == 400
    assert path[0] in body["error"]
    await assert_alive(harness)
    await assert_nothing_happened(harness)


@pytest.mark.parametrize(
    ("path", "value"),
    [(("object_attributes",), None), (("object_attributes", "note"), 42), (("user",), None), (("project",), 7)],
)
async def test_a_note_without_an_optimize_command_is_ignored_with_200_whatever_else_it_lacks(
    harness: BotHarness, path: tuple[str, ...], value: object
) -> None:
    status, body = await harness.post(with_field(harness.note("LGTM"), path, value))

    assert (status, body["status"]) == (200, "ignored")
    await assert_nothing_happened(harness)


@pytest.mark.parametrize("name", ["push", "wiki_page", "note_commit", "merge_request", "issue", "pipeline"])
async def test_documented_events_the_bot_does_not_act_on_are_ignored_with_200(harness: BotHarness, name: str) -> None:
    status, body = await harness.post(fixture(name))

    assert (status, body["status"]) == (200, "ignored")
    await assert_nothing_happened(harness)


@pytest.mark.parametrize(
    ("text", "attrs"),
    [
        ("/optimize", {"system": True}),
        ("/optimize", {"action": "update"}),
        ("please optimize this", {}),
        ("```\n/optimize\n```", {}),
        ("> /optimize", {}),
    ],
    ids=["system-note", "edited-note", "no-command", "in-code-block", "in-quote"],
)
async def test_notes_that_are_not_new_optimize_commands_are_ignored(
    harness: BotHarness, text: str, attrs: dict[str, Any]
) -> None:
    status, body = await harness.post(harness.note(text, **attrs))

    assert (status, body["status"]) == (200, "ignored")
    await assert_nothing_happened(harness)


async def test_the_bots_own_notes_are_ignored(harness: BotHarness) -> None:
    status, body = await harness.post(harness.note("/optimize", author=harness.world.bot))

    assert (status, body) == (200, {"status": "ignored", "reason": "the bot's own note"})
    await assert_nothing_happened(harness)


async def test_a_label_change_that_does_not_add_the_perfbot_label_is_ignored(harness: BotHarness) -> None:
    status, body = await harness.post(harness.labelled("issue", added=False))

    assert (status, body["status"]) == (200, "ignored")
    await assert_nothing_happened(harness)


async def test_a_running_perfbot_pipeline_event_is_ignored_until_it_finishes(harness: BotHarness) -> None:
    payload = fixture("pipeline")
    payload["object_attributes"].update(status="running", variables=[{"key": "PERFBOT_REQUEST", "value": "x"}])

    status, body = await harness.post(payload)

    assert (status, body["status"]) == (200, "ignored")


async def test_the_acknowledgement_comes_well_within_a_second(harness: BotHarness) -> None:
    started = time.perf_counter()
    status, _ = await harness.post(harness.note("/optimize"))
    elapsed = time.perf_counter() - started

    assert status == 202
    assert elapsed < 0.5
    await harness.settle()


def signed(secret: bytes, body: bytes, *, stamp: int | None = None) -> dict[str, str]:
    wid, ts = "msg_1", str(stamp if stamp is not None else int(time.time()))
    digest = hmac.new(secret, f"{wid}.{ts}.".encode() + body, hashlib.sha256).digest()
    return {"webhook-id": wid, "webhook-timestamp": ts, "webhook-signature": "v1," + base64.b64encode(digest).decode()}


async def test_with_a_signing_token_only_correctly_signed_recent_deliveries_are_accepted(harness: BotHarness) -> None:
    key = b"0123456789abcdef0123456789abcdef"
    token = "whsec_" + base64.b64encode(key).decode()
    await harness.restart(settings=harness.settings.model_copy(update={"signing_token": SecretStr(token)}))
    payload = harness.note("/optimize")
    raw = json.dumps(payload).encode()

    assert (await harness.post(payload, raw=raw))[0] == 401
    assert (await harness.post(payload, raw=raw, headers=signed(b"wrong-key", raw)))[0] == 401
    assert (await harness.post(payload, raw=raw, headers=signed(key, raw, stamp=int(time.time()) - 3600)))[0] == 401
    assert (await harness.post(payload, raw=raw, headers=signed(key, raw)))[0] == 202
    await harness.settle()
