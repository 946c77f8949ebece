"""perfbot's CI/CD component, as GitLab (the fake's pipeline creation) reads it: the path docs/ci.md gives resolves
to it, its inputs, which jobs each perfbot variable creates (and that nothing else creates any), and that the
documented snippet keeps a project's own jobs out of perfbot's pipelines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT
from tests.fakes.gitlab import USES_PERFBOT, FakeGitLab
from tests.fakes.gitlab_api import HttpError, Project
from tests.fakes.gitlab_ci_config import NO_JOBS, resolved_jobs

DOCS = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
COMPONENT = files("templates").joinpath("perfbot", "template.yml").read_text("utf-8")
PERFBOT_JOBS = ["perfbot 1/1", "perfbot-gather"]


def documented(first_line: str) -> str:
    """The YAML block of docs/ci.md that starts with the comment `first_line`."""
    blocks = re.findall(r"```yaml\n(.*?)```", DOCS, re.DOTALL)
    [block] = [b for b in blocks if b.splitlines()[0] == first_line]
    return block


@pytest.fixture
def fake() -> Iterator[FakeGitLab]:
    with FakeGitLab() as server:
        yield server


def project_with(fake: FakeGitLab, files: dict[str, str]) -> Project:
    return fake.add_project("acme/stats", files={path: text.encode() for path, text in files.items()})


def jobs(fake: FakeGitLab, project: Project, **variables: str) -> dict[str, dict[str, Any]]:
    """The jobs a pipeline on `main` with `variables` gets (none: GitLab refuses a pipeline without jobs)."""
    with fake.lock:
        commit = project.commits[project.branches["main"]]
        try:
            return resolved_jobs(fake, project, commit, "main", variables)
        except HttpError as e:
            if e.body == {"message": {"base": [NO_JOBS]}}:
                return {}
            raise


def test_the_documented_include_resolves_to_the_component_in_templates_perfbot() -> None:
    assert not (ROOT / "templates" / "perfbot.yml").exists()  # GitLab would take it for the component
    assert (ROOT / "templates" / "perfbot" / "template.yml").is_file()


def test_the_documented_gitlab_com_setup_gives_perfbots_jobs_on_a_privileged_runner(fake: FakeGitLab) -> None:
    project = project_with(fake, {".gitlab-ci.yml": documented("# .gitlab-ci.yml on GitLab.com")})

    found = jobs(fake, project, PERFBOT_REQUEST="r1")

    assert list(found) == PERFBOT_JOBS
    assert found["perfbot 1/1"]["tags"] == ["saas-linux-small-amd64"]
    assert found["perfbot 1/1"]["image"] == "$CI_REGISTRY_IMAGE/perfbot:latest"
    assert found["perfbot-gather"]["script"] == ["perfbot ci --gather"]


def test_the_documented_self_managed_setups_use_their_runner_tag_with_dind_or_the_socket(fake: FakeGitLab) -> None:
    dind = project_with(fake, {".gitlab-ci.yml": documented("# .gitlab-ci.yml on a self-managed instance")})
    socket = fake.add_project(
        "acme/other", files={".gitlab-ci.yml": documented("# .gitlab-ci.yml with the runner's Docker socket").encode()}
    )

    with_dind, with_socket = (jobs(fake, p, PERFBOT_REQUEST="r1")["perfbot 1/1"] for p in (dind, socket))

    assert with_dind["tags"] == with_socket["tags"] == ["perfbot-docker"]
    assert with_dind["services"][0]["name"].endswith("-dind")
    assert "services" not in with_socket and with_socket["variables"]["DOCKER_HOST"] == "unix:///var/run/docker.sock"


def test_the_component_has_no_runner_tag_by_default_and_runs_docker_in_docker_with_tls(fake: FakeGitLab) -> None:
    project = project_with(fake, {".gitlab-ci.yml": USES_PERFBOT})

    shard = jobs(fake, project, PERFBOT_REQUEST="r1")["perfbot 1/1"]

    assert shard["tags"] == []
    assert shard["services"] == [{"name": "docker:24.0.5-dind", "alias": "docker"}]
    tls = {"DOCKER_HOST": "tcp://docker:2376", "DOCKER_TLS_CERTDIR": "/certs", "DOCKER_CERT_PATH": "/certs/client"}
    assert tls.items() <= shard["variables"].items()


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({}, []),
        ({"CI_PIPELINE_SOURCE": "push"}, []),
        ({"CI_PIPELINE_SOURCE": "web"}, []),
        ({"CI_PIPELINE_SOURCE": "schedule", "NIGHTLY": "1"}, []),
        ({"PERFBOT_REQUEST": "r1"}, PERFBOT_JOBS),
        ({"CI_PIPELINE_SOURCE": "web", "PERFBOT_RUN": "optimize"}, PERFBOT_JOBS),
        ({"CI_PIPELINE_SOURCE": "schedule", "PERFBOT_RUN": "scheduled"}, ["perfbot-scheduled"]),
        ({"CI_PIPELINE_SOURCE": "web", "PERFBOT_RUN": "image"}, ["perfbot-image"]),
    ],
)
def test_only_a_perfbot_variable_starts_perfbots_jobs(
    fake: FakeGitLab, variables: dict[str, str], expected: list[str]
) -> None:
    project = project_with(fake, {".gitlab-ci.yml": documented("# .gitlab-ci.yml on GitLab.com")})

    assert list(jobs(fake, project, **variables)) == expected


def test_the_image_job_builds_perfbot_and_pushes_it_where_the_jobs_take_it_from(fake: FakeGitLab) -> None:
    project = project_with(fake, {".gitlab-ci.yml": documented("# .gitlab-ci.yml on GitLab.com")})

    [image] = jobs(fake, project, PERFBOT_RUN="image").values()

    script = "\n".join(image["script"])
    assert image["variables"]["PERFBOT_IMAGE"] == "$CI_REGISTRY_IMAGE/perfbot:latest"
    assert "docker build --target perfbot" in script and 'docker push "$PERFBOT_IMAGE"' in script
    assert "/tools/perfbot.git" in script


def test_the_documented_snippet_keeps_a_projects_own_jobs_out_of_perfbots_pipelines(fake: FakeGitLab) -> None:
    own = documented("# .gitlab/ci/project.yml")
    project = project_with(
        fake, {".gitlab-ci.yml": documented("# .gitlab-ci.yml with your jobs kept out"), ".gitlab/ci/project.yml": own}
    )

    assert list(jobs(fake, project, PERFBOT_REQUEST="r1")) == PERFBOT_JOBS
    assert list(jobs(fake, project, CI_PIPELINE_SOURCE="push")) == list(yaml.safe_load(own))


def test_shards_spread_the_agents_over_parallel_jobs(fake: FakeGitLab) -> None:
    project = project_with(fake, {".gitlab-ci.yml": USES_PERFBOT + "    inputs:\n      shards: 3\n"})

    found = jobs(fake, project, PERFBOT_REQUEST="r1")

    assert list(found) == ["perfbot 1/3", "perfbot 2/3", "perfbot 3/3", "perfbot-gather"]
    assert found["perfbot-gather"]["needs"] == ["perfbot"]
    assert found["perfbot-gather"]["resource_group"] == "perfbot/$CI_COMMIT_REF_SLUG/$PERFBOT_TARGET_SLUG"
    assert "resource_group" not in found["perfbot 1/3"]  # shards run side by side


def test_the_component_declares_typed_described_inputs_with_defaults() -> None:
    inputs = yaml.safe_load(COMPONENT.split("\n---\n", 1)[0])["spec"]["inputs"]

    assert {name for name, entry in inputs.items() if entry.get("type") == "number"} == {"shards", "max_mrs"}
    assert inputs["runner_tags"] == inputs["runner_tags"] | {"type": "array", "default": []}
    assert inputs["docker"]["options"] == ["dind", "socket"]
    assert all("default" in entry for entry in inputs.values())
    documented_inputs = set(re.findall(r"^\| `(\w+)` \|", DOCS, re.MULTILINE))
    assert set(inputs) <= documented_inputs


def test_the_projects_own_ci_lints_types_tests_and_builds_the_image() -> None:
    config = yaml.safe_load((Path(ROOT) / ".gitlab-ci.yml").read_text())
    assert config["stages"] == ["lint", "types", "test", "image"]
    scripts = {
        name: " ".join(job["script"]) for name, job in config.items() if isinstance(job, dict) and "script" in job
    }
    assert "ruff check" in scripts["lint"] and "ruff format --check" in scripts["lint"]
    assert "mypy" in scripts["types"]
    assert "pytest" in scripts["tests"] and "-m docker" in scripts["tests-docker"]
    assert "--target perfbot" in scripts["image"] and "perfbot --help" in scripts["image"]
    assert config["image"]["needs"] == ["wheelhouse"]
