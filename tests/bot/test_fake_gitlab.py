"""The fake GitLab behaves as GitLab's API docs say, for python-gitlab running against it for real."""

from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import Iterator

import gitlab
import pytest

from tests.fakes.gitlab import USES_PERFBOT, FakeGitLab
from tests.fakes.gitlab_api import Project


@pytest.fixture
def fake() -> Iterator[FakeGitLab]:
    with FakeGitLab() as server:
        yield server


@pytest.fixture
def project(fake: FakeGitLab) -> Project:
    bot = fake.add_user("perfbot", token="bot-token")
    project = fake.add_project(
        "acme/stats", files={"src/stats.py": b"x = 1\n", ".gitlab-ci.yml": USES_PERFBOT.encode()}
    )
    fake.add_member(project, bot, 40)
    return project


@pytest.fixture
def api(fake: FakeGitLab, project: Project) -> gitlab.v4.objects.Project:
    return gitlab.Gitlab(fake.url, private_token="bot-token").projects.get(project.id)


def update(path: str, content: bytes) -> dict[str, str]:
    return {"action": "update", "file_path": path, "content": base64.b64encode(content).decode(), "encoding": "base64"}


def test_a_commit_with_start_branch_creates_the_branch_and_leaves_the_start_alone(
    api: gitlab.v4.objects.Project,
) -> None:
    commit = api.commits.create(
        {
            "branch": "perfbot/mean",
            "start_branch": "main",
            "commit_message": "perf: faster",
            "actions": [update("src/stats.py", b"x = 2\n")],
        }
    )

    assert api.branches.get("perfbot/mean").commit["id"] == commit.id
    assert api.files.raw(file_path="src/stats.py", ref="perfbot/mean") == b"x = 2\n"
    assert api.files.raw(file_path="src/stats.py", ref="main") == b"x = 1\n"
    assert api.files.get(file_path="src/stats.py", ref="perfbot/mean").decode() == b"x = 2\n"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"branch": "new", "actions": [update("src/stats.py", b"")]},
            "You can only create or edit files when you are on a branch",
        ),
        (
            {"branch": "new", "start_branch": "main", "actions": [update("nope.py", b"")]},
            "A file with this name doesn't exist",
        ),
        ({"branch": "main", "start_branch": "other", "actions": [update("src/stats.py", b"")]}, "already exists"),
        (
            {
                "branch": "new",
                "start_branch": "main",
                "actions": [{"action": "create", "file_path": "src/stats.py", "content": ""}],
            },
            "A file with this name already exists",
        ),
    ],
)
def test_commits_are_refused_as_gitlab_refuses_them(api: gitlab.v4.objects.Project, data: dict, message: str) -> None:
    with pytest.raises(gitlab.GitlabCreateError) as caught:
        api.commits.create({"commit_message": "m", **data})
    assert (caught.value.response_code, message in str(caught.value.error_message)) == (400, True)


def test_a_second_open_merge_request_for_a_source_branch_is_a_409(api: gitlab.v4.objects.Project) -> None:
    api.branches.create({"branch": "perfbot/x", "ref": "main"})
    mr = api.mergerequests.create(
        {"source_branch": "perfbot/x", "target_branch": "main", "title": "perf", "labels": "perfbot"}
    )

    with pytest.raises(gitlab.GitlabCreateError) as caught:
        api.mergerequests.create({"source_branch": "perfbot/x", "target_branch": "main", "title": "again"})

    assert caught.value.response_code == 409
    assert caught.value.error_message == [
        f"Another open merge request already exists for this source branch: !{mr.iid}"
    ]
    assert [m.iid for m in api.mergerequests.list(source_branch="perfbot/x", state="opened", get_all=True)] == [mr.iid]
    assert mr.labels == ["perfbot"]
    assert "perfbot" in [label.name for label in api.labels.list(get_all=True)]


def test_job_artifacts_download_as_a_zip_after_the_pipeline_finishes(
    fake: FakeGitLab, project: Project, api: gitlab.v4.objects.Project
) -> None:
    pipeline = api.pipelines.create({"ref": "main", "variables": [{"key": "PERFBOT_REQUEST", "value": "r1"}]})
    shard, job = sorted(api.pipelines.get(pipeline.id, lazy=True).jobs.list(get_all=True), key=lambda j: j.id)
    assert (shard.name, job.name) == ("perfbot 1/1", "perfbot-gather")
    with pytest.raises(gitlab.GitlabGetError):
        api.jobs.get(job.id).artifacts()

    hook = fake.finish_pipeline(project, pipeline.id, "success", artifacts={"report.json": b'{"selected": null}'})

    archive = zipfile.ZipFile(io.BytesIO(api.jobs.get(job.id).artifacts()))
    assert archive.read("report.json") == b'{"selected": null}'
    assert (hook["object_attributes"]["status"], hook["builds"][1]["id"]) == ("success", job.id)
    assert hook["object_attributes"]["variables"] == [{"key": "PERFBOT_REQUEST", "value": "r1"}]


def test_pipeline_variables_below_the_projects_minimum_role_are_refused_as_gitlab_refuses_them(
    fake: FakeGitLab, project: Project, api: gitlab.v4.objects.Project
) -> None:
    project.variables_role = "no_one_allowed"  # GitLab.com's default for new projects

    with pytest.raises(gitlab.GitlabCreateError) as caught:
        api.pipelines.create({"ref": "main", "variables": [{"key": "PERFBOT_REQUEST", "value": "r1"}]})

    message = {"base": ["Insufficient permissions to set pipeline variables"]}
    assert (caught.value.response_code, caught.value.error_message) == (400, message)


def test_a_pipeline_on_an_unknown_ref_is_a_400(api: gitlab.v4.objects.Project) -> None:
    with pytest.raises(gitlab.GitlabCreateError) as caught:
        api.pipelines.create({"ref": "nope"})
    assert (caught.value.response_code, caught.value.error_message) == (400, {"base": ["Reference not found"]})


def test_lists_are_paginated_the_way_python_gitlab_follows_them(
    fake: FakeGitLab, project: Project, api: gitlab.v4.objects.Project
) -> None:
    issue = fake.add_issue(project)
    for i in range(45):
        api.issues.get(issue["iid"], lazy=True).notes.create({"body": f"note {i}"})

    notes = api.issues.get(issue["iid"], lazy=True).notes.list(get_all=True, per_page=20)

    assert len(notes) == 45
    assert len(api.issues.get(issue["iid"], lazy=True).notes.list(get_all=False, per_page=20)) == 20


def test_faults_are_injected_and_unexpected_calls_are_recorded(
    fake: FakeGitLab, project: Project, api: gitlab.v4.objects.Project
) -> None:
    fake.fail("GET", r"/repository/branches$", 500, times=1)

    with pytest.raises(gitlab.GitlabListError):
        api.branches.list(get_all=True)
    assert [b.name for b in api.branches.list(get_all=True)] == ["main"]

    with pytest.raises(gitlab.GitlabGetError):
        api.environments.get(1)
    assert fake.unexpected == [f"GET /api/v4/projects/{project.id}/environments/1"]
    fake.unexpected.clear()


def test_a_wrong_token_is_a_401(fake: FakeGitLab, project: Project) -> None:
    with pytest.raises(gitlab.GitlabAuthenticationError):
        gitlab.Gitlab(fake.url, private_token="nope").auth()
