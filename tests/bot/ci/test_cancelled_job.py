"""A `perfbot ci` job that GitLab cancels or times out (SIGTERM): its artifacts hold what was measured until then.

A real process with the local sandbox; the agent's candidate is accepted, then it starts a long command, and SIGTERM
comes as soon as the trace shows the accepted candidate.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import yaml

from tests.bot.ci.conftest import make_repo
from tests.conftest import EXAMPLES, ROOT, seconds_to_exit, wait_until
from tests.pipelines.sessions import ACCEPTED_THEN_A_LONG_COMMAND, accepted


def test_a_cancelled_shard_keeps_a_report_of_the_accepted_candidate_and_exits_as_terminated(tmp_path: Path) -> None:
    script = tmp_path / "script.yaml"
    script.write_text(yaml.safe_dump(ACCEPTED_THEN_A_LONG_COMMAND, sort_keys=False))
    one_point = {"n": [400], "d": [2]}  # the signal is what is tested
    repo = make_repo(tmp_path, EXAMPLES / "closest-pair", f"scripted:{script}", one_point, steps=12)
    out = repo / ".perfbot" / "ci"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CI_", "PERFBOT_", "GITLAB_"))}
    env["PERFBOT_REQUEST"] = "req0123456789abcdef"
    command = [sys.executable, "-m", "bot.cli", "ci", str(repo), "--sandbox", "local", "--shard", "1/1"]
    log = tmp_path / "stderr.txt"
    with log.open("w") as stderr, subprocess.Popen(command, cwd=ROOT, env=env, stderr=stderr) as job:
        try:
            trace = out / "shard-1" / "trace.jsonl"
            wait_until(lambda: accepted(trace) or job.poll() is not None, 240, "an accepted candidate")
            assert job.poll() is None, f"the job ended before it was cancelled: {log.read_text()[-3000:]}"
            took = seconds_to_exit(job, signal.SIGTERM)
        finally:
            if job.poll() is None:
                job.kill()
    assert took < 10
    assert job.returncode == 143, log.read_text()[-3000:]
    report = json.loads((out / "shard-1" / "report.json").read_text())
    [first] = accepted(out / "shard-1" / "trace.jsonl")
    assert report["error"]["stage"] == "interrupted" and report["error"]["signal"] == "SIGTERM"
    assert report["selected"] == first["candidate"]
    assert "Traceback" not in log.read_text()


def test_every_perfbot_job_of_the_ci_template_keeps_its_artifacts_when_cancelled_or_timed_out() -> None:
    text = (ROOT / "templates" / "perfbot" / "template.yml").read_text()
    _spec, jobs = yaml.safe_load_all(text.replace("$[[", "__[[").replace("]]", "]]__"))
    base = jobs[".perfbot"]
    assert base["artifacts"]["when"] == "always"
    assert base["interruptible"] is True
    assert ".perfbot/ci/" in base["artifacts"]["paths"]
    running = [name for name, job in jobs.items() if job.get("extends") == ".perfbot"]
    assert sorted(running) == ["perfbot", "perfbot-gather", "perfbot-scheduled"]
    assert all("artifacts" not in jobs[name] for name in running)  # none overrides what it inherits
