"""`perfbot serve` for real: its acceptor answers, its worker process acts on what was recorded, and both stop
on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.bot.conftest import BOT_TOKEN, WEBHOOK_SECRET, World, fixture
from tests.conftest import ROOT, wait_until


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
            return bool(answer.status == 200)
    except OSError:
        return False


def bot_notes(world: World) -> list[dict[str, object]]:
    notes = world.fake.notes(world.project, "issue", world.issue["iid"])
    return [n for n in notes if n["author"]["username"] == "perfbot"]


def post(port: int, payload: dict[str, object]) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/webhook",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "X-Gitlab-Event": "Note Hook", "X-Gitlab-Token": WEBHOOK_SECRET},
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return int(answer.status)


def test_perfbot_serve_acknowledges_in_one_process_and_acts_in_its_worker_process(world: World, tmp_path: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = os.environ | {
        "PERFBOT_GITLAB_URL": world.fake.url,
        "PERFBOT_GITLAB_TOKEN": BOT_TOKEN,
        "PERFBOT_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "PERFBOT_DB": str(tmp_path / "perfbot.db"),
        "PERFBOT_LISTEN": f"127.0.0.1:{port}",
        "PYTHONPATH": str(ROOT),
    }
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve"], env=env, stdout=log, stderr=log)
    try:
        wait_until(lambda: healthy(port), 60, "perfbot serve to answer /healthz")
        note = world.fake.add_note(world.project, "issue", world.issue["iid"], world.developer, "/optimize")
        payload = fixture("note_issue")
        payload["object_attributes"].update(id=note["id"], note="/optimize")
        payload["user"].update(id=world.developer["id"], username=world.developer["username"])
        payload["project"].update(id=world.project.id, web_url=world.project.web_url, default_branch="main")
        payload["issue"].update(iid=world.issue["iid"], state="opened")

        assert post(port, payload) == 202

        wait_until(lambda: world.fake.pipelines(world.project), 30, "the worker process to start the pipeline")
        wait_until(lambda: bot_notes(world), 30, "the worker process to reply")
    finally:
        server.send_signal(signal.SIGTERM)
        code = server.wait(30)
        log.close()
    assert code == 0, (tmp_path / "serve.log").read_text()
    assert "server.started" in (tmp_path / "serve.log").read_text()
