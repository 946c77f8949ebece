"""The customer CI template and the project's own .gitlab-ci.yml: valid YAML with the documented keys."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import ROOT

TEMPLATE = files("templates").joinpath("ci", "perfbot.gitlab-ci.yml").read_text("utf-8")
DOCUMENTED_INPUTS = {"image", "stage", "shards", "timeout", "sandbox_base", "max_mrs", "expire_in", "runner_tag"}


def interpolated(text: str, **inputs: Any) -> dict[str, Any]:
    """The jobs as GitLab sees them after `$[[ inputs.x ]]` interpolation (defaults unless given)."""
    header, jobs = text.split("\n---\n", 1)
    spec = yaml.safe_load(header)["spec"]["inputs"]
    values = {name: inputs.get(name, entry.get("default")) for name, entry in spec.items()}
    unknown = set(re.findall(r"\$\[\[ inputs\.(\w+) \]\]", jobs)) - set(values)
    assert not unknown, f"the jobs use undeclared inputs {unknown}"
    body = re.sub(r"\$\[\[ inputs\.(\w+) \]\]", lambda m: str(values[m[1]]), jobs)
    parsed: dict[str, Any] = yaml.safe_load(body)
    return parsed


def test_the_template_declares_its_inputs_with_defaults_and_descriptions() -> None:
    header = yaml.safe_load(TEMPLATE.split("\n---\n", 1)[0])
    inputs = header["spec"]["inputs"]
    assert set(inputs) == DOCUMENTED_INPUTS
    assert all("default" in entry for entry in inputs.values())
    assert {name for name, entry in inputs.items() if entry.get("type") == "number"} == {"shards", "max_mrs"}


def test_the_template_has_sharded_gather_and_scheduled_jobs_with_the_documented_keys() -> None:
    jobs = interpolated(TEMPLATE, shards=3)
    base = jobs[".perfbot"]
    assert base["interruptible"] is True and base["timeout"] == "2h"
    assert "resource_group" not in base and "resource_group" not in jobs["perfbot"]  # shards run side by side
    assert jobs["perfbot-gather"]["resource_group"] == "perfbot/$CI_COMMIT_REF_SLUG/$PERFBOT_TARGET_SLUG"
    assert jobs["perfbot-scheduled"]["resource_group"] == "perfbot/$CI_COMMIT_REF_SLUG/scheduled"
    assert base["artifacts"]["paths"] == [".perfbot/ci/"] and base["artifacts"]["when"] == "always"
    assert base["artifacts"]["expire_in"] == "30 days"
    assert base["services"][0]["name"].startswith("docker:") and base["services"][0]["name"].endswith("-dind")
    assert base["variables"]["DOCKER_HOST"] == "tcp://docker:2376"
    assert jobs["perfbot"]["parallel"] == 3
    assert jobs["perfbot"]["script"] == ['perfbot ci --shard "${CI_NODE_INDEX:-1}/${CI_NODE_TOTAL:-1}"']
    assert jobs["perfbot-gather"]["needs"] == ["perfbot"] and jobs["perfbot-gather"]["script"] == [
        "perfbot ci --gather"
    ]
    assert jobs["perfbot-scheduled"]["script"] == ["perfbot ci --scheduled"]
    assert jobs["perfbot-scheduled"]["variables"]["PERFBOT_MAX_MRS"] == "2"
    for name in ("perfbot", "perfbot-gather", "perfbot-scheduled"):
        assert jobs[name]["extends"] == ".perfbot"


def test_the_template_runs_for_bot_requests_schedules_and_manual_runs_only() -> None:
    jobs = interpolated(TEMPLATE)
    conditions = [rule["if"] for rule in jobs["perfbot"]["rules"]]
    assert "$PERFBOT_REQUEST" in conditions
    assert '$CI_PIPELINE_SOURCE == "web"' in conditions
    assert '$CI_PIPELINE_SOURCE == "schedule"' in conditions
    assert jobs["perfbot"]["rules"][0]["when"] == "never"  # a bare schedule is the scheduled job's
    assert [rule["if"] for rule in jobs["perfbot-scheduled"]["rules"]] == [jobs["perfbot"]["rules"][0]["if"]]
    assert jobs["perfbot"]["rules"] == jobs["perfbot-gather"]["rules"]


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
