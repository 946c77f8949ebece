"""The state of one fake GitLab project and the REST v4 handlers of `tests.fakes.gitlab` that read and change it
(notes, award emoji, members, labels, pipelines, jobs). Repository endpoints live in `gitlab_repo`.

Shapes and status codes follow GitLab's `doc/api/{notes,emoji_reactions,members,pipelines,jobs,job_artifacts,
labels}.md`.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

_ids = itertools.count(5000)
Handler = Callable[[Any, web.Request, dict[str, Any], list[str]], Any]
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []
"""(method, path regex, handler) of every fake endpoint; a handler gets (fake, request, {user, body}, groups)."""


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    """Register a handler for `/api/v4` + pattern; `:p` matches a project id or URL-encoded path, `:n` a number."""

    def register(fn: Handler) -> Handler:
        regex = "^/api/v4" + pattern.replace(":p", "([^/]+)").replace(":n", "([0-9]+)") + "$"
        ROUTES.append((method, re.compile(regex), fn))
        return fn

    return register


class HttpError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"{status} {body}")
        self.status = status
        self.body = body


@dataclass
class Page:
    items: list[Any]
    headers: dict[str, str]


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def sha(*parts: object) -> str:
    return hashlib.sha1(repr((parts, next(_ids))).encode()).hexdigest()


def require(body: dict[str, Any], *names: str) -> None:
    for name in names:
        if body.get(name) in (None, ""):
            raise HttpError(400, {"error": f"{name} is missing"})


def paginate(request: web.Request, items: list[Any]) -> Page:
    per_page = max(1, min(100, int(request.query.get("per_page", "20"))))
    page = max(1, int(request.query.get("page", "1")))
    pages = max(1, -(-len(items) // per_page))
    headers = {
        "X-Page": str(page),
        "X-Per-Page": str(per_page),
        "X-Total": str(len(items)),
        "X-Total-Pages": str(pages),
        "X-Next-Page": str(page + 1) if page < pages else "",
        "X-Prev-Page": str(page - 1) if page > 1 else "",
    }
    if page < pages:
        headers["Link"] = f'<{request.url.update_query(page=str(page + 1))}>; rel="next"'
    return Page(items[(page - 1) * per_page : page * per_page], headers)


@dataclass
class Project:
    id: int
    path: str
    web_url: str
    default_branch: str
    members: dict[int, int] = field(default_factory=dict)
    commits: dict[str, dict[str, Any]] = field(default_factory=dict)
    branches: dict[str, str] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    protected: set[str] = field(default_factory=set)
    """Protected branches besides the default branch (which is always protected)."""
    merge_level: int = 40
    """Who may merge into (and so run pipelines on) a protected branch: Maintainers, GitLab's default."""
    mergers: set[int] = field(default_factory=set)
    """Users allowed to merge into protected branches besides that role (Premium: users in "Allowed to merge")."""
    hooks: list[dict[str, Any]] = field(default_factory=list)
    variables_role: str = "developer"
    """`ci_pipeline_variables_minimum_override_role` (GitLab.com's new projects: `no_one_allowed`)."""
    noteables: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)
    pipelines: dict[int, dict[str, Any]] = field(default_factory=dict)
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)
    iids: dict[str, itertools.count[int]] = field(default_factory=dict)

    def seed(self, files: dict[str, bytes]) -> None:
        commit = self.new_commit(None, files, "Initial commit", "Administrator", "admin@example.com")
        self.branches[self.default_branch] = commit["id"]

    def is_protected(self, branch: str) -> bool:
        return branch == self.default_branch or branch in self.protected

    def may_update(self, user_id: int, branch: str) -> bool:
        """Whether the user may merge into `branch`, which GitLab asks before running a pipeline on it."""
        level = self.members.get(user_id, 0)
        return not self.is_protected(branch) or level >= self.merge_level or user_id in self.mergers

    def json(self, access_level: int = 0) -> dict[str, Any]:
        """The project as `GET /projects/:id` shows it to a member of `access_level` (CI settings: Maintainer+)."""
        namespace, _, name = self.path.rpartition("/")
        admin = {"ci_pipeline_variables_minimum_override_role": self.variables_role} if access_level >= 40 else {}
        return admin | {
            "id": self.id,
            "name": name,
            "path": name,
            "path_with_namespace": self.path,
            "name_with_namespace": self.path.replace("/", " / "),
            "default_branch": self.default_branch,
            "web_url": self.web_url,
            "visibility": "private",
            "description": "",
            "http_url_to_repo": f"{self.web_url}.git",
            "namespace": {"full_path": namespace, "path": namespace},
            "created_at": now(),
            "last_activity_at": now(),
            "archived": False,
        }

    def next_iid(self, kind: str) -> int:
        return next(self.iids.setdefault(kind, itertools.count(1)))

    def new_commit(self, parent: str | None, tree: dict[str, bytes], message: str, name: str, email: str) -> dict:
        commit_id, stamp = sha(self.id, parent, message), now()
        commit = {
            "id": commit_id,
            "short_id": commit_id[:8],
            "title": message.splitlines()[0] if message else "",
            "message": message,
            "parent_ids": [parent] if parent else [],
            "author_name": name,
            "author_email": email,
            "authored_date": stamp,
            "committer_name": name,
            "committer_email": email,
            "committed_date": stamp,
            "created_at": stamp,
            "web_url": f"{self.web_url}/-/commit/{commit_id}",
            "tree": dict(tree),
        }
        self.commits[commit_id] = commit
        return commit

    def resolve(self, ref: str) -> dict[str, Any] | None:
        if ref in self.branches:
            return self.commits[self.branches[ref]]
        if ref in self.tags:
            return self.commits[self.tags[ref]]
        matches = [c for sha_, c in self.commits.items() if len(ref) >= 7 and sha_.startswith(ref)]
        return matches[0] if len(matches) == 1 else None

    def new_issue(self, uid: int, title: str) -> dict[str, Any]:
        iid = self.next_iid("issue")
        issue = {
            "id": uid,
            "iid": iid,
            "project_id": self.id,
            "title": title,
            "description": "",
            "state": "opened",
            "labels": [],
            "created_at": now(),
            "updated_at": now(),
            "web_url": f"{self.web_url}/-/issues/{iid}",
        }
        self.noteables[("issue", iid)] = {"object": issue, "notes": [], "awards": {}}
        return issue

    def new_merge_request(self, uid: int, source: str, target: str, title: str, author: dict) -> dict[str, Any]:
        iid = self.next_iid("merge_request")
        mr = {
            "id": uid,
            "iid": iid,
            "project_id": self.id,
            "title": title,
            "description": "",
            "state": "opened",
            "created_at": now(),
            "updated_at": now(),
            "target_branch": target,
            "source_branch": source,
            "source_project_id": self.id,
            "target_project_id": self.id,
            "author": author,
            "labels": [],
            "draft": False,
            "work_in_progress": False,
            "merge_status": "can_be_merged",
            "detailed_merge_status": "mergeable",
            "sha": self.branches.get(source),
            "squash": False,
            "force_remove_source_branch": False,
            "references": {"short": f"!{iid}", "relative": f"!{iid}", "full": f"{self.path}!{iid}"},
            "assignees": [],
            "reviewers": [],
            "merge_error": None,
            "web_url": f"{self.web_url}/-/merge_requests/{iid}",
        }
        self.noteables[("merge_request", iid)] = {"object": mr, "notes": [], "awards": {}}
        return mr

    def noteable(self, kind: str, iid: int) -> dict[str, Any]:
        found = self.noteables.get((kind, iid))
        if found is None:
            raise HttpError(
                404, {"message": f"404 {'Merge Request' if kind == 'merge_request' else 'Issue'} Not Found"}
            )
        return found

    def note(self, kind: str, iid: int, note_id: int) -> dict[str, Any]:
        for note in self.noteable(kind, iid)["notes"]:
            if note["id"] == note_id:
                return note
        raise HttpError(404, {"message": "404 Note Not Found"})

    def add_note(self, kind: str, iid: int, author: dict[str, Any], body: str, *, system: bool = False) -> dict:
        target = self.noteable(kind, iid)
        note = {
            "id": next(_ids),
            "type": None,
            "body": body,
            "attachment": None,
            "author": author,
            "created_at": now(),
            "updated_at": now(),
            "system": system,
            "noteable_id": target["object"]["id"],
            "noteable_type": "MergeRequest" if kind == "merge_request" else "Issue",
            "project_id": self.id,
            "noteable_iid": iid,
            "resolvable": False,
            "confidential": False,
            "internal": False,
        }
        target["notes"].append(note)
        return note


def kind_of(segment: str) -> str:
    return "merge_request" if segment == "merge_requests" else "issue"


@route("GET", "/user")
def current_user(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    return fake.state.users[ctx["user"]]


@route("GET", "/projects/:p")
def get_project(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    project = fake.project(groups[0])
    return project.json(project.members.get(ctx["user"], 0))


@route("GET", "/projects/:p/hooks")
def list_hooks(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    project = fake.project(groups[0])
    if project.members.get(ctx["user"], 0) < 40:
        raise HttpError(403, {"message": "403 Forbidden"})
    return paginate(request, project.hooks)


@route("GET", "/users")
def list_users(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    name = request.query.get("username")
    users = [u for u in fake.state.users.values() if name is None or u["username"].lower() == name.lower()]
    return paginate(request, users)


@route("GET", "/personal_access_tokens/self")
def token_self(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    return fake.state.token_details[request.headers["PRIVATE-TOKEN"]]


@route("GET", "/projects/:p/members/all/:n")
def member_all(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    project, uid = fake.project(groups[0]), int(groups[1])
    if uid not in project.members:
        raise HttpError(404, {"message": "404 Not found"})
    user = fake.state.users[uid]
    return {**user, "access_level": project.members[uid], "created_at": now(), "expires_at": None}


@route("GET", "/projects/:p/(issues|merge_requests)/:n")
def get_noteable(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    found = fake.project(groups[0]).noteable(kind_of(groups[1]), int(groups[2]))["object"]
    if request.query.get("include_rebase_in_progress") == "true":
        return found | {"rebase_in_progress": False, "merge_error": found.get("merge_error")}
    return found


@route("GET", "/projects/:p/(issues|merge_requests)/:n/notes")
def list_notes(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    notes = list(fake.project(groups[0]).noteable(kind_of(groups[1]), int(groups[2]))["notes"])
    key = request.query.get("order_by", "created_at")
    notes.sort(key=lambda n: (n[key], n["id"]), reverse=request.query.get("sort", "desc") == "desc")
    return paginate(request, notes)


@route("POST", "/projects/:p/(issues|merge_requests)/:n/notes")
def create_note(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    require(ctx["body"], "body")
    project = fake.project(groups[0])
    return project.add_note(kind_of(groups[1]), int(groups[2]), fake.state.users[ctx["user"]], ctx["body"]["body"])


@route("GET", "/projects/:p/(issues|merge_requests)/:n/notes/:n")
def get_note(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    return fake.project(groups[0]).note(kind_of(groups[1]), int(groups[2]), int(groups[3]))


@route("PUT", "/projects/:p/(issues|merge_requests)/:n/notes/:n")
def update_note(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    require(ctx["body"], "body")
    note = fake.project(groups[0]).note(kind_of(groups[1]), int(groups[2]), int(groups[3]))
    note.update(body=ctx["body"]["body"], updated_at=now())
    return note


@route("POST", "/projects/:p/(issues|merge_requests)/:n/notes/:n/award_emoji")
def award(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    require(ctx["body"], "name")
    kind, iid, note_id = kind_of(groups[1]), int(groups[2]), int(groups[3])
    project = fake.project(groups[0])
    project.note(kind, iid, note_id)
    awards = project.noteable(kind, iid)["awards"].setdefault(note_id, [])
    user = fake.state.users[ctx["user"]]
    if any(a["name"] == ctx["body"]["name"] and a["user"]["id"] == user["id"] for a in awards):
        raise HttpError(404, {"message": "404 Award Emoji Name has already been taken Not Found"})
    emoji = {
        "id": next(_ids),
        "name": ctx["body"]["name"],
        "user": user,
        "created_at": now(),
        "updated_at": now(),
        "awardable_id": note_id,
        "awardable_type": "Note",
    }
    awards.append(emoji)
    return emoji


@route("GET", "/projects/:p/(issues|merge_requests)/:n/notes/:n/award_emoji")
def list_awards(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    project = fake.project(groups[0])
    return paginate(request, project.noteable(kind_of(groups[1]), int(groups[2]))["awards"].get(int(groups[3]), []))


@route("GET", "/projects/:p/labels")
def list_labels(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    return paginate(request, list(fake.project(groups[0]).labels.values()))


@route("POST", "/projects/:p/labels")
def create_label(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    require(ctx["body"], "name", "color")
    project, name = fake.project(groups[0]), ctx["body"]["name"]
    if name in project.labels:
        raise HttpError(409, {"message": "Label already exists"})
    project.labels[name] = new_label(name, ctx["body"]["color"], ctx["body"].get("description"))
    return project.labels[name]


def new_label(name: str, color: str = "#6699cc", description: str | None = None) -> dict[str, Any]:
    return {
        "id": next(_ids),
        "name": name,
        "color": color,
        "text_color": "#FFFFFF",
        "description": description,
        "open_issues_count": 0,
        "closed_issues_count": 0,
        "open_merge_requests_count": 0,
        "subscribed": False,
        "priority": None,
        "is_project_label": True,
    }
