"""The check that needs the sandbox: do `benchmark.entry` and `benchmark.inputs` import there, as candidate code
runs, with the run's image (its dependencies) and `benchmark.pythonpath`, and does the inputs function give arguments
at the smallest grid point? A named image (`sandbox.image`) is also checked for what perfbot's judge needs."""

from __future__ import annotations

import json
import shlex
from importlib.resources import files
from pathlib import Path

from pipelines.config import Config
from pipelines.layout import import_paths
from pipelines.preflight.findings import Finding, warning
from sandbox.base import Sandbox
from sandbox.factory import SandboxKind, open_sandbox

SCRIPT = "_perfbot_probe.py"
PREFIX = "PERFBOT_PROBE "
IMAGE_PROBE = (
    "test -x /usr/bin/python3 && echo python3 ok; "
    "grep -q '^[^:]*:[^:]*:1000:' /etc/passwd && echo user1000 ok; "
    "command -v git >/dev/null && echo git ok"
)


def probe(repo: Path, config: Config, kind: SandboxKind | None) -> list[Finding]:
    """Findings from a sandbox started like the run's (same image), with `repo` copied in."""
    with open_sandbox(kind, label="perfbot-preflight", image=config.run_image or None) as sandbox:
        found = _image(sandbox, config) if config.sandbox.image and sandbox.isolated else []
        return [*found, *_imports(sandbox, repo, config)]


def _imports(sandbox: Sandbox, repo: Path, config: Config) -> list[Finding]:
    bench = config.benchmark
    spec = {
        "entry": bench.entry,
        "inputs": bench.inputs,
        "params": bench.grid()[0],
        "pythonpath": import_paths(repo, config),
    }
    sandbox.put_dir(repo, "repo")
    sandbox.put_files({SCRIPT: files("pipelines.preflight").joinpath("probe_script.py").read_bytes()})
    command = f"python3 -s -P ../{SCRIPT} {shlex.quote(json.dumps(spec))}"
    result = sandbox.execute(command, timeout=bench.timeout + 60, cwd="repo")
    line = next((ln for ln in reversed(result.output.splitlines()) if ln.startswith(PREFIX)), None)
    if line is None:
        tail = "\n".join(result.output.strip().splitlines()[-8:]) or result.failure or "no output"
        fix = "run the inputs function by hand at the smallest grid point; it must return within benchmark.timeout"
        return [Finding("benchmark.inputs", f"checking the imports in the sandbox failed:\n{tail}", fix)]
    answer = json.loads(line[len(PREFIX) :])
    found = [Finding(f["key"], f["problem"], f["fix"]) for f in answer["problems"]]
    return found + [warning(f["key"], f["problem"], f["fix"]) for f in answer["warnings"]]


def _image(sandbox: Sandbox, config: Config) -> list[Finding]:
    facts = sandbox.execute(IMAGE_PROBE, timeout=30, trusted=True).output
    image = config.sandbox.image
    found = []
    if "python3 ok" not in facts:
        fix = "use an image with Debian's or python.org's python3 there (perfbot's judge runs /usr/bin/python3)"
        found.append(Finding("sandbox.image", f"{image} has no /usr/bin/python3", fix))
    if "user1000 ok" not in facts:
        fix = "add it (`useradd --uid 1000 sandbox`): candidate code runs as user 1000"
        found.append(Finding("sandbox.image", f"{image} has no user 1000", fix))
    if "git ok" not in facts:
        found.append(warning("sandbox.image", f"{image} has no git", "install git for `git diff` in the agents' copy"))
    return found
