"""The command adapter: run any CLI agent inside a sandbox on a copy of a task, and collect what it changed.

The sandbox workspace holds `repo/` (the task's repo, committed once with git so agents that expect a git
checkout find one), `.bench/prompt.md` (the rendered prompt) and, when the contestant names an `agent_dir`,
`.bench/agent/` (helper files copied from the host). The command runs in `repo/` with the sandbox's scrubbed
environment plus the contestant's `env` and the host variables it names in `pass_env`; nothing else of the host
environment goes in. Only changes to the task's target files count; other changes (and deleted target files) are
reported in `outside_target` and dropped.
"""

from __future__ import annotations

import os
import posixpath
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.bench.adapters import DEFAULT_PROMPT, read_usage
from pipelines.bench.contestants import CommandContestant
from pipelines.bench.suite import Task
from pipelines.edit.workspace import Workspace
from pipelines.errors import ConfigError
from pipelines.trace import secret_values
from sandbox.base import Sandbox
from sandbox.factory import SandboxKind
from sandbox.local import LocalSandbox

PROMPT_FILE = ".bench/prompt.md"
AGENT_DIR = ".bench/agent"
_GIT_INIT = (
    "git init -q && git add -A && git -c user.name=perfbot -c user.email=perfbot@localhost "
    "commit -qm 'the task as given' --no-verify"
)
_PLACEHOLDER = re.compile(r"\{(prompt_file|files|model|model_flag|steps|max_cost_usd|agent_dir|workspace|args)\}")
_PROMPT_PLACEHOLDER = re.compile(r"\{(description|files|entry|tests)\}")


@dataclass
class AgentRun:
    output: str
    returncode: int
    timed_out: bool
    files: dict[str, str]
    """Target files the agent changed: repo-relative path -> new text."""
    outside_target: list[str] = field(default_factory=list)
    usage: dict[str, Any] = field(default_factory=dict)


def run_agent_command(task: Task, contestant: CommandContestant, kind: SandboxKind | None) -> AgentRun:
    env = {**contestant.env, **_passed_env(contestant)}
    with _agent_sandbox(kind, contestant, task.name) as sandbox:
        sandbox.put_dir(task.repo, "repo")
        setup = sandbox.execute(_GIT_INIT, 120, cwd="repo")
        if setup.returncode != 0:
            raise RuntimeError(f"preparing the task's git checkout failed: {setup.output.strip()[-500:]}")
        if contestant.agent_dir:
            sandbox.put_dir(_existing_dir(contestant.agent_dir, contestant.name), AGENT_DIR)
        workspace = Workspace(sandbox, root="repo", target_globs=task.config.target.files)
        targets = workspace.target_paths()
        sandbox.put_files({PROMPT_FILE: render_prompt(task, contestant, targets).encode("utf-8")})
        before = workspace.snapshot()
        command = render_command(contestant, sandbox.workspace, targets)
        result = sandbox.execute(command, contestant.timeout, cwd="repo", env=env)
        after = workspace.snapshot()
        changed = sorted(p for p in after if workspace.is_target(p) and before.get(p) != after[p])
        files = {p: text for p in changed if (text := workspace.read_text(p)) != _original(task, p)}
        outside = sorted(
            p
            for p in set(before) | set(after)
            if before.get(p) != after.get(p) and not workspace.is_target(p) and not p.startswith(".")
        )
        outside += [f"{p} (deleted)" for p in targets if p not in after]
    output = redact(result.output, list(env.values()))
    return AgentRun(
        output=output,
        returncode=result.returncode,
        timed_out=result.timed_out,
        files=files,
        outside_target=outside,
        usage=read_usage(contestant.usage, output),
    )


def render_prompt(task: Task, contestant: CommandContestant, targets: list[str]) -> str:
    values = {
        "description": task.description or f"speed up {task.config.benchmark.entry}",
        "files": ", ".join(targets),
        "entry": task.config.benchmark.entry,
        "tests": task.config.tests.command,
    }
    template = contestant.prompt or DEFAULT_PROMPT
    return _PROMPT_PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def render_command(contestant: CommandContestant, workspace: str, targets: list[str]) -> str:
    """The contestant's command with its placeholders filled in (shell-quoted); other braces are left alone."""
    values = {
        "prompt_file": shlex.quote(posixpath.join(workspace, PROMPT_FILE)),
        "files": " ".join(shlex.quote(t) for t in targets),
        "model": shlex.quote(contestant.model) if contestant.model else "",
        "model_flag": f"--model {shlex.quote(contestant.model)}" if contestant.model else "",
        "steps": str(contestant.steps),
        "max_cost_usd": str(contestant.max_cost_usd),
        "agent_dir": shlex.quote(posixpath.join(workspace, AGENT_DIR)),
        "workspace": shlex.quote(workspace),
        "args": contestant.args,
    }
    script = f"{contestant.before}\n{contestant.command}" if contestant.before else contestant.command
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], script)


def redact(text: str, extra: list[str]) -> str:
    for secret in sorted({*secret_values(), *(v for v in extra if len(v) >= 8)}, key=len, reverse=True):
        text = text.replace(secret, "[redacted]")
    return text


def _passed_env(contestant: CommandContestant) -> dict[str, str]:
    missing = [name for name in contestant.pass_env if name not in os.environ]
    if missing:
        raise ConfigError(f"contestant {contestant.name}: pass_env names unset variable(s) {missing}")
    return {name: os.environ[name] for name in contestant.pass_env}


def _agent_sandbox(kind: SandboxKind | None, contestant: CommandContestant, task: str) -> Sandbox:
    label = f"bench-{contestant.name}-{task}"
    sandbox: Sandbox
    if kind == "local":
        sandbox = LocalSandbox(label=label)
    else:
        from sandbox.docker import DockerSandbox

        sandbox = DockerSandbox(label=label, image=contestant.image, network=contestant.network)
    sandbox.start()
    return sandbox


def _original(task: Task, rel: str) -> str | None:
    path = task.repo / rel
    return path.read_text(encoding="utf-8") if path.is_file() else None


def _existing_dir(path: str, name: str) -> Path:
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise ConfigError(f"contestant {name}: agent_dir {path} is not a folder")
    return folder
