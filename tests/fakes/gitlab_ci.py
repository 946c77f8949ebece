"""Pipelines and jobs of the fake GitLab (`doc/api/pipelines.md`, `jobs.md`, `job_artifacts.md`), and the
Pipeline Hook payload of a fake pipeline, shaped like the example in `webhook_events.md`.

A created pipeline has one job, `perfbot` in stage `optimize`, status `created`; tests end it with
`FakeGitLab.finish_pipeline`.
"""

from __future__ import annotations

import itertools
from typing import Any

from aiohttp import web

from tests.fakes.gitlab_api import HttpError, Project, now, paginate, require, route

_ids = itertools.count(9000)
VARIABLE_TYPES = ("env_var", "file")


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
    user = fake.state.users[ctx["user"]]
    record = new_pipeline(project, ref, commit["id"], user, variables)
    return record["pipeline"]


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


def new_pipeline(project: Project, ref: str, sha: str, user: dict, variables: list[dict]) -> dict[str, Any]:
    pid, stamp = next(_ids), now()
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
    job_id = next(_ids)
    job = {
        "id": job_id,
        "name": "perfbot",
        "stage": "optimize",
        "status": "created",
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
        "zip": None,
    }
    clean = [
        {"key": v["key"], "value": str(v.get("value", "")), "variable_type": v.get("variable_type", "env_var")}
        for v in variables
    ]
    record = {"pipeline": pipeline, "jobs": [job], "variables": clean, "user": user}
    project.pipelines[pid] = record
    return record


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
            "stages": ["optimize"],
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
        "when": "on_success",
        "manual": False,
        "allow_failure": False,
        "user": user,
        "runner": None,
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
    body = {k: v for k, v in job.items() if k not in ("zip", "pipeline_id", "sha")}
    body["pipeline"] = {"id": job["pipeline_id"], "ref": job["ref"], "sha": job["sha"], "status": job["status"]}
    body["commit"] = {"id": job["sha"], "short_id": job["sha"][:8]}
    body["artifacts"] = (
        []
        if job["zip"] is None
        else [{"file_type": "archive", "filename": "artifacts.zip", "size": len(job["zip"]), "file_format": "zip"}]
    )
    return body
