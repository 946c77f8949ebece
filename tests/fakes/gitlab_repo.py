"""Repository and merge-request endpoints of the fake GitLab (`doc/api/branches.md`, `repository_files.md`,
`commits.md`, `merge_requests.md`).

Commits are real enough for a publisher: `POST …/repository/commits` with `start_branch` (or `start_sha`)
creates the branch, actions are checked as GitLab checks them (create on an existing file, update or delete
of a missing one: 400), and creating a second open MR for the same source branch answers 409. A rebase
(`PUT …/merge_requests/:iid/rebase`) replays the source branch's own changes onto the target branch at once, or
records GitLab's `merge_error` when the target changed the same files.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from tests.fakes.gitlab_api import HttpError, Project, new_label, now, paginate, require, route

ACTIONS = ("create", "delete", "move", "update", "chmod")


@route("GET", "/projects/:p/repository/branches")
def list_branches(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    project = fake.project(groups[0])
    names = sorted(n for n in project.branches if request.query.get("search", "") in n)
    return paginate(request, [_branch(project, n) for n in names])


@route("GET", "/projects/:p/repository/branches/([^/]+)")
def get_branch(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    project, name = fake.project(groups[0]), unquote(groups[1])
    if name not in project.branches:
        raise HttpError(404, {"message": "404 Branch Not Found"})
    return _branch(project, name)


@route("POST", "/projects/:p/repository/branches")
def create_branch(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    require(ctx["body"], "branch", "ref")
    project, name, ref = fake.project(groups[0]), ctx["body"]["branch"], ctx["body"]["ref"]
    if name in project.branches:
        raise HttpError(400, {"message": "Branch already exists"})
    commit = project.resolve(ref)
    if commit is None:
        raise HttpError(400, {"message": f"Invalid reference name: {ref}"})
    project.branches[name] = commit["id"]
    return _branch(project, name)


@route("GET", "/projects/:p/repository/files/([^/]+)/raw")
def raw_file(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    project = fake.project(groups[0])
    path, data, _ = _file(project, unquote(groups[1]), request.query.get("ref", project.default_branch))
    return web.Response(body=data, content_type="text/plain", headers={"X-Gitlab-File-Path": path})


@route("GET", "/projects/:p/repository/files/([^/]+)")
def get_file(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    require(dict(request.query), "ref")
    project = fake.project(groups[0])
    path, data, commit = _file(project, unquote(groups[1]), request.query["ref"])
    blob = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
    return {
        "file_name": path.rpartition("/")[2],
        "file_path": path,
        "size": len(data),
        "encoding": "base64",
        "content": base64.b64encode(data).decode(),
        "content_sha256": hashlib.sha256(data).hexdigest(),
        "ref": request.query["ref"],
        "blob_id": blob,
        "commit_id": commit["id"],
        "last_commit_id": commit["id"],
        "execute_filemode": False,
    }


@route("GET", "/projects/:p/repository/commits/([^/]+)")
def get_commit(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    commit = fake.project(groups[0]).resolve(unquote(groups[1]))
    if commit is None:
        raise HttpError(404, {"message": "404 Commit Not Found"})
    return _commit_json(commit)


@route("POST", "/projects/:p/repository/commits")
def create_commit(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    body = ctx["body"]
    require(body, "branch", "commit_message", "actions")
    project = fake.project(groups[0])
    parent = _start(project, body)
    tree = dict(parent["tree"])
    for action in body["actions"]:
        _apply(tree, action)
    user = fake.state.users[ctx["user"]]
    name, email = body.get("author_name", user["name"]), body.get("author_email", f"{user['username']}@localhost")
    commit = project.new_commit(parent["id"], tree, body["commit_message"], name, email)
    project.branches[body["branch"]] = commit["id"]
    changed = len(body["actions"])
    return _commit_json(commit) | {
        "stats": {"additions": changed, "deletions": 0, "total": changed},
        "status": None,
        "last_pipeline": None,
    }


@route("GET", "/projects/:p/merge_requests")
def list_mrs(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    project, q = fake.project(groups[0]), request.query
    mrs = [n["object"] for (kind, _), n in project.noteables.items() if kind == "merge_request"]
    for name in ("source_branch", "target_branch"):
        if name in q:
            mrs = [mr for mr in mrs if mr[name] == q[name]]
    if q.get("state", "all") != "all":
        mrs = [mr for mr in mrs if mr["state"] == q["state"]]
    if "labels" in q:
        wanted = set(q["labels"].split(","))
        mrs = [mr for mr in mrs if wanted <= set(mr["labels"])]
    return paginate(request, sorted(mrs, key=lambda mr: mr["iid"], reverse=True))


@route("POST", "/projects/:p/merge_requests")
def create_mr(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    body = ctx["body"]
    require(body, "source_branch", "target_branch", "title")
    project = fake.project(groups[0])
    for name in ("source_branch", "target_branch"):
        if body[name] not in project.branches:
            raise HttpError(400, {"message": [f"{name.replace('_', ' ').capitalize()} does not exist"]})
    for (kind, _), n in project.noteables.items():
        mr = n["object"]
        if kind == "merge_request" and mr["state"] == "opened" and mr["source_branch"] == body["source_branch"]:
            message = f"Another open merge request already exists for this source branch: !{mr['iid']}"
            raise HttpError(409, {"message": [message]})
    mr = project.new_merge_request(
        next(fake.state.ids),
        body["source_branch"],
        body["target_branch"],
        body["title"],
        fake.state.users[ctx["user"]],
    )
    users = fake.state.users
    mr.update(
        description=body.get("description") or "",
        squash=bool(body.get("squash", False)),
        force_remove_source_branch=bool(body.get("remove_source_branch", False)),
        assignees=[users[int(i)] for i in _ids(body.get("assignee_ids")) if int(i) in users],
        reviewers=[users[int(i)] for i in _ids(body.get("reviewer_ids")) if int(i) in users],
    )
    _set_labels(project, mr, _split(body.get("labels")))
    return mr


@route("PUT", "/projects/:p/merge_requests/:n")
def update_mr(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    project, body = fake.project(groups[0]), ctx["body"]
    mr = project.noteable("merge_request", int(groups[1]))["object"]
    for name in ("title", "description", "target_branch"):
        if name in body:
            mr[name] = body[name]
    labels = _split(body["labels"]) if "labels" in body else list(mr["labels"])
    labels += [x for x in _split(body.get("add_labels")) if x not in labels]
    _set_labels(project, mr, [x for x in labels if x not in _split(body.get("remove_labels"))])
    if body.get("state_event") in ("close", "reopen"):
        mr["state"] = "closed" if body["state_event"] == "close" else "opened"
    mr["updated_at"] = now()
    return mr


@route("PUT", "/projects/:p/merge_requests/:n/rebase")
def rebase_mr(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    project = fake.project(groups[0])
    mr = project.noteable("merge_request", int(groups[1]))["object"]
    head = project.commits[project.branches[mr["source_branch"]]]
    parent, target = project.commits[head["parent_ids"][0]], project.commits[project.branches[mr["target_branch"]]]
    changed = {
        path for path in set(head["tree"]) | set(parent["tree"]) if head["tree"].get(path) != parent["tree"].get(path)
    }
    if any(parent["tree"].get(path) != target["tree"].get(path) for path in changed):
        mr["merge_error"] = "Rebase failed: Rebase locally, resolve all conflicts, then push the branch."
    else:
        tree = {k: v for k, v in target["tree"].items() if k not in changed} | {
            p: head["tree"][p] for p in changed if p in head["tree"]
        }
        commit = project.new_commit(target["id"], tree, head["message"], head["author_name"], head["author_email"])
        project.branches[mr["source_branch"]] = commit["id"]
        mr.update(merge_error=None, sha=commit["id"])
    return {"rebase_in_progress": True}, 202


def _ids(value: Any) -> list[Any]:
    if value in (None, ""):
        return []
    return value if isinstance(value, list) else str(value).split(",")


def _branch(project: Project, name: str) -> dict[str, Any]:
    commit = project.commits[project.branches[name]]
    return {
        "name": name,
        "merged": False,
        "protected": project.is_protected(name),
        "default": name == project.default_branch,
        "developers_can_push": False,
        "developers_can_merge": False,
        "can_push": True,
        "web_url": f"{project.web_url}/-/tree/{name}",
        "commit": _commit_json(commit),
    }


def _commit_json(commit: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in commit.items() if k != "tree"}


def _file(project: Project, path: str, ref: str) -> tuple[str, bytes, dict[str, Any]]:
    commit = project.resolve(ref)
    if commit is None or path not in commit["tree"]:
        raise HttpError(404, {"message": "404 File Not Found"})
    return path, commit["tree"][path], commit


def _start(project: Project, body: dict[str, Any]) -> dict[str, Any]:
    """The parent commit: the branch's head, or `start_branch`/`start_sha` for a new branch."""
    branch, start = body["branch"], body.get("start_branch") or body.get("start_sha")
    if branch in project.branches:
        if start and start != branch and not body.get("force"):
            raise HttpError(
                400,
                {
                    "message": f"A branch called '{branch}' already exists. "
                    "Switch to that branch in order to make changes"
                },
            )
        return project.commits[project.branches[branch]]
    if not start:
        raise HttpError(400, {"message": "You can only create or edit files when you are on a branch"})
    parent = project.resolve(start)
    if parent is None:
        raise HttpError(400, {"message": f"Invalid reference name: {start}"})
    return parent


def _apply(tree: dict[str, bytes], action: dict[str, Any]) -> None:
    kind, path = action.get("action"), action.get("file_path")
    if kind not in ACTIONS:
        raise HttpError(400, {"error": "actions[action] does not have a valid value"})
    if not path:
        raise HttpError(400, {"error": "actions[file_path] is missing"})
    content = action.get("content") or ""
    data = base64.b64decode(content) if action.get("encoding") == "base64" else content.encode()
    if kind == "create":
        if path in tree:
            raise HttpError(400, {"message": "A file with this name already exists"})
        tree[path] = data
    elif kind in ("update", "delete", "chmod"):
        if path not in tree:
            raise HttpError(400, {"message": "A file with this name doesn't exist"})
        if kind == "update":
            tree[path] = data
        elif kind == "delete":
            del tree[path]
    else:
        previous = action.get("previous_path")
        if previous not in tree:
            raise HttpError(400, {"message": "A file with this name doesn't exist"})
        old = tree.pop(previous)
        tree[path] = data if "content" in action else old


def _split(labels: Any) -> list[str]:
    if not labels:
        return []
    items = labels if isinstance(labels, list) else str(labels).split(",")
    return [item.strip() for item in items if item.strip()]


def _set_labels(project: Project, mr: dict[str, Any], labels: list[str]) -> None:
    for name in labels:
        project.labels.setdefault(name, new_label(name))  # GitLab creates unknown labels on the fly
    mr["labels"] = labels
