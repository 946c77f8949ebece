"""Requests GitLab or the bot cannot run get one reply saying what to change, and free their slot: pipeline variables
the project refuses, a CI config without perfbot's jobs, a fork's merge request, a closed issue, a token GitLab no
longer accepts."""

from __future__ import annotations

import pytest

from bot.server.app import STATE
from tests.bot.conftest import BotHarness, wait_for
from tests.bot.server.test_triggers import bot_notes

REFUSED = {"message": {"base": ["Insufficient permissions to set pipeline variables"]}}


def issue_replies(harness: BotHarness) -> list[str]:
    return [n["body"] for n in bot_notes(harness, "issue", harness.world.issue["iid"])]


async def open_jobs(harness: BotHarness) -> list[str]:
    assert harness.client is not None
    return [job.state for job in await harness.client.app[STATE].store.open_jobs()]


async def test_a_project_refusing_pipeline_variables_gets_a_reply_naming_the_setting_to_change(
    harness: BotHarness,
) -> None:
    w = harness.world
    w.project.variables_role = "no_one_allowed"  # GitLab.com's default for new projects

    await harness.post(harness.note("/optimize", on="issue"))

    [reply] = await wait_for(lambda: issue_replies(harness))
    assert "Settings → CI/CD → Variables → Minimum role to use pipeline variables" in reply
    assert "**Developer**" in reply and "ci_pipeline_variables_minimum_override_role" in reply
    assert w.fake.pipelines(w.project) == []
    await harness.settle()
    assert await open_jobs(harness) == []


@pytest.mark.parametrize("status", [400, 403])
async def test_the_variables_refusal_is_recognised_whatever_4xx_carries_it(harness: BotHarness, status: int) -> None:
    harness.world.fake.fail("POST", r"/pipeline$", status, body=REFUSED)

    await harness.post(harness.note("/optimize", on="issue"))

    [reply] = await wait_for(lambda: issue_replies(harness))
    assert "Minimum role to use pipeline variables" in reply


async def test_a_bot_without_the_right_to_create_pipelines_is_told_what_role_it_needs(harness: BotHarness) -> None:
    harness.world.fake.fail("POST", r"/pipeline$", 403, body={"message": "403 Forbidden"})

    await harness.post(harness.note("/optimize", on="issue"))

    [reply] = await wait_for(lambda: issue_replies(harness))
    assert "needs the Developer role" in reply


async def test_a_ci_config_whose_rules_leave_no_job_gets_a_reply_about_the_component(harness: BotHarness) -> None:
    w = harness.world
    w.fake.push(
        w.project,
        "main",
        {".gitlab-ci.yml": b"lint:\n  script: [ruff check .]\n  rules:\n    - if: $CI_PIPELINE_SOURCE == 'push'\n"},
    )

    await harness.post(harness.note("/optimize", on="issue"))

    [reply] = await wait_for(lambda: issue_replies(harness))
    assert "creates no job for perfbot's pipelines" in reply and "`main`" in reply


async def test_a_pipeline_without_perfbot_jobs_is_stopped_and_explained(harness: BotHarness) -> None:
    w = harness.world
    w.fake.push(w.project, "main", {".gitlab-ci.yml": b"lint:\n  script: [ruff check .]\n"})

    await harness.post(harness.note("/optimize", on="issue"))

    [reply] = await wait_for(lambda: issue_replies(harness))
    assert "has no perfbot job (its jobs: `lint`), so I stopped it" in reply
    [pipeline] = w.fake.pipelines(w.project)
    assert pipeline["status"] == "canceled"
    await harness.settle()
    assert await open_jobs(harness) == []


async def test_a_merge_request_from_a_fork_is_refused_with_the_reason(harness: BotHarness) -> None:
    w = harness.world
    payload = harness.note("/optimize", on="merge_request")
    payload["merge_request"].update(source_project_id=4242, source={"path_with_namespace": "mallory/stats"})

    await harness.post(payload)

    [reply] = await wait_for(lambda: bot_notes(harness, "merge_request", w.mr["iid"]))
    assert "comes from the fork `mallory/stats`" in reply["body"]
    assert w.fake.pipelines(w.project) == []


async def test_optimize_on_a_closed_issue_is_refused_as_the_label_is_ignored(harness: BotHarness) -> None:
    w = harness.world
    payload = harness.note("/optimize", on="issue")
    payload["issue"]["state"] = "closed"
    labelled = harness.labelled("issue")
    labelled["object_attributes"]["state"] = "closed"

    assert (await harness.post(labelled))[1] == {"status": "ignored", "reason": "issue is closed"}
    await harness.post(payload)

    [reply] = await wait_for(lambda: issue_replies(harness))
    assert "This is closed: perfbot runs only on open issues and merge requests" in reply
    assert w.fake.pipelines(w.project) == []


async def test_a_token_gitlab_stops_accepting_is_logged_clearly_and_the_request_waits_for_a_new_one(
    harness: BotHarness,
) -> None:
    w = harness.world
    w.fake.revoke("glpat-bot-secret-token-123")

    await harness.post(harness.note("/optimize", on="issue"))

    await wait_for(lambda: any(line["event"] == "gitlab.token_refused" for line in harness.log_lines()))
    [line] = [line for line in harness.log_lines() if line["event"] == "gitlab.token_refused"][:1]
    assert line["level"] == "error" and "PERFBOT_GITLAB_TOKEN" in line["fix"]
    assert await open_jobs(harness) == ["pending"]
    assert w.fake.pipelines(w.project) == []


async def test_a_bot_not_allowed_to_merge_into_the_protected_branch_is_told_the_setting(harness: BotHarness) -> None:
    w = harness.world
    w.project.mergers.clear()  # GitLab's default: only Maintainers may merge into `main`, so run pipelines there

    await harness.post(harness.note("/optimize", on="issue"))

    [reply] = await wait_for(lambda: issue_replies(harness))
    assert "`main` is protected" in reply and "*Allowed to merge*" in reply
    assert w.fake.pipelines(w.project) == []
