"""The part of GitLab's pipeline creation the fake needs: which jobs a `.gitlab-ci.yml` creates for a pipeline.

It reads the project's `.gitlab-ci.yml` at the pipeline's commit and follows GitLab's `doc/ci/yaml/_index.md`,
`doc/ci/yaml/includes.md`, `doc/ci/inputs/_index.md` and `doc/ci/components/_index.md` for what perfbot's users
write: `include` (`local`, `project`+`file`, `component`, each with `inputs` and `rules:if`), `spec:inputs`
(defaults, `type`, `options`) with `$[[ inputs.x ]]` interpolation, `workflow:rules`, `extends`, job `rules:if` with
`when`, `parallel: N` (jobs `name i/N`). A component `HOST/GROUP/PROJECT/NAME@VERSION` is looked up as GitLab does,
`templates/NAME.yml` first, then `templates/NAME/template.yml`, at the tag or branch VERSION of that project.
Failures are GitLab's messages, answered 400 by `POST /projects/:id/pipeline`.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

from tests.fakes.gitlab_api import HttpError

NOT_JOBS = {"stages", "variables", "default", "include", "workflow", "image", "services", "cache", "before_script",
            "after_script", "spec"}  # fmt: skip
NO_JOBS = (
    "Pipeline will not run for the selected trigger. "
    "The rules configuration prevented any jobs from being added to the pipeline."
)


@dataclass(frozen=True)
class JobSpec:
    name: str
    stage: str
    when: str
    allow_failure: bool


def configured_jobs(
    fake: Any, project: Any, commit: dict[str, Any], ref: str, variables: dict[str, str]
) -> list[JobSpec]:
    """The jobs a pipeline on `ref` at `commit` with `variables` gets, as GitLab creates them."""
    return [
        JobSpec(
            name, str(job.get("stage", "test")), job["when"], bool(job.get("allow_failure", job["when"] == "manual"))
        )
        for name, job in resolved_jobs(fake, project, commit, ref, variables).items()
    ]


def resolved_jobs(
    fake: Any, project: Any, commit: dict[str, Any], ref: str, variables: dict[str, str]
) -> dict[str, dict[str, Any]]:
    """Every job of such a pipeline by name (`name i/N` for a parallel one), `extends` applied, with its `when`."""
    text = commit["tree"].get(".gitlab-ci.yml")
    if text is None:
        raise _error("Missing CI config file")
    env = {
        "CI_PIPELINE_SOURCE": "api",
        "CI_COMMIT_BRANCH": ref,
        "CI_COMMIT_REF_NAME": ref,
        "CI_DEFAULT_BRANCH": project.default_branch,
        "CI_PROJECT_PATH": project.path,
        "CI_SERVER_FQDN": fake.url.split("://", 1)[1],
    } | variables
    config = _load(fake, project, commit, text.decode(), {}, env)
    env = {k: str(v) for k, v in (config.get("variables") or {}).items() if not isinstance(v, dict)} | env
    workflow = (config.get("workflow") or {}).get("rules")
    if workflow is not None and _first_rule(workflow, env) in (None, "never"):
        raise _error("Pipeline filtered out by workflow rules.")
    jobs: dict[str, dict[str, Any]] = {}
    for name, job in config.items():
        if name in NOT_JOBS or name.startswith(".") or not isinstance(job, dict):
            continue
        job = _extended(config, job)
        when = _first_rule(job["rules"], env) if "rules" in job else job.get("when", "on_success")
        if when in (None, "never"):
            continue
        count = int(job.get("parallel", 0) or 0)
        for each in [f"{name} {i}/{count}" for i in range(1, count + 1)] if count else [name]:
            jobs[each] = job | {"when": str(when)}
    if not jobs:
        raise _error(NO_JOBS)
    return jobs


def _load(
    fake: Any, project: Any, commit: dict[str, Any], text: str, inputs: dict[str, Any], env: dict[str, str]
) -> dict:
    """One configuration file with its includes merged in (the including file's keys win, hashes deep-merged)."""
    documents = text.split("\n---\n", 1)
    if len(documents) == 2:
        spec = (_yaml(documents[0]) or {}).get("spec", {})
        text = _interpolate(documents[1], _inputs(spec.get("inputs", {}), inputs))
    elif inputs:
        raise _error(f"Given inputs not defined in the `spec` section of the included configuration file: {inputs}")
    own = _yaml(text) or {}
    merged: dict[str, Any] = {}
    includes = own.get("include", [])
    for item in includes if isinstance(includes, list) else [includes]:
        entry = {"local": item} if isinstance(item, str) else item
        if "rules" in entry and _first_rule(entry["rules"], env) in (None, "never"):
            continue
        source_project, source_commit, path = _locate(fake, project, commit, entry, env)
        body = source_commit["tree"].get(path)
        if body is None:
            raise _error(f"Local file `{path}` does not exist!")
        merged = _merge(merged, _load(fake, source_project, source_commit, body.decode(), entry.get("inputs", {}), env))
    return _merge(merged, {k: v for k, v in own.items() if k != "include"})


def _locate(fake: Any, project: Any, commit: dict[str, Any], entry: dict[str, Any], env: dict[str, str]) -> tuple:
    if "local" in entry:
        return project, commit, str(entry["local"]).lstrip("/")
    if "project" in entry:
        other = fake.project(entry["project"])
        return other, _at(other, entry.get("ref", other.default_branch)), str(entry["file"]).lstrip("/")
    reference = _expand(str(entry["component"]), env)
    match = re.fullmatch(r"([^/]+)/(.+)/([^/@]+)@(.+)", reference)
    if match is None or match[1] != env["CI_SERVER_FQDN"]:
        raise _error(f"component '{reference}' - content not found")
    other = fake.project(match[2])
    tagged = _at(other, match[4])
    for path in (f"templates/{match[3]}.yml", f"templates/{match[3]}/template.yml"):
        if path in tagged["tree"]:
            return other, tagged, path
    raise _error(f"component '{reference}' - content not found")


def _at(project: Any, ref: str) -> dict[str, Any]:
    commit = project.tags.get(ref) or project.branches.get(ref)
    if commit is None:
        raise _error(f"Reference not found: {ref}")
    return project.commits[commit]


def _inputs(spec: dict[str, Any], given: dict[str, Any]) -> dict[str, Any]:
    unknown = set(given) - set(spec)
    if unknown:
        raise _error(f"unknown input name provided: `{sorted(unknown)[0]}`")
    values = {}
    for name, entry in spec.items():
        entry = entry or {}
        if name not in given and "default" not in entry:
            raise _error(f"`{name}` input: required value has not been provided")
        value = given.get(name, entry.get("default"))
        kind = entry.get("type", "string")
        types = {"string": str, "number": (int, float), "boolean": bool, "array": list}
        if not isinstance(value, types[kind]) or (kind == "number" and isinstance(value, bool)):
            raise _error(f"`{name}` input: provided value is not a {kind}")
        if "options" in entry and value not in entry["options"]:
            raise _error(f"`{name}` input: `{value}` cannot be used because it is not in the list of allowed options")
        values[name] = value
    return values


def _interpolate(text: str, values: dict[str, Any]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match[1]
        if name not in values:
            raise _error(f"unknown interpolation key: `{name}`")
        found = values[name]
        return found if isinstance(found, str) else json.dumps(found)

    return re.sub(r"\$\[\[\s*inputs\.([\w-]+)\s*\]\]", value, text)


def _extended(config: dict[str, Any], job: dict[str, Any]) -> dict[str, Any]:
    parents = job.get("extends", [])
    result: dict[str, Any] = {}
    for parent in [parents] if isinstance(parents, str) else parents:
        if parent not in config:
            raise _error(f"job: unknown key in `extends` ({parent})")
        result = _merge(result, _extended(config, config[parent]))
    return _merge(result, {k: v for k, v in job.items() if k != "extends"})


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _first_rule(rules: list[dict[str, Any]], env: dict[str, str]) -> str | None:
    """The `when` of the first rule whose `if` holds (a rule without `if` always holds); None if none does."""
    for rule in rules:
        if "if" not in rule or evaluate(rule["if"], env):
            return str(rule.get("when", "on_success"))
    return None


def evaluate(expression: str, env: dict[str, str]) -> bool:
    """A CI/CD variable expression (`doc/ci/jobs/job_rules.md`): `$VAR`, `==`, `!=`, `null`, quoted strings,
    `&&` (binding tighter than `||`) and parentheses."""
    tokens = re.findall(r'\$\w+|"[^"]*"|\'[^\']*\'|==|!=|&&|\|\||\(|\)|null', expression)
    position = 0

    def take() -> str:
        nonlocal position
        position += 1
        return tokens[position - 1]

    def operand(token: str) -> str | None:
        if token.startswith("$"):
            return env.get(token[1:])
        return None if token == "null" else token[1:-1]

    def atom() -> bool:
        token = take()
        if token == "(":
            value = either()
            take()
            return value
        left = operand(token)
        if position < len(tokens) and tokens[position] in ("==", "!="):
            negate = take() == "!="
            return (left == operand(take())) != negate
        return bool(left)

    def both() -> bool:
        value = atom()
        while position < len(tokens) and tokens[position] == "&&":
            take()
            value = atom() and value
        return value

    def either() -> bool:
        value = both()
        while position < len(tokens) and tokens[position] == "||":
            take()
            value = both() or value
        return value

    return either()


def _expand(text: str, env: dict[str, str]) -> str:
    return re.sub(r"\$(\w+)", lambda m: env.get(m[1], ""), text)


@functools.lru_cache(maxsize=256)
def _yaml(text: str) -> Any:
    """Parsed once per text: every pipeline of a test reads the same few files (nothing here mutates the result)."""
    return yaml.safe_load(text)


def _error(message: str) -> HttpError:
    return HttpError(400, {"message": {"base": [message]}})
