"""Publishing a finished run: one commit on a new branch, a merge request, a reply where the request came from.

    publisher = Publisher(gitlab_url, token)
    outcome = publisher.publish(load_run(Path("artifacts")), project_id=42)

When a candidate was selected: the commits API creates branch `perfbot/<slug>-<request>` from the commit the
run measured (`start_sha`) with the candidate's files (one commit), then the MR opens with the headline title,
labels, `remove_source_branch` and the run's report.md as the description (`pipelines.report.markdown`); a reply
on the original note or issue (`templates/notes/`) links it. When nothing was selected: only a reply saying what
was tried and the best rejected attempt's numbers. Every GitLab call goes through `Forge` and `Retry`.

Idempotent: every step first looks for its own result (the branch, an MR from that branch in any state, a reply
carrying the request's marker), so publishing the same run twice opens one MR, and a publish that failed half
way is finished by running it again. `make_publisher(settings)` is what the bot calls on pipeline success.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot import logs
from bot.forge import BRANCH_PREFIX, FINAL_JOB, Forge, ForgeError, MergeRequest, Noteable, PublishError, marker
from bot.gitlab import GitLabForge
from bot.logs import get_logger
from bot.publish.artifacts import failure_reason, fetch_run
from bot.retry import Retry
from bot.server.handoff import Handoff
from bot.server.settings import Settings
from pipelines.errors import UsageError
from pipelines.report.markdown import MAX_CHARS, commit_message, context, headline, render, render_markdown
from pipelines.runfiles import REQUEST_FILE, Origin, Request, Run, load_run

__all__ = [
    "BRANCH_PREFIX",
    "Outcome",
    "Publisher",
    "branch_name",
    "branch_prefix",
    "make_publisher",
]

DEFAULT_LABELS = ("perfbot", "performance")
log = get_logger()


# Who perfbot's merge requests are assigned to and whose review they ask for.
#
# Each is a comma-separated list of usernames, where `requester` stands for whoever asked for the run (default: the
# requester, for both). An empty list sets nobody; a username GitLab does not know is left out. Set from
# `PERFBOT_MR_ASSIGNEES` / `PERFBOT_MR_REVIEWERS` (the bot's settings, or the CI job's variables).

REQUESTER = "requester"


@dataclass(frozen=True)
class People:
    assignees: str = REQUESTER
    reviewers: str = REQUESTER

    def ids(self, origin: Origin, user_id: Callable[[str], int | None]) -> dict[str, list[int]]:
        """`assignee_ids` and `reviewer_ids` for the merge request of a run asked for from `origin`."""
        found: dict[str, int | None] = {}

        def resolve(spec: str) -> list[int]:
            ids: list[int] = []
            for name in (part.strip().lstrip("@") for part in spec.split(",")):
                if not name:
                    continue
                if name == REQUESTER:
                    if origin.requester_id is not None:
                        ids.append(origin.requester_id)
                        continue
                    name = origin.requester or ""
                if name and name not in found:
                    found[name] = user_id(name)
                uid = found.get(name)
                if uid is not None:
                    ids.append(uid)
            return list(dict.fromkeys(ids))

        return {"assignee_ids": resolve(self.assignees), "reviewer_ids": resolve(self.reviewers)}


@dataclass(frozen=True)
class Outcome:
    kind: str
    """"merge_request" (one exists now), "nothing" (no candidate: replied), "failed" (the run failed: replied)."""
    url: str | None = None
    created: bool = False
    """Whether this call opened the MR (False when an earlier publish of the same run had)."""
    note_id: int | None = None

    def __str__(self) -> str:
        return self.url or self.kind


def branch_name(run: Run) -> str:
    """`perfbot/<what was optimized>-<request id>`: the same for every publish of one run."""
    what = run.request.target or run.report["benchmark"]["entry"].split(":")[-1]
    key = re.sub(r"[^a-z0-9]+", "", run.request.request_id.lower())[:10] or "run"
    return branch_prefix(what) + key


def branch_prefix(what: str) -> str:
    """`perfbot/<slug>-`: the start of every branch published for target `what` (`PATH[::SYMBOL]` or a name)."""
    slug = re.sub(r"[^a-z0-9]+", "-", what.replace(".py::", "-").removesuffix(".py").lower())[:40].strip("-")
    return f"{BRANCH_PREFIX}{slug or 'target'}-"


class Publisher:
    def __init__(
        self,
        url: str,
        token: str,
        *,
        labels: tuple[str, ...] = DEFAULT_LABELS,
        people: People | None = None,
        attempts: int = 6,
        wait: float = 0.5,
    ) -> None:
        self.forge: Forge = GitLabForge(url, token)
        self.retry = Retry(attempts=attempts, first_wait=wait)
        self.labels = labels
        self.people = people or People()

    def publish(self, run: Run, project_id: int) -> Outcome:
        error = run.report.get("error")
        if isinstance(error, dict):  # the run could not be carried out: say why instead of "nothing found"
            return self.failed(run.request, project_id, str(error.get("message")), output=str(error.get("output", "")))
        if run.files is None:
            note = self.reply(run.request, project_id, "nothing", self._note("nothing", run))
            return Outcome("nothing", note_id=note)
        mr, created = self.merge_request(run, project_id)
        if run.request.supersedes is not None and run.request.supersedes != mr.iid:
            self._supersede(project_id, run.request, mr)
        extra = {"mr_ref": f"[{mr.reference}]({mr.web_url})", "title": mr.title}
        body = self._note("published", run, **extra)
        note = self.reply(run.request, project_id, "published", body)
        log.info("publish.done", mr=mr.web_url, created=created, request=run.request.request_id)
        return Outcome("merge_request", mr.web_url, created, note)

    def failed(self, request: Request, project_id: int, problem: str, *, output: str = "") -> Outcome:
        """Tell the requester that the run could not be carried out (nothing to publish); `output`: the first lines
        of the failing test's output, shown as a code block."""
        body = render(
            "notes/failed.md.j2",
            limit=MAX_CHARS,
            request=request,
            problem=problem,
            output=output,
            marker=marker(request.request_id, "failed"),
        )
        return Outcome("failed", note_id=self.reply(request, project_id, "failed", body))

    def merge_request(self, run: Run, project_id: int) -> tuple[MergeRequest, bool]:
        branch = branch_name(run)
        forge, retry = self.forge, self.retry
        existing = retry.read(forge.merge_request_for, project_id, branch)
        if existing is not None:
            return existing, False
        try:
            retry.ensure(
                lambda: True if forge.branch_exists(project_id, branch) else None,
                lambda: self._commit(run, project_id, branch),
            )
        except ForgeError as e:
            if e.status == 400 and run.request.base_sha:
                raise PublishError(
                    f"GitLab refused a commit on top of the measured commit {run.request.base_sha[:12]} ({e}); "
                    f"if that commit is not in project {project_id} yet, push it (`git push origin HEAD`) and "
                    "publish again"
                ) from e
            raise
        return retry.ensure(
            lambda: forge.merge_request_for(project_id, branch),
            lambda: forge.create_merge_request(project_id, self._mr_fields(run, project_id, branch)),
        )

    def open_merge_requests(self, project_id: int, prefix: str, label: str) -> list[MergeRequest]:
        """The open MRs carrying `label` whose source branch starts with `prefix`."""
        listed = self.retry.read(self.forge.open_merge_requests, project_id, label)
        return [mr for mr in listed if mr.source_branch.startswith(prefix)]

    def reply(self, request: Request, project_id: int, kind: str, body: str) -> int | None:
        """Post `body` on the request's MR or issue once (found again by its marker); None when there is none."""
        origin = request.origin
        if origin.kind is None or origin.iid is None:
            return None
        mark, forge = marker(request.request_id, kind), self.forge
        target = Noteable(project_id, origin.kind, origin.iid)
        note, _ = self.retry.ensure(lambda: forge.find_note(target, mark), lambda: forge.create_note(target, body))
        return note.id

    def __call__(self, handoff: Handoff) -> str | None:
        """The bot's hand-over: fetch the run from perfbot's final job's artifacts and publish it."""
        supersedes = handoff.variables.get("PERFBOT_SUPERSEDES")
        request = Request(
            request_id=handoff.request_id,
            project_id=handoff.project_id,
            target=handoff.variables.get("PERFBOT_TARGET"),
            origin=handoff.origin,
            pipeline_url=handoff.pipeline_url,
            supersedes=int(supersedes) if supersedes and supersedes.isdigit() else None,
        )
        with tempfile.TemporaryDirectory(prefix="perfbot-publish-") as tmp:
            job = self._final_job(handoff)
            directory = fetch_run(self.forge, self.retry, handoff.project_id, job, Path(tmp)) if job else None
            if directory is None:
                where = f"`{FINAL_JOB}` of pipeline {handoff.pipeline_id}"
                problem = f"{where} left no run ({REQUEST_FILE}) among its artifacts"
                self.failed(request, handoff.project_id, problem)
                raise PublishError(problem)
            saved = load_run(directory).request
            run = load_run(directory, _merged(saved, request))
            return str(self.publish(run, handoff.project_id))

    def explain(self, project_id: int, job_id: int) -> str | None:
        """Why perfbot's job `job_id` failed, as the report among its artifacts says (None without one)."""
        return failure_reason(self.forge, self.retry, project_id, job_id)

    def _final_job(self, handoff: Handoff) -> int | None:
        """The id of the pipeline's (latest) `perfbot-gather` job: the hand-over names it, else GitLab is asked."""
        jobs = handoff.jobs or self.retry.read(self.forge.pipeline_jobs, handoff.project_id, handoff.pipeline_id)
        finals = [job.id for job in jobs if job.name == FINAL_JOB and job.status == "success"]
        return max(finals, default=None)

    def _supersede(self, project_id: int, request: Request, mr: MergeRequest) -> None:
        """Close the perfbot MR this run replaces, with a note linking the new one (once: found by its marker)."""
        assert request.supersedes is not None
        old = Noteable(project_id, "merge_request", request.supersedes)
        mark, forge = marker(request.request_id, "superseded"), self.forge
        body = f"Replaced by {mr.reference}, from `/optimize retry` on the current code.\n\n{mark}"
        self.retry.ensure(lambda: forge.find_note(old, mark), lambda: forge.create_note(old, body))
        self.retry.read(forge.close_merge_request, project_id, request.supersedes)
        log.info("publish.superseded", old=request.supersedes, new=mr.web_url)

    def _commit(self, run: Run, project_id: int, branch: str) -> bool:
        assert run.files is not None
        new = set(re.findall(r"^--- /dev/null\n\+\+\+ b/(.+)$", (run.selected or {}).get("diff", ""), re.M))
        actions = [
            {"action": "create" if path in new else "update", "file_path": path, "content": text}
            for path, text in sorted(run.files.items())
        ]
        start = (
            {"start_sha": run.request.base_sha}
            if run.request.base_sha
            else {"start_branch": self._target(run, project_id)}
        )
        data = {
            "branch": branch,
            "commit_message": commit_message(run.report, run.request.request_id),
            "actions": actions,
            **start,
        }
        self.forge.create_commit(project_id, data)
        return True

    def _mr_fields(self, run: Run, project_id: int, branch: str) -> dict[str, Any]:
        people = self.people.ids(run.request.origin, lambda name: self.retry.read(self.forge.user_id, name))
        return people | {
            "source_branch": branch,
            "target_branch": self._target(run, project_id),
            "title": f"perf: {headline(run.report)}",
            "description": render_markdown(
                run.report, request=run.request, marker=self._marker(run, "mr"), limit=MAX_CHARS
            ),
            "labels": ",".join(self.labels),
            "remove_source_branch": True,
            "squash": True,
        }

    def _target(self, run: Run, project_id: int) -> str:
        if run.request.target_branch:
            return run.request.target_branch
        return self.retry.read(self.forge.default_branch, project_id)

    def _note(self, kind: str, run: Run, **extra: Any) -> str:
        """The reply of `kind` (`templates/notes/<kind>.md.j2`) on a finished run."""
        values = context(run.report, run.request, self._marker(run, kind))
        return render(f"notes/{kind}.md.j2", limit=MAX_CHARS, **values, **extra)

    def _marker(self, run: Run, kind: str) -> str:
        return marker(run.request.request_id, kind)


def make_publisher(settings: Settings) -> Publisher:
    """The publisher the bot uses on pipeline success, with the bot's own URL, token and merge request settings."""
    labels = tuple(x.strip() for x in settings.mr_labels.split(",") if x.strip())
    people = People(settings.mr_assignees, settings.mr_reviewers)
    return Publisher(settings.gitlab_url, settings.gitlab_token.get_secret_value(), labels=labels, people=people)


def _merged(saved: Request, handed: Request) -> Request:
    """The bot's record of the request, completed with what the CI job wrote (base commit, branch, links)."""
    fields = {**saved.__dict__, **{k: v for k, v in handed.__dict__.items() if v is not None}}
    return Request(**(fields | {"origin": handed.origin}))


# The publisher of `perfbot publish` and `perfbot ci`, set up from the environment.
#
# GitLab from `PERFBOT_GITLAB_URL`, else `CI_SERVER_URL`; token from `PERFBOT_GITLAB_TOKEN`; merge request labels
# from `PERFBOT_MR_LABELS` (comma-separated, default perfbot,performance); assignees and reviewers from
# `PERFBOT_MR_ASSIGNEES` and `PERFBOT_MR_REVIEWERS` (usernames, `requester` for whoever asked; the default).


def publisher_from_env(env: Mapping[str, str]) -> Publisher:
    """The publisher; from here on, log lines are JSON on stderr (stdout carries the command's result) with the
    token redacted."""
    url, token = gitlab_credentials(env)
    logs.configure_stderr([token])
    people = People(env.get("PERFBOT_MR_ASSIGNEES", REQUESTER), env.get("PERFBOT_MR_REVIEWERS", REQUESTER))
    return Publisher(url, token, labels=labels(env), people=people)


def gitlab_credentials(env: Mapping[str, str]) -> tuple[str, str]:
    """(GitLab URL, token) from the environment; a `UsageError` names what is missing."""
    url = env.get("PERFBOT_GITLAB_URL") or env.get("CI_SERVER_URL")
    token = env.get("PERFBOT_GITLAB_TOKEN")
    if not url:
        raise UsageError("no GitLab URL: set PERFBOT_GITLAB_URL (in CI, CI_SERVER_URL is used)")
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"PERFBOT_GITLAB_URL must start with http:// or https://, got {url!r}")
    if not token:
        raise UsageError("no token: set PERFBOT_GITLAB_TOKEN to a token with the api scope (a masked CI variable)")
    return url.rstrip("/"), token


def labels(env: Mapping[str, str]) -> tuple[str, ...]:
    raw = env.get("PERFBOT_MR_LABELS", "perfbot,performance")
    return tuple(label.strip() for label in raw.split(",") if label.strip())
