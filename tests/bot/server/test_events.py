"""Sans-I/O parsing of GitLab's documented payloads into typed events."""

from __future__ import annotations

import json

import pytest

from bot.forge import PayloadError
from bot.server.events import Ignored, OptimizeRequested, PipelineFinished, parse_event
from bot.server.grammar import find_command
from tests.bot.conftest import fixture


def parse(payload: object, *, bot: str | None = "perfbot") -> object:
    return parse_event("Note Hook", json.dumps(payload).encode(), label="perfbot", bot_username=bot)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/optimize", "/optimize"),
        ("Please have a look.\n\n/optimize src/a.py --agents 2  ", "/optimize src/a.py --agents 2"),
        ("   /optimize", "/optimize"),
        ("/optimized is not a command", None),
        ("run /optimize please", None),
        ("```\n/optimize\n```", None),
        ("~~~python\n/optimize\n~~~\n", None),
        ("```\ncode\n```\n/optimize after", "/optimize after"),
        ("> /optimize", None),
        (">>>\n/optimize\n>>>", None),
        ("    /optimize", None),
        ("\t/optimize", None),
        ("", None),
    ],
)
def test_the_command_is_a_line_starting_with_optimize_outside_code_and_quotes(text: str, expected: str | None) -> None:
    assert find_command(text) == expected


def test_a_merge_request_note_becomes_a_request_with_its_origin() -> None:
    payload = fixture("note_merge_request")
    payload["object_attributes"]["note"] = "/optimize x.py"

    event = parse(payload)

    assert isinstance(event, OptimizeRequested)
    assert event.command == "/optimize x.py"
    assert event.business_key == "note:5:1244"
    origin = event.origin
    assert (origin.kind, origin.iid, origin.note_id, origin.requester) == ("merge_request", 1, 1244, "root")
    assert (origin.project_path, origin.source_branch, origin.default_branch) == (
        "gitlab-org/gitlab-test",
        "master",
        "master",
    )


def test_an_issue_note_becomes_a_request_on_the_issue() -> None:
    payload = fixture("note_issue")
    payload["object_attributes"]["note"] = "/optimize"

    event = parse(payload)

    assert isinstance(event, OptimizeRequested)
    assert (event.origin.kind, event.origin.iid, event.origin.source_branch) == ("issue", 17, None)


def test_a_confidential_note_is_handled_like_any_other() -> None:
    payload = fixture("note_issue")
    payload.update(event_type="confidential_note")
    payload["object_attributes"]["note"] = "/optimize"

    assert isinstance(parse_event("Confidential Note Hook", json.dumps(payload).encode(), label="l", bot_username=None),
                      OptimizeRequested)  # fmt: skip


def test_the_documented_label_replacement_does_not_trigger_but_adding_our_label_does() -> None:
    payload = fixture("issue")
    assert isinstance(parse(payload), Ignored)

    payload["changes"]["labels"]["current"].append({"title": "perfbot"})
    event = parse(payload)

    assert isinstance(event, OptimizeRequested)
    assert (event.trigger, event.origin.kind, event.origin.iid) == ("label", "issue", 23)
    assert event.business_key == "label:1:issue:23:2013-12-03T17:15:43Z"


def test_a_label_added_to_a_closed_issue_is_ignored() -> None:
    payload = fixture("issue")
    payload["changes"]["labels"]["current"].append({"title": "perfbot"})
    payload["object_attributes"]["state"] = "closed"

    assert parse(payload) == Ignored(reason="issue is closed")


def test_a_finished_perfbot_pipeline_becomes_an_event_with_its_jobs() -> None:
    payload = fixture("pipeline")
    payload["object_attributes"]["variables"].append({"key": "PERFBOT_REQUEST", "value": "abc"})

    event = parse(payload)

    assert isinstance(event, PipelineFinished)
    assert (event.pipeline_id, event.status, event.request_id) == (31, "success", "abc")
    assert {job.name: job.status for job in event.jobs}["test-build"] == "failed"
    assert event.business_key == "pipeline:1:31:success"


def test_a_pipeline_without_a_perfbot_request_is_ignored() -> None:
    assert parse(fixture("pipeline")) == Ignored(reason="not a perfbot pipeline")


def test_a_note_without_its_noteable_is_a_payload_error() -> None:
    payload = fixture("note_merge_request")
    payload["object_attributes"]["note"] = "/optimize"
    del payload["merge_request"]

    with pytest.raises(PayloadError, match="needs the 'merge_request' object"):
        parse(payload)
