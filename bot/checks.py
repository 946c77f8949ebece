"""What `perfbot doctor --gitlab` checks, and `perfbot serve` at start: can the bot work with this GitLab?

    the URL answers and accepts the token     GET /user
    the token has the `api` scope, is active and not about to expire     GET /personal_access_tokens/self
    with a project: the bot's role in it, the minimum role for pipeline variables, and the project's webhook
    (its URL, the events perfbot needs, SSL verification, whether GitLab disabled it)

Each check says how to fix what it finds. Reading the webhooks and the pipeline-variables setting needs the
Maintainer role, which the bot should not have: with a Developer token those two are reported as "check by hand".
"""

from __future__ import annotations

import datetime
from typing import Any

from bot.forge import DEVELOPER, Forge, ForgeError, User
from pipelines.commands.doctor import Check

EXPIRY_WARNING_DAYS = 14
HOOK_EVENTS = {
    "note_events": "Comments",
    "issues_events": "Issues events",
    "merge_requests_events": "Merge request events",
    "pipeline_events": "Pipeline events",
}
"""What the bot needs; Job events are recommended (the result is published as soon as perfbot's own jobs end)."""
ROLES = {"developer": 30, "maintainer": 40, "owner": 50}
VARIABLES_PATH = "Settings → CI/CD → Variables → Minimum role to use pipeline variables"


def gitlab_checks(forge: Forge, url: str, project: str | None, today: datetime.date) -> list[Check]:
    try:
        me = forge.current_user()
    except ForgeError as e:
        why = "did not answer" if e.status is None else "refused the token (expired, revoked, or a wrong URL?)"
        return [Check("gitlab", False, f"{url} {why}: {e}")]
    checks = [Check("gitlab", True, f"{url} accepts the token of @{me.username}"), token_check(forge, today)]
    if project:
        checks += project_checks(forge, project, me)
    return checks


def token_check(forge: Forge, today: datetime.date) -> Check:
    try:
        token = forge.token_info()
    except ForgeError as e:
        return Check("token", False, f"cannot read the token's details ({e}); make sure it has the api scope", False)
    if "api" not in token.scopes:
        scopes = ", ".join(token.scopes) or "none"
        return Check("token", False, f"{token.name!r} has the scopes {scopes}: perfbot needs `api`")
    if not token.active:
        return Check("token", False, f"{token.name!r} is not active (revoked or expired): create a new one")
    if token.expires_at is None:
        return Check("token", True, f"{token.name!r}: scope api, never expires")
    days = (datetime.date.fromisoformat(token.expires_at[:10]) - today).days
    detail = f"{token.name!r}: scope api, expires {token.expires_at[:10]} ({days} day(s) from now)"
    if days <= 0:
        return Check("token", False, f"{detail}: it has expired, create a new one")
    if days <= EXPIRY_WARNING_DAYS:
        return Check("token", False, f"{detail}: rotate it soon, then restart `perfbot serve`", False)
    return Check("token", True, detail)


def project_checks(forge: Forge, project: str, me: User) -> list[Check]:
    try:
        data = forge.project(project)
    except ForgeError as e:
        return [Check("project", False, f"{project}: the bot cannot see it ({e}); add @{me.username} as Developer")]
    pid, path = int(data["id"]), str(data.get("path_with_namespace", project))
    level = forge.access_level(pid, me.id)
    role = Check("role", level >= DEVELOPER, f"@{me.username} has access level {level} in {path} (Developer = 30)")
    return [role, variables_check(data, level), hook_check(forge, pid)]


def variables_check(project: dict[str, Any], level: int) -> Check:
    setting = project.get("ci_pipeline_variables_minimum_override_role")
    if setting is None:
        return Check("pipeline variables", False, f"cannot read it with this role: check {VARIABLES_PATH}", False)
    needed = ROLES.get(str(setting))
    if needed is None or level < needed:
        fix = f"set {VARIABLES_PATH} to Developer (it is {setting})"
        return Check("pipeline variables", False, f"the bot may not start pipelines with variables: {fix}")
    return Check("pipeline variables", True, f"minimum role {setting}: the bot may set them")


def hook_check(forge: Forge, project_id: int) -> Check:
    try:
        hooks = forge.hooks(project_id)
    except ForgeError as e:
        if e.status in (401, 403):
            what = "cannot read the webhooks with this role (Maintainer can)"
            return Check("webhook", False, f"{what}: check Settings → Webhooks by hand", False)
        raise
    mine = [h for h in hooks if str(h.get("url", "")).rstrip("/").endswith("/webhook")]
    if not mine:
        return Check("webhook", False, "no webhook ending in /webhook: add one (Settings → Webhooks)")
    hook, problems = mine[0], []
    missing = [label for key, label in HOOK_EVENTS.items() if not hook.get(key)]
    if missing:
        problems.append("turn on " + ", ".join(missing))
    if hook.get("alert_status") not in (None, "executable"):
        problems.append(f"GitLab has {hook['alert_status'].replace('_', ' ')} it: send a test event to re-enable it")
    if hook.get("enable_ssl_verification") is False:
        problems.append("SSL verification is off")
    if problems:
        return Check("webhook", False, f"{hook.get('url')}: " + "; ".join(problems))
    if not hook.get("job_events"):
        later = "turn on Job events too, or results wait for the project's other jobs to end"
        return Check("webhook", False, f"{hook.get('url')}: the events perfbot needs are on; {later}", False)
    return Check("webhook", True, f"{hook.get('url')}: the events perfbot needs are on")
