"""Each trigger ends in exactly one pipeline with the right ref and PERFBOT_* variables, 👀 and a reply."""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

import pytest

from tests.bot.conftest import BotHarness, wait_for


def variables(harness: BotHarness, pipeline_id: int) -> dict[str, str]:
    with harness.world.fake.lock:
        record = harness.world.project.pipelines[pipeline_id]
        return {v["key"]: v["value"] for v in record["variables"]}


def bot_notes(harness: BotHarness, kind: str, iid: int) -> list[dict[str, Any]]:
    notes = harness.world.fake.notes(harness.world.project, kind, iid)
    return [n for n in notes if n["author"]["username"] == "perfbot"]


async def test_an_optimize_note_on_a_merge_request_runs_the_default_branchs_ci_on_the_merge_requests_code(
    harness: BotHarness,
) -> None:
    w = harness.world
    payload = harness.note("Looks slow.\n/optimize src/stats.py::mean --agents 2 --steps 5", on="merge_request")

    status, body = await harness.post(payload)

    assert (status, body) == (202, {"status": "accepted"})
    replies = await wait_for(lambda: bot_notes(harness, "merge_request", w.mr["iid"]))
    [pipeline] = w.fake.pipelines(w.project)
    assert pipeline["ref"] == "main"  # `feature` is not protected: its CI config is the requester's to change
    assert f"[#{pipeline['id']}]({pipeline['web_url']})" in replies[0]["body"]
    assert f"checks out `refs/merge-requests/{w.mr['iid']}/head`" in replies[0]["body"]
    got = variables(harness, pipeline["id"])
    assert got["PERFBOT_CHECKOUT"] == f"refs/merge-requests/{w.mr['iid']}/head"
    assert (got["PERFBOT_TARGET_BRANCH"], got["PERFBOT_SOURCE_BRANCH"]) == ("feature", "feature")
    assert got["PERFBOT_TARGET"] == "src/stats.py::mean"
    assert got["PERFBOT_TARGET_SLUG"] == "src-stats-py-mean"
    assert (got["PERFBOT_AGENTS"], got["PERFBOT_STEPS"]) == ("2", "5")
    assert got["PERFBOT_MR_IID"] == str(w.mr["iid"])
    assert got["PERFBOT_NOTE_ID"] == str(payload["object_attributes"]["id"])
    assert got["PERFBOT_REQUESTER"] == "dana"
    assert got["PERFBOT_PROJECT_ID"] == str(w.project.id)
    assert [a["name"] for a in w.fake.awards(w.project, "merge_request", w.mr["iid"], got_note(payload))] == ["eyes"]


@pytest.mark.parametrize(
    ("protected", "trusted", "ref"), [(True, "protected", "feature"), (False, "all", "feature"), (True, "none", "main")]
)
async def test_a_trusted_merge_request_branch_runs_its_own_ci_config(
    harness: BotHarness, protected: bool, trusted: str, ref: str
) -> None:
    w = harness.world
    if protected:
        w.project.protected.add("feature")
    await harness.restart(settings=harness.settings.model_copy(update={"trusted_branches": trusted}))

    assert (await harness.post(harness.note("/optimize", on="merge_request")))[0] == 202

    await wait_for(lambda: bot_notes(harness, "merge_request", w.mr["iid"]))
    [pipeline] = w.fake.pipelines(w.project)
    assert pipeline["ref"] == ref
    assert ("PERFBOT_CHECKOUT" in variables(harness, pipeline["id"])) == (ref == "main")


def got_note(payload: dict[str, Any]) -> int:
    return int(payload["object_attributes"]["id"])


async def test_an_optimize_note_on_an_issue_starts_one_pipeline_on_the_default_branch(harness: BotHarness) -> None:
    w = harness.world
    payload = harness.note("/optimize", on="issue")

    assert (await harness.post(payload))[0] == 202

    await wait_for(lambda: bot_notes(harness, "issue", w.issue["iid"]))
    [pipeline] = w.fake.pipelines(w.project)
    assert pipeline["ref"] == "main"
    got = variables(harness, pipeline["id"])
    assert got["PERFBOT_ISSUE_IID"] == str(w.issue["iid"])
    assert "PERFBOT_TARGET" not in got
    assert got["PERFBOT_TARGET_SLUG"] == "all"
    assert [a["name"] for a in w.fake.awards(w.project, "issue", w.issue["iid"], got_note(payload))] == ["eyes"]


async def test_adding_the_label_to_an_issue_starts_a_pipeline(harness: BotHarness) -> None:
    w = harness.world

    assert (await harness.post(harness.labelled("issue")))[0] == 202

    replies = await wait_for(lambda: bot_notes(harness, "issue", w.issue["iid"]))
    [pipeline] = w.fake.pipelines(w.project)
    assert variables(harness, pipeline["id"])["PERFBOT_TRIGGER"] == "label"
    assert "Started perfbot" in replies[0]["body"]


async def test_adding_the_label_to_a_merge_request_starts_a_pipeline(harness: BotHarness) -> None:
    w = harness.world

    assert (await harness.post(harness.labelled("merge_request")))[0] == 202

    await wait_for(lambda: bot_notes(harness, "merge_request", w.mr["iid"]))
    [pipeline] = w.fake.pipelines(w.project)
    assert pipeline["ref"] == "main"
    assert variables(harness, pipeline["id"])["PERFBOT_MR_IID"] == str(w.mr["iid"])


async def test_a_configured_ref_wins_over_the_merge_request_branch(harness: BotHarness) -> None:
    w = harness.world
    with w.fake.lock:
        w.project.branches["perfbot-ci"] = w.project.branches["main"]
    await harness.restart(settings=harness.settings.model_copy(update={"ref": "perfbot-ci"}))

    assert (await harness.post(harness.note("/optimize")))[0] == 202

    await wait_for(lambda: w.fake.pipelines(w.project))
    assert [p["ref"] for p in w.fake.pipelines(w.project)] == ["perfbot-ci"]


async def test_optimize_help_answers_with_the_grammar_and_starts_nothing(harness: BotHarness) -> None:
    w = harness.world

    await harness.post(harness.note("/optimize help"))

    replies = await wait_for(lambda: bot_notes(harness, "merge_request", w.mr["iid"]))
    await harness.settle()
    assert "--agents K" in replies[0]["body"]
    assert w.fake.pipelines(w.project) == []


async def test_the_pipeline_carries_every_variable_the_ci_templates_resource_group_names(harness: BotHarness) -> None:
    template = (resources.files("templates") / "perfbot" / "template.yml").read_text(encoding="utf-8")
    groups = re.findall(r"^\s*resource_group: (.+)$", template, re.MULTILINE)
    named = {name for group in groups for name in re.findall(r"\$(PERFBOT_\w+)", group)}
    w = harness.world

    assert (await harness.post(harness.note("/optimize src/stats.py::mean", on="issue")))[0] == 202

    await wait_for(lambda: bot_notes(harness, "issue", w.issue["iid"]))
    [pipeline] = w.fake.pipelines(w.project)
    assert named == {"PERFBOT_TARGET_SLUG"}
    assert named <= set(variables(harness, pipeline["id"]))
