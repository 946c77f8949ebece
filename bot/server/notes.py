"""The bot's replies. Each ends with a hidden marker (`bot.forge.marker`) naming the request and the kind of reply,
which is how the bot finds a reply it already posted (after a retry or a restart) instead of posting it twice.

Replies that say something went wrong name what to change, and where, in words an administrator can act on.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.forge import FINAL_JOB, ForgeError, marker
from bot.server.grammar import GRAMMAR
from bot.server.handoff import Verdict

DOCS = "perfbot's docs/ci.md"
VARIABLES_SETTING = (
    "GitLab refused the pipeline's variables: this project does not let the bot's role use pipeline variables. "
    "A Maintainer (an Owner, if it is set to `no_one_allowed` or `owner`) can allow it under "
    "**Settings → CI/CD → Variables → Minimum role to use pipeline variables**: choose **Developer** (or the bot's "
    "role, if higher). Through the API: `PUT /projects/:id` with `ci_pipeline_variables_minimum_override_role="
    "developer`. New projects on GitLab.com start at `no_one_allowed`."
)


def started(
    request_id: str, pipeline_id: int, url: str, what: str, *, others: Sequence[str] = (), checkout: str | None = None
) -> str:
    lines = [f"Started perfbot on {what}: pipeline [#{pipeline_id}]({url}). I will reply here when it has finished."]
    if checkout:
        lines.append(
            f"\nThis branch is not protected, so the pipeline runs the default branch's CI configuration and checks "
            f"out `{checkout}` to measure this merge request's code."
        )
    if others:
        shown = ", ".join(f"`{name}`" for name in list(others)[:8]) + (", …" if len(others) > 8 else "")
        lines.append(
            f"\nThis pipeline also runs {len(others)} job(s) that are not perfbot's ({shown}). They do not hold up "
            f"the result, but they run on every request: {DOCS}, *Keep your other jobs out*, shows the snippet that "
            "leaves them out of perfbot's pipelines."
        )
    return "\n".join(lines) + f"\n\n{marker(request_id, 'started')}"


def denied(request_id: str, username: str) -> str:
    return (
        f"Sorry @{username}, only members of this project with at least the Developer role can run `/optimize`. "
        f"A maintainer can add you, or run it for you.\n\n{marker(request_id, 'denied')}"
    )


def refusal(request_id: str, state: str, fork: str | None) -> str | None:
    """Why a request cannot run where it was made (a closed item, a fork's MR), or None when it can."""
    if state != "opened":
        text = (
            f"This is {state}: perfbot runs only on open issues and merge requests (adding the label to a {state} "
            "one does nothing either). Reopen it and ask again."
        )
    elif fork is not None:
        text = (
            f"This merge request comes from the fork `{fork}`. perfbot runs in this project's CI and publishes "
            "its merge request to a branch of this project, and it neither runs a fork's CI configuration nor "
            "pushes to a fork. Push the branch to this project (or ask on an issue, which optimizes the default "
            "branch) and ask again."
        )
    else:
        return None
    return f"{text}\n\n{marker(request_id, 'refused')}"


def usage(request_id: str, problem: str) -> str:
    return f"I could not read that command: {problem}.\n\nUsage:\n\n{GRAMMAR}\n\n{marker(request_id, 'usage')}"


def help_text(request_id: str) -> str:
    return f"Usage:\n\n{GRAMMAR}\n\n{marker(request_id, 'help')}"


def queued(request_id: str, running: int) -> str:
    return (
        f"Queued: {running} perfbot run(s) are already going in this project. This one starts as soon as one of "
        f"them finishes.\n\n{marker(request_id, 'queued')}"
    )


def start_failed(request_id: str, error: ForgeError, ref: str) -> str:
    text = str(error)
    if "Insufficient permissions to set pipeline variables" in text:
        why = VARIABLES_SETTING
    elif "prevented any jobs" in text or "filtered out by workflow rules" in text:
        why = (
            f"the CI configuration of `{ref}` creates no job for perfbot's pipelines. Include perfbot's CI/CD "
            f"component in `.gitlab-ci.yml` on `{ref}`, and let `workflow:rules` pass pipelines that set "
            f"`PERFBOT_REQUEST` ({DOCS})."
        )
    elif "sufficient permission to run a pipeline on" in text:
        why = (
            f"GitLab lets only users allowed to merge into a protected branch run pipelines on it, and `{ref}` is "
            f"protected. Under **Settings → Repository → Protected branches**, add the bot user to *Allowed to "
            f"merge* for `{ref}` (Premium), or allow *Developers + Maintainers* to merge there, or give the bot the "
            "Maintainer role."
        )
    elif "Missing CI config file" in text:
        why = f"`{ref}` has no `.gitlab-ci.yml`: add one that includes perfbot's CI/CD component ({DOCS})."
    elif error.status == 403:
        why = (
            "GitLab says the bot may not create pipelines here. Its account needs the Developer role in this "
            f"project, and to run on a protected branch (`{ref}`?) it must be allowed to merge into it."
        )
    else:
        why = f"GitLab answered: {text}"
    return f"I could not start the perfbot pipeline: {why}\n\n{marker(request_id, 'start-failed')}"


def no_perfbot_job(request_id: str, ref: str, jobs: Sequence[str]) -> str:
    names = ", ".join(f"`{name}`" for name in jobs[:8]) or "none"
    return (
        f"The pipeline I started on `{ref}` has no perfbot job (its jobs: {names}), so I stopped it. Include "
        f"perfbot's CI/CD component in `.gitlab-ci.yml` on `{ref}` ({DOCS}) and ask again."
        f"\n\n{marker(request_id, 'no-perfbot-job')}"
    )


def run_ended(
    request_id: str,
    pipeline_id: int,
    url: str,
    status: str,
    verdict: Verdict,
    *,
    reason: str | None,
    marker_kind: str,
) -> str:
    """The reply when a run ends without a result to publish."""
    link = f"[#{pipeline_id}]({url})"
    if verdict.outcome == "failed":
        canceled = all(job.status == "canceled" for job in verdict.failed)
        lines = [f"The perfbot pipeline {link} {'was canceled' if canceled else 'failed'}."]
        if reason:
            lines += ["", reason]
        lines.append("")
        for job in verdict.failed:
            why = f", {job.failure_reason.replace('_', ' ')}" if job.failure_reason else ""
            lines.append(f"- `{job.name}` {job.status}{why}: [job log]({job.web_url})")
        lines += ["", "`/optimize retry` runs the request again."]
    elif verdict.outcome == "no_perfbot_job":
        lines = [f"The pipeline {link} ended ({status}) without a perfbot job, so there is nothing to publish."]
    else:
        states = ", ".join(f"`{job.name}` {job.status}" for job in verdict.jobs)
        lines = [
            f"The pipeline {link} ended ({status}) before perfbot's jobs ran ({states}), so there is nothing to "
            f"publish. If `{FINAL_JOB}` waits to be started by hand, start it and I will publish when it succeeds; "
            "or `/optimize retry`."
        ]
    return "\n".join(lines) + f"\n\n{marker(request_id, marker_kind)}"


def publish_failed(request_id: str, url: str, problem: str) -> str:
    return (
        f"perfbot's run in [this pipeline]({url}) finished, but I could not publish its result: {problem}. "
        f"Once that is fixed, `/optimize retry` runs it again.\n\n{marker(request_id, 'publish-failed')}"
    )


def not_perfbot_mr(request_id: str, what: str) -> str:
    return f"`/optimize {what}` works on a merge request perfbot opened.\n\n{marker(request_id, what)}"


def rebased(request_id: str, target: str, problem: str | None) -> str:
    if problem is None:
        text = f"Rebased onto `{target}`."
    else:
        text = (
            f"GitLab could not rebase this onto `{target}`: {problem}. `/optimize retry` runs perfbot again on the "
            "current code and replaces this merge request."
        )
    return f"{text}\n\n{marker(request_id, 'rebase')}"


def nothing_to_retry(request_id: str) -> str:
    return f"There is no earlier `/optimize` request here to run again.\n\n{marker(request_id, 'retry')}"
