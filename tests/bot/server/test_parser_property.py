"""Thousands of generated payloads against the parser: each one is parsed, ignored or refused with a
`PayloadError` (400), never another exception. `test_webhook_fuzz.py` sends thousands of whole deliveries to the
server."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.forge import PayloadError
from bot.server.events import Ignored, JobFinished, OptimizeRequested, PipelineFinished, parse_event
from tests.bot.conftest import fixture

FIXTURES = ["note_merge_request", "note_issue", "note_commit", "issue", "merge_request", "pipeline", "job", "push"]
SAMPLES = {name: json.dumps(fixture(name)) for name in FIXTURES}

scalars = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=30)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=6,
)
notes = st.sampled_from(["/optimize", "/optimize --agents 3", "```\n/optimize\n```", "> /optimize", "/optimize help",
                         "x\n/optimize a.py::f --model anthropic:m", "\x00/optimize", "/optimize \"", "",
                         "/optimize retry", "/optimize rebase", "/optimize \ud800"])  # fmt: skip
surrogates = st.sampled_from(["\ud800", "x\udfff", "\udc80/optimize"])


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*prefix, index))
    return found


PATHS = {name: paths(json.loads(text)) for name, text in SAMPLES.items()}


@st.composite
def mutated_payloads(draw: st.DrawFn) -> dict[str, Any]:
    """A documented payload with a few fields replaced by arbitrary JSON (or deleted), often a command note."""
    name = draw(st.sampled_from(FIXTURES))
    payload = json.loads(SAMPLES[name])
    if "object_attributes" in payload and "note" in payload["object_attributes"] and draw(st.booleans()):
        payload["object_attributes"]["note"] = draw(notes)
    candidates = PATHS[name]
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(candidates))
        parent = payload
        try:
            for key in path[:-1]:
                parent = parent[key]
            roll = draw(st.integers(0, 5))
            if roll == 0 and isinstance(parent, dict):
                parent.pop(path[-1], None)
            else:
                parent[path[-1]] = draw(surrogates if roll == 1 else json_values)
        except (KeyError, IndexError, TypeError):
            continue
    return payload


bodies = (
    mutated_payloads().map(lambda p: json.dumps(p).encode())
    | json_values.map(lambda v: json.dumps(v).encode())
    | st.binary(max_size=64)
)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(body=bodies, header=st.sampled_from(["Note Hook", "Issue Hook", "Pipeline Hook", "Job Hook", "", "Bogus"]))
def test_the_parser_returns_an_event_or_a_payload_error_for_any_body(body: bytes, header: str) -> None:
    try:
        event = parse_event(header, body, label="perfbot", bot_username="perfbot")
    except PayloadError as e:
        assert str(e)
    else:
        assert isinstance(event, OptimizeRequested | PipelineFinished | JobFinished | Ignored)
