"""`perfbot doctor`: what this machine has and lacks for a run, each with the way to fix it.

Checks, in order: the Docker Engine is reachable; the sandbox image is present and up to date; isolation holds in
a real sandbox (no network interface but `lo`, a read-only root, not root) — the probe only reads /sys and /proc
and sends no traffic anywhere; then the repository's config, with every check `optimize` runs before it starts
(pipelines/preflight/: the files it names, the model, its key and budget, the dependency image, the imports in the
sandbox). Exit 0 when everything is there, 2 when the config has a problem, 1 when only this machine has one.
`--json` prints the checks as JSON on stdout.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

from pipelines.commands.doctor_repo import Check, repo_checks
from pipelines.commands.output import add_json_argument, print_json
from pipelines.config import DEFAULT_MODEL
from sandbox.base import Sandbox, SandboxError

ISOLATION_PROBE = (
    "echo ifaces $(ls /sys/class/net); "
    "echo netdev $(tail -n +3 /proc/net/dev | cut -d: -f1); "
    "echo uid $(id -u); "
    "if touch /perfbot-probe 2>/dev/null; then echo root writable; else echo root read-only; fi"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("repo", nargs="?", type=Path, default=Path("."), help="the repository (default: .)")
    parser.add_argument("--model", help=f"model to check (default: .perfbot.yml's, else {DEFAULT_MODEL})")
    parser.add_argument("--sandbox", choices=["docker", "local"], default="docker", help="the backend you will use")
    parser.add_argument("--config", type=Path, help="config file (default: REPO/.perfbot.yml or [tool.perfbot])")
    add_json_argument(parser)


def run(args: argparse.Namespace) -> int:
    say = (lambda text: print(text, file=sys.stderr)) if args.json else print
    machine = docker_checks(needed=args.sandbox == "docker")
    config = repo_checks(args.repo.resolve(), args, say)
    return report([*machine, *(config or [key_check(_model(args))])], say=say, as_json=args.json)


def report(checks: list[Check], *, say: Callable[[str], None] = print, as_json: bool = False) -> int:
    """Say one line per check and a verdict; the exit code: 2 when a check of the config failed, 1 when another
    needed check did, else 0. `as_json` also prints the checks as JSON on stdout."""
    for check in checks:
        mark = "ok  " if check.ok else ("FAIL" if check.needed else "warn")
        say(f"[{mark}] {check.name}: {check.detail}")
    failed = [c for c in checks if c.needed and not c.ok]
    code = 2 if any(c.config for c in failed) else 1 if failed else 0
    say("everything needed is there" if not failed else f"{len(failed)} problem(s): see FAIL above")
    if as_json:
        print_json({"ok": not failed, "exit_code": code, "checks": [asdict(c) for c in checks]})
    return code


def docker_checks(*, needed: bool = True) -> list[Check]:
    """Engine, image, isolation; each later check is skipped (and failed) when an earlier one fails."""
    from sandbox.docker import DockerSandbox, connect
    from sandbox.images import image_exists, is_stale, sandbox_image_name

    try:
        client = connect(timeout=20)
    except SandboxError as e:
        return [Check("docker engine", False, str(e), needed)]
    version = client.version().get("Version", "?")
    checks = [Check("docker engine", True, f"Docker Engine {version} reachable", needed)]
    image = sandbox_image_name()
    if not image_exists(client, image):
        fix = "build it with `perfbot sandbox build` (offline, from Debian packages)"
        return [*checks, Check("sandbox image", False, f"{image} is missing: {fix}", needed)]
    stale = is_stale(client, image)
    note = "present, but older than the Dockerfile or its base: run `perfbot sandbox build`" if stale else "present"
    checks.append(Check("sandbox image", True, f"{image} {note}", needed))
    return [*checks, isolation_check(DockerSandbox(label="doctor", client=client), needed)]


def key_check(model: str) -> Check:
    provider = model.partition(":")[0]
    if provider == "anthropic":
        present = bool(os.environ.get("ANTHROPIC_API_KEY"))
        detail = "ANTHROPIC_API_KEY is set (not shown)" if present else "ANTHROPIC_API_KEY is not set: export it"
        return Check(f"API key for {model}", present, detail)
    if provider == "openai":
        present = bool(os.environ.get("OPENAI_API_KEY") or os.environ.get("OPENAI_BASE_URL"))
        detail = "OPENAI_BASE_URL/OPENAI_API_KEY set (not shown)" if present else "set OPENAI_BASE_URL (and a key)"
        return Check(f"API for {model}", present, detail)
    return Check(f"API key for {model}", True, "a scripted model needs no key")


def isolation_check(sandbox: Sandbox, needed: bool = True) -> Check:
    """Start `sandbox`, probe it (reads /sys and /proc only; no traffic), close it."""
    try:
        with sandbox:
            result = sandbox.execute(ISOLATION_PROBE, timeout=30)
    except SandboxError as e:
        return Check("isolation", False, f"cannot start a sandbox: {e}", needed)
    facts = dict(line.split(" ", 1) for line in result.output.splitlines() if " " in line)
    problems = []
    if facts.get("ifaces", "").split() != ["lo"] or facts.get("netdev", "").split() != ["lo"]:
        problems.append(f"network interfaces {facts.get('ifaces', '?')!r} (expected only lo)")
    if facts.get("uid") == "0":
        problems.append("commands run as root")
    if facts.get("root") != "read-only":
        problems.append("the root filesystem is writable")
    if problems or not result.ok:
        return Check("isolation", False, "; ".join(problems) or f"the probe failed: {result.output[-300:]}", needed)
    return Check("isolation", True, "no network (only lo), read-only root, non-root user", needed)


def _model(args: argparse.Namespace) -> str:
    if args.model:
        return str(args.model)
    try:
        from pipelines.config import load_config

        return load_config(Path.cwd(), args.config).agent.model
    except Exception:  # no or bad config here: the doctor still reports the rest
        return DEFAULT_MODEL
