"""`perfbot optimize` stopped by SIGTERM (a cancelled CI job) or SIGINT (Ctrl-C): a real process, the Docker sandbox.

The agent's candidate is accepted, then the agent starts a long command; the signal comes as soon as the trace shows
the accepted candidate. The run must end within seconds with a report holding that candidate, its branch, and no
container or volume of it left on the engine.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import docker
import jsonschema
import pytest
import yaml

from sandbox.reaper import MANAGED, OWNER
from tests.conftest import ROOT, git, needs_docker, seconds_to_exit, wait_until
from tests.pipelines.sessions import ACCEPTED_THEN_A_LONG_COMMAND, accepted, branches

pytestmark = needs_docker()

EXIT_WITHIN_S = 10.0
SCHEMA = json.loads((ROOT / "templates" / "report.schema.json").read_text())


def leftovers(client: docker.DockerClient, pid: int) -> list[str]:
    """Names of the containers and volumes the perfbot process `pid` created that still exist."""
    mine = f"/{pid}/"
    selector = {"label": f"{MANAGED}=1"}
    containers = client.containers.list(all=True, filters=selector, ignore_removed=True)
    volumes = client.volumes.list(filters=selector)
    found = [(c.name, c.labels) for c in containers] + [(v.name, v.attrs.get("Labels") or {}) for v in volumes]
    return [name for name, labels in found if mine in labels.get(OWNER, "")]


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)], ids=["SIGTERM", "SIGINT"])
def test_a_signal_after_the_first_accepted_candidate_ends_the_run_in_seconds_with_its_report_and_branch(
    example_repo: Callable[[str], Path],
    small_config: Callable[..., Path],
    script: Callable[..., str],
    tmp_path: Path,
    signum: signal.Signals,
    code: int,
) -> None:
    repo = example_repo("closest-pair")
    head = git(repo, "rev-parse", "HEAD").strip()
    out = tmp_path / "out"
    config = small_config(repo)
    raw = yaml.safe_load(config.read_text())
    raw["benchmark"]["params"] = {"n": [400], "d": [2]}  # one grid point: the signal is what is tested
    config.write_text(yaml.safe_dump(raw))
    command = [sys.executable, "-m", "bot.cli", "optimize", str(repo), "--config", str(config)]
    command += ["--model", script(ACCEPTED_THEN_A_LONG_COMMAND), "--out", str(out)]
    env = {k: v for k, v in os.environ.items() if k != "PERFBOT_BENCH_CPUS"}
    log = tmp_path / "stderr.txt"
    with log.open("w") as stderr_file, subprocess.Popen(command, cwd=ROOT, env=env, stderr=stderr_file) as run:
        try:
            wait_until(lambda: accepted(out / "trace.jsonl") or run.poll() is not None, 240, "an accepted candidate")
            assert run.poll() is None, f"the run ended before the signal: {log.read_text()[-3000:]}"
            assert json.loads((out / "report.json").read_text())["status"] == "running"
            took = seconds_to_exit(run, signum)
        finally:
            if run.poll() is None:
                run.kill()
    stderr = log.read_text()
    assert took < EXIT_WITHIN_S, f"exited {took:.1f} s after {signum.name}"
    assert run.returncode == code, stderr[-3000:]
    report = json.loads((out / "report.json").read_text())
    [first] = accepted(out / "trace.jsonl")
    jsonschema.validate(report, SCHEMA)
    assert report["error"]["stage"] == "interrupted"
    assert signum.name in report["error"]["message"]
    assert first["candidate"] in [c["id"] for c in report["candidates"]]
    assert report["selected"] == first["candidate"]
    assert branches(repo) == ["perfbot/closest-pair-distance"]
    assert git(repo, "rev-parse", "perfbot/closest-pair-distance~1").strip() == head
    assert report["extra"]["branch"] == "perfbot/closest-pair-distance"
    assert "interrupted" in (out / "report.md").read_text()
    assert [a["reason"] for a in report["agents"]] in ([], ["interrupted"])
    assert leftovers(docker.from_env(), run.pid) == []
    assert "Traceback" not in stderr
    assert f"interrupted by {signum.name}" in stderr
