"""`perfbot doctor --gitlab`: the URL, the token (scope, expiry), and with `--project` the bot's role, the
pipeline-variables setting and the webhook, each with what to do about it."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest

from bot.cli import main
from tests.fakes.gitlab import FakeGitLab
from tests.fakes.gitlab_api import Project

TOKEN = "glpat-doctor-token-0001"
HOOK = {
    "id": 1,
    "url": "https://perfbot.example.com/webhook",
    "note_events": True,
    "issues_events": True,
    "merge_requests_events": True,
    "pipeline_events": True,
    "job_events": True,
    "enable_ssl_verification": True,
    "alert_status": "executable",
}


@pytest.fixture
def gitlab() -> Iterator[tuple[FakeGitLab, Project]]:
    with FakeGitLab() as fake:
        bot = fake.add_user("perfbot", token=TOKEN)
        project = fake.add_project("acme/stats")
        fake.add_member(project, bot, 30)
        yield fake, project


def doctor(
    fake: FakeGitLab, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str
) -> tuple[int, str]:
    monkeypatch.setenv("PERFBOT_GITLAB_URL", fake.url)
    monkeypatch.setenv("PERFBOT_GITLAB_TOKEN", TOKEN)
    code = main(["doctor", "--gitlab", *args])
    return code, capsys.readouterr().out


def details(fake: FakeGitLab, **changes: Any) -> None:
    with fake.lock:
        fake.state.token_details[TOKEN].update(changes)


def test_a_developer_token_passes_and_what_it_cannot_read_is_left_to_check_by_hand(
    gitlab: tuple[FakeGitLab, Project], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, _ = gitlab

    code, out = doctor(fake, capsys, monkeypatch, "--project", "acme/stats")

    assert code == 0, out
    assert f"[ok  ] gitlab: {fake.url} accepts the token of @perfbot" in out
    assert "[ok  ] token: 'perfbot-token': scope api, never expires" in out
    assert "[ok  ] role: @perfbot has access level 30 in acme/stats" in out
    assert "[warn] pipeline variables: cannot read it with this role" in out
    assert "[warn] webhook: cannot read the webhooks with this role (Maintainer can)" in out


@pytest.mark.parametrize(
    ("changes", "line", "code"),
    [
        ({"scopes": ["read_api"]}, "[FAIL] token: 'perfbot-token' has the scopes read_api: perfbot needs `api`", 1),
        ({"expires_at": "+5"}, "day(s) from now): rotate it soon", 0),
        ({"expires_at": "-1"}, "it has expired, create a new one", 1),
    ],
)
def test_a_token_without_the_api_scope_or_near_its_expiry_is_reported(
    gitlab: tuple[FakeGitLab, Project],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    changes: dict[str, Any],
    line: str,
    code: int,
) -> None:
    fake, _ = gitlab
    if "expires_at" in changes:
        changes["expires_at"] = (
            datetime.date.today() + datetime.timedelta(days=int(changes["expires_at"]))
        ).isoformat()
    details(fake, **changes)

    got, out = doctor(fake, capsys, monkeypatch)

    assert (got, line in out) == (code, True), out


def test_a_revoked_token_is_reported_with_the_url(
    gitlab: tuple[FakeGitLab, Project], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, _ = gitlab
    fake.revoke(TOKEN)

    code, out = doctor(fake, capsys, monkeypatch)

    assert code == 1
    assert f"[FAIL] gitlab: {fake.url} refused the token (expired, revoked, or a wrong URL?)" in out


@pytest.mark.parametrize(
    ("hook", "setting", "expected"),
    [
        (HOOK, "developer", ["[ok  ] webhook: https://perfbot.example.com/webhook: the events perfbot needs are on"]),
        (HOOK | {"job_events": False}, "developer", ["[warn] webhook:", "turn on Job events too"]),
        (HOOK | {"pipeline_events": False, "alert_status": "disabled"}, "developer",
         ["[FAIL] webhook:", "turn on Pipeline events", "GitLab has disabled it: send a test event"]),
        (HOOK, "no_one_allowed", ["[FAIL] pipeline variables: the bot may not start pipelines with variables",
                                  "Minimum role to use pipeline variables to Developer (it is no_one_allowed)"]),
        (None, "developer", ["[FAIL] webhook: no webhook ending in /webhook"]),
    ],
)  # fmt: skip
def test_with_a_maintainers_token_the_webhook_and_the_variables_setting_are_checked(
    gitlab: tuple[FakeGitLab, Project],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    hook: dict[str, Any] | None,
    setting: str,
    expected: list[str],
) -> None:
    fake, project = gitlab
    with fake.lock:
        project.members[fake.state.tokens[TOKEN]] = 40
        project.hooks = [hook] if hook else []
        project.variables_role = setting

    _, out = doctor(fake, capsys, monkeypatch, "--project", str(project.id))

    assert all(part in out for part in expected), out
