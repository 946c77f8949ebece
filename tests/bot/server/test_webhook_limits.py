"""Inputs that once got a 5xx get a 4xx, the token is checked before the body is read, and uploads that stall or
exceed GitLab's payload limit are answered without holding the server."""

from __future__ import annotations

import json
import time

import pytest

from tests.bot.conftest import WEBHOOK_SECRET, BotHarness

NESTED = b'{"object_kind": "note", "object_attributes": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


async def assert_alive(harness: BotHarness) -> None:
    assert harness.client is not None
    assert (await harness.client.get("/healthz")).status == 200


async def test_a_token_that_is_not_utf8_is_a_401(harness: BotHarness) -> None:
    status, body = await harness.post_raw([], b"{}", token=b"hook-secret-\xff\xfe")

    assert (status, body["error"]) == (401, "wrong X-Gitlab-Token")
    await assert_alive(harness)


@pytest.mark.parametrize("header", [b"Idempotency-Key", b"X-Gitlab-Event-UUID", b"X-Gitlab-Event"])
async def test_a_delivery_header_that_is_not_text_is_a_400_naming_it(harness: BotHarness, header: bytes) -> None:
    payload = json.dumps(harness.note("/optimize")).encode()

    status, body = await harness.post_raw([(header, b"key-\xc3\x28-\xff")], payload)

    assert status == 400 and header.decode() in body["error"]
    await assert_alive(harness)


async def test_json_nested_beyond_what_python_can_read_is_a_400(harness: BotHarness) -> None:
    status, body = await harness.post_raw([], NESTED)

    assert (status, body["error"]) == (400, "the body is not JSON perfbot can read: it nests too deeply")
    await assert_alive(harness)


@pytest.mark.parametrize(
    "where",
    [("object_attributes", "note"), ("user", "username"), ("project", "path_with_namespace")],
)
async def test_a_lone_surrogate_in_a_field_the_bot_keeps_is_a_400(harness: BotHarness, where: tuple[str, str]) -> None:
    payload = harness.note("/optimize")
    payload[where[0]][where[1]] = "/optimize \ud800" if where[1] == "note" else "x\ud800"
    raw = json.dumps(payload).encode()  # ensure_ascii: the surrogate travels as the escape `\ud800`

    status, body = await harness.post_raw([], raw)

    assert status == 400 and "surrogate" in body["error"]
    await assert_alive(harness)
    await harness.settle()
    assert harness.world.fake.pipelines(harness.world.project) == []


async def test_a_wrong_token_is_refused_before_the_body_is_sent(harness: BotHarness) -> None:
    declared = b"x" * (24 * 1024 * 1024)
    started = time.perf_counter()

    status, _ = await harness.post_raw([], declared, token=b"wrong", send_body=False)

    assert status == 401
    assert time.perf_counter() - started < 2


async def test_an_upload_that_stalls_is_answered_408_when_the_read_deadline_passes(harness: BotHarness) -> None:
    await harness.restart(read_timeout=0.3)

    status, body = await harness.post_raw([], b'{"object_kind": "note"}', send_body=False)

    assert status == 408 and "did not arrive within 0.3 s" in body["error"]
    await assert_alive(harness)


async def test_a_body_beyond_gitlabs_payload_limit_is_a_413_without_reading_it(harness: BotHarness) -> None:
    oversized = b" " * (25 * 1024 * 1024 + 1)

    status, _ = await harness.post_raw([], oversized, token=WEBHOOK_SECRET.encode(), send_body=False)

    assert status == 413
    await assert_alive(harness)
