"""Thousands of mutated deliveries against the running server: GitLab's documented payloads with fields replaced,
dropped or given lone surrogates, arbitrary JSON and bytes, deep nesting, and header values that are right, wrong
or not text at all. Every one is answered 2xx or 4xx, never 5xx, and the server stays up. Bounded: the
deliveries are drawn first (a fixed number), then sent one after the other over bare sockets."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.bot.conftest import WEBHOOK_SECRET, BotHarness
from tests.bot.server.test_parser_property import bodies

DELIVERIES = 2000
EVENTS = [b"Note Hook", b"Issue Hook", b"Merge Request Hook", b"Pipeline Hook", b"Job Hook", b"Push Hook", b""]
header_bytes = st.binary(max_size=40).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))
tokens = st.sampled_from([WEBHOOK_SECRET.encode()] * 6 + [b"", b"wrong", WEBHOOK_SECRET.encode() + b"\xff"])
nested = st.integers(1, 3000).map(lambda depth: b'{"object_kind": "note", "x": ' + b"[" * depth + b"]" * depth + b"}")


@st.composite
def deliveries(draw: st.DrawFn) -> tuple[list[tuple[bytes, bytes]], bytes, bytes | None]:
    headers = [(b"X-Gitlab-Event", draw(st.sampled_from(EVENTS) | header_bytes))]
    if draw(st.booleans()):
        headers.append((b"Idempotency-Key", draw(st.uuids().map(lambda u: str(u).encode()) | header_bytes)))
    if draw(st.integers(0, 4)) == 0:
        headers.append((b"X-Gitlab-Event-UUID", draw(header_bytes)))
    body = draw(bodies | nested)
    return headers, body, draw(st.none() | tokens)


async def test_thousands_of_mutated_deliveries_get_no_5xx_and_the_server_stays_up(harness: BotHarness) -> None:
    await harness.restart(worker_tasks=0)  # records and answers; acting on what it accepts is not what is fuzzed
    drawn: list[tuple[list[tuple[bytes, bytes]], bytes, bytes | None]] = []

    @settings(max_examples=DELIVERIES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(delivery=deliveries())
    def draw(delivery: tuple[list[tuple[bytes, bytes]], bytes, bytes | None]) -> None:
        drawn.append(delivery)

    draw()
    statuses: dict[int, int] = {}
    for headers, body, token in drawn:
        status, _ = await harness.post_raw(headers, body, token=token)
        statuses[status] = statuses.get(status, 0) + 1

    assert len(drawn) >= DELIVERIES * 0.9
    assert all(200 <= status < 500 for status in statuses), statuses
    assert {200, 400, 401} <= set(statuses)
    assert harness.client is not None
    assert (await harness.client.get("/healthz")).status == 200
