"""Pipelines and jobs of the fake GitLab (`doc/api/pipelines.md`, `jobs.md`, `job_artifacts.md`), and the
Pipeline Hook and Job Hook payloads of a fake pipeline, shaped like the examples in `webhook_events.md`.

Creating a pipeline runs GitLab's checks in GitLab's order: the user must be at least a Developer (403), may set
pipeline variables only at the project's minimum role (400 `Insufficient permissions to set pipeline variables`),
must be allowed to merge into the ref if it is protected (400 `You do not have sufficient permission to run a
pipeline on …`), and the project's `.gitlab-ci.yml` at the ref must create at least one job
(`tests.fakes.gitlab_ci_config`). The
jobs start `created`; tests end them with `FakeGitLab.finish_pipeline`.
"""

from __future__ import annotations

import itertools
from typing import Any

from aiohttp import web

from tests.fakes.gitlab_api import HttpError, Project, now, paginate, require, route
from tests.fakes.gitlab_ci_config import JobSpec, configured_jobs

_ids = itertools.count(9000)
VARIABLE_TYPES = ("env_var", "file")
ROLES = {"developer": 30, "maintainer": 40, "owner": 50, "no_one_allowed": 10**6}


@route("POST", "/projects/:p/pipeline")
def create_pipeline(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    require(ctx["body"], "ref")
    project, ref = fake.project(groups[0]), ctx["body"]["ref"]
    commit = project.commits.get(project.branches.get(ref, ""))
    if commit is None:
        raise HttpError(400, {"message": {"base": ["Reference not found"]}})
    variables = ctx["body"].get("variables") or []
    if not isinstance(variables, list) or any(not isinstance(v, dict) or "key" not in v for v in variables):
        raise HttpError(400, {"error": "variables is invalid"})
    if any(v.get("variable_type", "env_var") not in VARIABLE_TYPES for v in variables):
        raise HttpError(400, {"error": "variables[variable_type] does not have a valid value"})
    level = project.members.get(ctx["user"], 0)
    if level < 30:
        raise HttpError(403, {"message": "403 Forbidden"})
    if variables and level < ROLES[project.variables_role]:
        raise HttpError(400, {"message": {"base": ["Insufficient permissions to set pipeline variables"]}})
    if not project.may_update(ctx["user"], ref):
        message = (
            f"You do not have sufficient permission to run a pipeline on '{ref}'. "
            "Please select a different branch or contact your administrator for assistance."
        )
        raise HttpError(400, {"message": {"base": [message]}})
    values = {v["key"]: str(v.get("value", "")) for v in variables}
    jobs = configured_jobs(fake, project, commit, ref, values)
    user = fake.state.users[ctx["user"]]
    record = new_pipeline(project, ref, commit["id"], user, variables, jobs)
    return record["pipeline"]


@route("POST", "/projects/:p/pipelines/:n/cancel")
def cancel_pipeline(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    record = _record(fake.project(groups[0]), int(groups[1]))
    for job in record["jobs"]:
        if job["status"] in ("created", "pending", "running", "manual"):
            job.update(status="canceled", finished_at=now())
    record["pipeline"].update(status="canceled", finished_at=now(), updated_at=now())
    return record["pipeline"], 200


@route("GET", "/projects/:p/pipelines")
def list_pipelines(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    q = request.query
    records = list(fake.project(groups[0]).pipelines.values())
    for name in ("ref", "source", "status", "sha"):
        if name in q:
            records = [r for r in records if r["pipeline"][name] == q[name]]
    if "username" in q:
        records = [r for r in records if r["user"]["username"] == q["username"]]
    key = q.get("order_by", "id")
    records.sort(key=lambda r: r["pipeline"][key], reverse=q.get("sort", "desc") == "desc")
    return paginate(request, [_summary(r["pipeline"]) for r in records])


@route("GET", "/projects/:p/pipelines/:n")
def get_pipeline(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    return _record(fake.project(groups[0]), int(groups[1]))["pipeline"]


@route("GET", "/projects/:p/pipelines/:n/variables")
def pipeline_variables(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    return _record(fake.project(groups[0]), int(groups[1]))["variables"]


@route("GET", "/projects/:p/pipelines/:n/jobs")
def pipeline_jobs(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    return paginate(request, [_job_json(j) for j in _record(fake.project(groups[0]), int(groups[1]))["jobs"]])


@route("GET", "/projects/:p/jobs/:n")
def get_job(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    return _job_json(_job(fake.project(groups[0]), int(groups[1])))


@route("GET", "/projects/:p/jobs/:n/artifacts")
def job_artifacts(fake: Any, request: web.Request, ctx: dict, groups: list[str]) -> Any:
    job = _job(fake.project(groups[0]), int(groups[1]))
    if job.get("zip") is None:
        raise HttpError(404, {"message": "404 Not Found"})
    return web.Response(body=job["zip"], content_type="application/zip")


def new_pipeline(
    project: Project, ref: str, sha: str, user: dict, variables: list[dict], jobs: list[JobSpec] | None = None
) -> dict[str, Any]:
    """A pipeline with `jobs` (default: perfbot's two, one shard and the gather job)."""
    pid, stamp = next(_ids), now()
    specs = jobs or [
        JobSpec("perfbot 1/1", "test", "on_success", False),
        JobSpec("perfbot-gather", "test", "on_success", False),
    ]
    pipeline = {
        "id": pid,
        "iid": project.next_iid("pipeline"),
        "project_id": project.id,
        "sha": sha,
        "ref": ref,
        "status": "created",
        "source": "api",
        "created_at": stamp,
        "updated_at": stamp,
        "web_url": f"{project.web_url}/-/pipelines/{pid}",
        "before_sha": "0" * 40,
        "tag": False,
        "yaml_errors": None,
        "user": user,
        "started_at": None,
        "finished_at": None,
        "committed_at": None,
        "duration": None,
        "queued_duration": None,
        "coverage": None,
        "name": None,
        "detailed_status": {
            "icon": "status_created",
            "text": "created",
            "label": "created",
            "group": "created",
            "has_details": True,
            "details_path": f"/{project.path}/-/pipelines/{pid}",
        },
    }
    made = [_new_job(project, pid, ref, sha, user, spec, stamp) for spec in specs]
    clean = [
        {"key": v["key"], "value": str(v.get("value", "")), "variable_type": v.get("variable_type", "env_var")}
        for v in variables
    ]
    record = {"pipeline": pipeline, "jobs": made, "variables": clean, "user": user}
    project.pipelines[pid] = record
    return record


def _new_job(project: Project, pid: int, ref: str, sha: str, user: dict, spec: JobSpec, stamp: str) -> dict:
    job_id = next(_ids)
    return {
        "id": job_id,
        "name": spec.name,
        "stage": spec.stage,
        "status": "manual" if spec.when == "manual" else "created",
        "when": spec.when,
        "allow_failure": spec.allow_failure,
        "ref": ref,
        "tag": False,
        "created_at": stamp,
        "started_at": None,
        "finished_at": None,
        "duration": None,
        "failure_reason": None,
        "user": user,
        "pipeline_id": pid,
        "sha": sha,
        "web_url": f"{project.web_url}/-/jobs/{job_id}",
        "artifacts_file": {"filename": None, "size": None},
        "runner": {"id": 380987, "description": "fake-runner-1", "active": True, "is_shared": True, "tags": []},
        "zip": None,
    }


def job_hook(project: Project, record: dict[str, Any], job: dict[str, Any]) -> dict[str, Any]:
    """The Job Hook body GitLab would send for `job` now (`webhook_events.md`, Job events)."""
    p, user = record["pipeline"], record["user"]
    commit = project.commits[p["sha"]]
    return {
        "object_kind": "build",
        "ref": p["ref"],
        "tag": False,
        "before_sha": p["before_sha"],
        "sha": p["sha"],
        "build_id": job["id"],
        "build_name": job["name"],
        "build_stage": job["stage"],
        "build_status": job["status"],
        "build_created_at": job["created_at"],
        "build_started_at": job["started_at"],
        "build_finished_at": job["finished_at"],
        "build_duration": 17.0,
        "build_queued_duration": 1.0,
        "build_allow_failure": job["allow_failure"],
        "build_failure_reason": job["failure_reason"],
        "retries_count": 0,
        "pipeline_id": p["id"],
        "project_id": project.id,
        "project_name": project.path.replace("/", " / "),
        "user": {k: user[k] for k in ("id", "name", "avatar_url")} | {"email": "[REDACTED]"},
        "commit": {
            "id": p["id"],
            "name": None,
            "sha": p["sha"],
            "message": commit["message"],
            "author_name": commit["author_name"],
            "author_email": commit["author_email"],
            "status": p["status"],
            "duration": None,
            "started_at": None,
            "finished_at": None,
        },
        "repository": {"name": project.path.rpartition("/")[2], "git_http_url": f"{project.web_url}.git"},
        "project": {
            "id": project.id,
            "name": project.path.rpartition("/")[2],
            "web_url": project.web_url,
            "path_with_namespace": project.path,
            "default_branch": project.default_branch,
        },
        "runner": job["runner"],
        "environment": None,
    }


def pipeline_hook(project: Project, record: dict[str, Any]) -> dict[str, Any]:
    """The Pipeline Hook body GitLab would send for this pipeline now."""
    p, user = record["pipeline"], record["user"]
    commit = project.commits[p["sha"]]
    namespace = project.path.rpartition("/")[0]
    return {
        "object_kind": "pipeline",
        "object_attributes": {
            "id": p["id"],
            "iid": p["iid"],
            "name": p["name"],
            "ref": p["ref"],
            "tag": False,
            "sha": p["sha"],
            "before_sha": p["before_sha"],
            "source": p["source"],
            "status": p["status"],
            "stages": sorted({job["stage"] for job in record["jobs"]}),
            "created_at": p["created_at"],
            "finished_at": p["finished_at"],
            "duration": 63,
            "variables": [{"key": v["key"], "value": v["value"]} for v in record["variables"]],
            "url": p["web_url"],
        },
        "merge_request": None,
        "user": {k: user[k] for k in ("id", "name", "username", "avatar_url")} | {"email": "[REDACTED]"},
        "project": {
            "id": project.id,
            "name": project.path.rpartition("/")[2],
            "description": "",
            "web_url": project.web_url,
            "avatar_url": None,
            "git_ssh_url": f"git@localhost:{project.path}.git",
            "git_http_url": f"{project.web_url}.git",
            "namespace": namespace,
            "visibility_level": 0,
            "path_with_namespace": project.path,
            "default_branch": project.default_branch,
            "ci_config_path": None,
        },
        "commit": {
            "id": commit["id"],
            "message": commit["message"],
            "timestamp": commit["created_at"],
            "url": commit["web_url"],
            "author": {"name": commit["author_name"], "email": commit["author_email"]},
        },
        "builds": [_build(job, user) for job in record["jobs"]],
    }


def _build(job: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": job["id"],
        "stage": job["stage"],
        "name": job["name"],
        "status": job["status"],
        "created_at": job["created_at"],
        "started_at": job["started_at"],
        "finished_at": job["finished_at"],
        "duration": 17.0,
        "queued_duration": 1.0,
        "failure_reason": job["failure_reason"],
        "when": job["when"],
        "manual": job["when"] == "manual",
        "allow_failure": job["allow_failure"],
        "user": user,
        "runner": job["runner"],
        "artifacts_file": dict(job["artifacts_file"]),
        "environment": None,
    }


def _summary(p: dict[str, Any]) -> dict[str, Any]:
    keys = ("id", "iid", "project_id", "sha", "ref", "status", "source", "created_at", "updated_at", "web_url", "name")
    return {k: p[k] for k in keys}


def _record(project: Project, pipeline_id: int) -> dict[str, Any]:
    record = project.pipelines.get(pipeline_id)
    if record is None:
        raise HttpError(404, {"message": "404 Not found"})
    return record


def _job(project: Project, job_id: int) -> dict[str, Any]:
    for record in project.pipelines.values():
        for job in record["jobs"]:
            if job["id"] == job_id:
                return job
    raise HttpError(404, {"message": "404 Job Not Found"})


def _job_json(job: dict[str, Any]) -> dict[str, Any]:
    body = {k: v for k, v in job.items() if k not in ("zip", "pipeline_id", "sha", "when")}
    body["pipeline"] = {"id": job["pipeline_id"], "ref": job["ref"], "sha": job["sha"], "status": job["status"]}
    body["commit"] = {"id": job["sha"], "short_id": job["sha"][:8]}
    body["artifacts"] = (
        []
        if job["zip"] is None
        else [{"file_type": "archive", "filename": "artifacts.zip", "size": len(job["zip"]), "file_format": "zip"}]
    )
    return body
