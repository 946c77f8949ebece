"""A stateful fake of the GitLab REST v4 API (aiohttp on 127.0.0.1, in its own thread), for python-gitlab to
talk to for real.

It implements the endpoints perfbot uses: the user and its token, users, projects, members (incl.
`/members/all/:user_id`), hooks, notes on issues and MRs, award emoji on notes, pipelines (create from the
project's `.gitlab-ci.yml`, list, get, cancel, variables, jobs), jobs (get, artifacts as a zip), labels, and — in
`tests.fakes.gitlab_repo` — branches, files, commits and merge requests. Status codes and payload shapes follow
GitLab's `doc/api/*.md`. Anything else is answered 501 and recorded in `unexpected`; the `gitlab` fixture fails
the test when that list is not empty.

Every fake starts with perfbot's own repository at `tools/perfbot` (its `templates/` tree, tagged `1.0.0`), so a
project's `.gitlab-ci.yml` can include the CI/CD component as the docs say (`USES_PERFBOT` does just that).

    with FakeGitLab() as fake:
        bot = fake.add_user("perfbot", token="bot-token")
        project = fake.add_project("acme/stats", files={"stats.py": b"...", ".gitlab-ci.yml": USES_PERFBOT})
        fake.fail("POST", r"/pipeline$", 500)            # the next pipeline creation answers 500 ...
        fake.fail("POST", r"/notes$", 502, applied=True)  # ... this note is created, then 502 is answered

State is read and changed under one lock, so tests may inspect it from their own thread.
"""

from __future__ import annotations

import asyncio
import io
import itertools
import json
import re
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from tests.fakes import gitlab_ci, gitlab_repo  # noqa: F401 - importing a module registers its routes
from tests.fakes.gitlab_api import ROUTES, HttpError, Page, Project, now

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
COMPONENT_PROJECT, COMPONENT_VERSION = "tools/perfbot", "1.0.0"
USES_PERFBOT = f"include:\n  - component: $CI_SERVER_FQDN/{COMPONENT_PROJECT}/perfbot@{COMPONENT_VERSION}\n"
"""A `.gitlab-ci.yml` that includes perfbot's CI/CD component as docs/ci.md says, and nothing else."""


@dataclass
class Fault:
    method: str
    pattern: re.Pattern[str]
    status: int
    times: int
    body: Any
    headers: dict[str, str]
    applied: bool


@dataclass
class Call:
    method: str
    path: str
    query: dict[str, str]
    body: Any
    status: int = 0


@dataclass
class State:
    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    tokens: dict[str, int] = field(default_factory=dict)
    token_details: dict[str, dict[str, Any]] = field(default_factory=dict)
    projects: dict[int, Project] = field(default_factory=dict)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))


class FakeGitLab:
    def __init__(self) -> None:
        self.state = State()
        self.calls: list[Call] = []
        self.unexpected: list[str] = []
        self.faults: list[Fault] = []
        self.lock = threading.RLock()
        self.url = ""
        self._loop = asyncio.new_event_loop()
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="fake-gitlab", daemon=True)
        self._runner: web.AppRunner | None = None

    # --- lifecycle -------------------------------------------------------------------------------------
    def __enter__(self) -> FakeGitLab:
        self._thread.start()
        if not self._started.wait(10):
            raise RuntimeError("the fake GitLab did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        self.add_component_project()
        self._started.set()
        self._loop.run_forever()

    # --- seeding ---------------------------------------------------------------------------------------
    def add_user(self, username: str, *, token: str | None = None) -> dict[str, Any]:
        with self.lock:
            uid = next(self.state.ids)
            user = {
                "id": uid,
                "username": username,
                "name": username.title(),
                "state": "active",
                "locked": False,
                "avatar_url": f"{self.url}/uploads/avatar/{uid}.png",
                "web_url": f"{self.url}/{username}",
            }
            self.state.users[uid] = user
            if token:
                self.state.tokens[token] = uid
                self.state.token_details[token] = {
                    "id": next(self.state.ids),
                    "name": f"{username}-token",
                    "revoked": False,
                    "created_at": now(),
                    "scopes": ["api"],
                    "user_id": uid,
                    "last_used_at": now(),
                    "active": True,
                    "expires_at": None,
                }
            return user

    def revoke(self, token: str) -> None:
        """GitLab stops accepting `token` (it expired or was revoked): every call with it is answered 401."""
        with self.lock:
            self.state.tokens.pop(token, None)

    def add_component_project(self) -> Project:
        """perfbot's repository as an admin imports it: its `templates/` tree, tagged `COMPONENT_VERSION`."""
        files = {
            f"templates/{p.relative_to(TEMPLATES).as_posix()}": p.read_bytes()
            for p in TEMPLATES.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }
        project = self.add_project(COMPONENT_PROJECT, files=files)
        with self.lock:
            project.tags[COMPONENT_VERSION] = project.branches[project.default_branch]
        return project

    def add_project(self, path: str, *, default_branch: str = "main", files: dict[str, bytes] | None = None) -> Project:
        with self.lock:
            pid = next(self.state.ids)
            project = Project(id=pid, path=path, web_url=f"{self.url}/{path}", default_branch=default_branch)
            project.seed(files or {"README.md": b"# project\n", ".gitlab-ci.yml": USES_PERFBOT.encode()})
            self.state.projects[pid] = project
            return project

    def push(self, project: Project, branch: str, files: dict[str, bytes], message: str = "Update") -> str:
        """A commit on `branch` (created from the default branch when new) changing `files`; returns its id."""
        with self.lock:
            start = project.branches.get(branch, project.branches[project.default_branch])
            tree = dict(project.commits[start]["tree"]) | files
            commit = project.new_commit(start, tree, message, "Dana", "dana@example.com")
            project.branches[branch] = commit["id"]
            return str(commit["id"])

    def add_member(self, project: Project, user: dict[str, Any], access_level: int) -> None:
        with self.lock:
            project.members[user["id"]] = access_level

    def add_issue(self, project: Project, title: str = "Make it faster") -> dict[str, Any]:
        with self.lock:
            return project.new_issue(next(self.state.ids), title)

    def add_merge_request(self, project: Project, source_branch: str, title: str = "Feature") -> dict[str, Any]:
        with self.lock:
            author = next(iter(self.state.users.values()))
            return project.new_merge_request(next(self.state.ids), source_branch, project.default_branch, title, author)

    # --- faults and inspection -------------------------------------------------------------------------
    def fail(
        self,
        method: str,
        pattern: str,
        status: int,
        *,
        times: int = 1,
        body: Any = None,
        headers: dict[str, str] | None = None,
        applied: bool = False,
    ) -> None:
        """Answer the next `times` matching calls with `status`; `applied=True` does the work first (a lost reply)."""
        message = body if body is not None else {"message": f"{status} injected failure"}
        with self.lock:
            self.faults.append(Fault(method, re.compile(pattern), status, times, message, headers or {}, applied))

    def calls_to(self, method: str, pattern: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == method and re.search(pattern, c.path)]

    def notes(self, project: Project, kind: str, iid: int) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(n) for n in project.noteable(kind, iid)["notes"]]

    def add_note(self, project: Project, kind: str, iid: int, author: dict[str, Any], body: str) -> dict[str, Any]:
        with self.lock:
            return dict(project.add_note(kind, iid, author, body))

    def awards(self, project: Project, kind: str, iid: int, note_id: int) -> list[dict[str, Any]]:
        with self.lock:
            return list(project.noteable(kind, iid)["awards"].get(note_id, []))

    def pipelines(self, project: Project) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(p["pipeline"]) for p in project.pipelines.values()]

    def finish_pipeline(
        self,
        project: Project,
        pipeline_id: int,
        status: str | None = None,
        *,
        jobs: dict[str, str] | None = None,
        artifacts: dict[str, bytes] | None = None,
        artifacts_on: str | None = None,
    ) -> dict[str, Any]:
        """End a pipeline and return its Pipeline Hook payload. Each job gets its status from `jobs` (by name), else
        `status`; the pipeline gets `status`, else GitLab's summary of its jobs. `artifacts` go to the job named
        `artifacts_on` (default: `perfbot-gather` when the pipeline has one, else every job)."""
        with self.lock:
            record = project.pipelines[pipeline_id]
            for job in record["jobs"]:
                self._end_job(job, (jobs or {}).get(job["name"], status or job["status"]))
            names = {job["name"] for job in record["jobs"]}
            target = artifacts_on or ("perfbot-gather" if "perfbot-gather" in names else None)
            for job in record["jobs"]:
                if artifacts is not None and target in (None, job["name"]):
                    job["zip"] = _zip(artifacts)
                    job["artifacts_file"] = {"filename": "artifacts.zip", "size": len(job["zip"])}
            summary = status or _summary([j for j in record["jobs"]])
            record["pipeline"].update(status=summary, finished_at=now(), updated_at=now())
            return gitlab_ci.pipeline_hook(project, record)

    def finish_job(
        self, project: Project, pipeline_id: int, name: str, status: str, *, artifacts: dict[str, bytes] | None = None
    ) -> dict[str, Any]:
        """End one job of a running pipeline; returns its Job Hook payload."""
        with self.lock:
            record = project.pipelines[pipeline_id]
            job = next(j for j in record["jobs"] if j["name"] == name)
            self._end_job(job, status)
            if artifacts is not None:
                job["zip"] = _zip(artifacts)
                job["artifacts_file"] = {"filename": "artifacts.zip", "size": len(job["zip"])}
            record["pipeline"].update(status="running", updated_at=now())
            return gitlab_ci.job_hook(project, record, job)

    def pipeline_jobs(self, project: Project, pipeline_id: int) -> list[dict[str, Any]]:
        with self.lock:
            return [dict(job) for job in project.pipelines[pipeline_id]["jobs"]]

    @staticmethod
    def _end_job(job: dict[str, Any], status: str) -> None:
        job.update(status=status, finished_at=now())
        if status == "failed":
            job["failure_reason"] = "script_failure"

    # --- HTTP ------------------------------------------------------------------------------------------
    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        raw = await request.read()
        body = _decode_body(request, raw)
        path = request.raw_path.split("?", 1)[0]
        call = Call(request.method, path, dict(request.query), body)
        with self.lock:
            self.calls.append(call)
            response = self._answer(request, call)
        call.status = response.status
        return response

    def _answer(self, request: web.Request, call: Call) -> web.StreamResponse:
        user_id = self.state.tokens.get(request.headers.get("PRIVATE-TOKEN", ""))
        if user_id is None:
            return web.json_response({"message": "401 Unauthorized"}, status=401)
        fault = self._fault(call)
        if fault is not None and not fault.applied:
            return web.json_response(fault.body, status=fault.status, headers=fault.headers)
        for method, regex, handler in ROUTES:
            match = regex.match(call.path)
            if method == call.method and match:
                try:
                    result = handler(self, request, {"user": user_id, "body": call.body}, list(match.groups()))
                except HttpError as e:
                    return web.json_response(e.body, status=e.status)
                if fault is not None:
                    return web.json_response(fault.body, status=fault.status, headers=fault.headers)
                return result if isinstance(result, web.StreamResponse) else _json(result, call.method)
        self.unexpected.append(f"{call.method} {call.path}")
        return web.json_response({"message": f"fake GitLab: unexpected call {call.method} {call.path}"}, status=501)

    def _fault(self, call: Call) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and fault.method == call.method and fault.pattern.search(call.path):
                fault.times -= 1
                return fault
        return None

    def project(self, ref: str) -> Project:
        key = unquote(ref)
        for project in self.state.projects.values():
            if str(project.id) == key or project.path == key:
                return project
        raise HttpError(404, {"message": "404 Project Not Found"})


def _json(result: Any, method: str) -> web.Response:
    status = 201 if method == "POST" else 200
    if isinstance(result, tuple):
        result, status = result
    if isinstance(result, Page):
        return web.json_response(result.items, status=status, headers=result.headers)
    return web.json_response(result, status=status)


def _decode_body(request: web.Request, raw: bytes) -> Any:
    if not raw:
        return dict(request.query)
    if request.content_type == "application/json":
        return json.loads(raw)
    return dict(item.split("=", 1) for item in raw.decode().split("&") if "=" in item)


def _summary(jobs: list[dict[str, Any]]) -> str:
    """A finished pipeline's status from its jobs, as GitLab composes it."""
    statuses = [j["status"] for j in jobs if not (j["allow_failure"] and j["status"] in ("failed", "manual"))]
    for status in ("failed", "canceled", "manual"):
        if status in statuses:
            return status
    return "skipped" if statuses and all(s == "skipped" for s in statuses) else "success"


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()
