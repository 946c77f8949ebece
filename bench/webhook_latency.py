"""Webhook acknowledgement latency and throughput of `perfbot serve`, beside a bare aiohttp handler.

    .venv/bin/python bench/webhook_latency.py [--requests 1000] [--rate 200] [--burst 1000] [--concurrency 32]

Three programs on loopback: the fake GitLab, the server under test (`perfbot serve` itself, as a subprocess: its
acceptor and its worker process), and this load generator. Phase 1 sends
`--requests` deliveries open-loop at `--rate` per second (latency is measured from each request's *scheduled*
send time, so a stalled server cannot hide its queue); phase 2 sends `--burst` deliveries from `--concurrency`
clients as fast as they are answered (throughput). The mix is realistic: 70% comments without a command
(ignored), 20% `/optimize` comments (each must become exactly one pipeline and one reply), 10% re-deliveries of
earlier `/optimize` comments (must change nothing). Afterwards the bench waits for the bot's worker, then checks
through the GitLab API that nothing was lost and nothing duplicated. Bounded: it stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import gitlab  # noqa: E402
from aiohttp import web  # noqa: E402

TOKEN, SECRET = "bench-bot-token", "bench-webhook-secret"


def fake_gitlab_process(conn: Connection, issues: int) -> None:
    from tests.fakes.gitlab import FakeGitLab

    with FakeGitLab() as fake:
        bot = fake.add_user("perfbot", token=TOKEN)
        dev = fake.add_user("dana")
        project = fake.add_project("acme/stats")
        fake.add_member(project, bot, 30)
        project.mergers.add(bot["id"])
        fake.add_member(project, dev, 30)
        targets = []
        for _ in range(issues):
            issue = fake.add_issue(project)
            note = fake.add_note(project, "issue", issue["iid"], dev, "/optimize")
            targets.append((issue["iid"], note["id"]))
        conn.send({"url": fake.url, "project": project.id, "web_url": project.web_url, "dev": dev, "targets": targets})
        conn.recv()


def bare_process(conn: Connection) -> None:
    """The baseline: an aiohttp handler that reads the body and answers 202, nothing else."""

    async def main() -> None:
        app = web.Application()

        async def handler(request: web.Request) -> web.Response:
            await request.read()
            return web.json_response({"status": "accepted"}, status=202)

        app.router.add_post("/webhook", handler)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        conn.send(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        await asyncio.get_running_loop().run_in_executor(None, conn.recv)
        await runner.cleanup()

    asyncio.run(main())


def start_serve(gitlab_url: str, db: str) -> tuple[subprocess.Popen[bytes], int]:
    """`perfbot serve` against the fake GitLab, once its /healthz answers 200; (the process, its port)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = os.environ | {
        "PERFBOT_GITLAB_URL": gitlab_url,
        "PERFBOT_GITLAB_TOKEN": TOKEN,
        "PERFBOT_WEBHOOK_SECRET": SECRET,
        "PERFBOT_DB": db,
        "PERFBOT_LISTEN": f"127.0.0.1:{port}",
        "PERFBOT_MAX_RUNS_PER_PROJECT": "100",
        "PYTHONPATH": str(ROOT),
    }
    log = open(Path(db).with_suffix(".log"), "wb")  # noqa: SIM115 - the server writes to it until stop_serve
    server = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve"], env=env, stdout=log, stderr=log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as answer:
                if answer.status == 200:
                    return server, port
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"perfbot serve did not start; see {log.name}")


def stop_serve(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()


def deliveries(world: dict[str, Any], count: int, rng: random.Random, used: list[int]) -> list[tuple[str, bytes]]:
    """(Idempotency-Key, body) pairs in the realistic mix; `used` tracks which command notes were sent."""
    template = json.loads((ROOT / "tests/fixtures/gitlab/note_issue.json").read_text())
    template["project"].update(id=world["project"], web_url=world["web_url"], default_branch="main")
    template["project_id"] = world["project"]
    template["user"].update(id=world["dev"]["id"], username=world["dev"]["username"])
    sent: dict[int, tuple[str, bytes]] = {}
    out = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.1 and sent:
            out.append(sent[rng.choice(list(sent))])
            continue
        payload = json.loads(json.dumps(template))
        if roll < 0.1 + world["commands"] and len(used) < len(world["targets"]):
            iid, note_id = world["targets"][len(used)]
            used.append(iid)
            payload["object_attributes"].update(id=note_id, note="/optimize")
            payload["issue"].update(iid=iid, state="opened")
            sent[iid] = (str(uuid.uuid4()), json.dumps(payload).encode())
            out.append(sent[iid])
            continue
        payload["object_attributes"].update(id=rng.randrange(10**6, 10**7), note="LGTM, thanks!")
        out.append((str(uuid.uuid4()), json.dumps(payload).encode()))
    return out


async def send(session: aiohttp.ClientSession, url: str, key: str, body: bytes) -> int:
    headers = {
        "Content-Type": "application/json",
        "X-Gitlab-Event": "Note Hook",
        "X-Gitlab-Token": SECRET,
        "Idempotency-Key": key,
    }
    async with session.post(url, data=body, headers=headers) as response:
        await response.read()
        return response.status


async def open_loop(url: str, items: list[tuple[str, bytes]], rate: float) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: list[int] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        start = time.perf_counter() + 0.05

        async def one(i: int, key: str, body: bytes) -> None:
            scheduled = start + i / rate
            await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
            statuses.append(await send(session, url, key, body))
            latencies.append(time.perf_counter() - scheduled)

        await asyncio.gather(*(one(i, key, body) for i, (key, body) in enumerate(items)))
        elapsed = time.perf_counter() - start
    return summary(latencies, statuses, elapsed)


async def closed_loop(url: str, items: list[tuple[str, bytes]], concurrency: int) -> dict[str, Any]:
    latencies: list[float] = []
    statuses: list[int] = []
    queue = list(reversed(items))
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:

        async def client() -> None:
            while queue:
                key, body = queue.pop()
                begun = time.perf_counter()
                statuses.append(await send(session, url, key, body))
                latencies.append(time.perf_counter() - begun)

        start = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return summary(latencies, statuses, elapsed)


def summary(latencies: list[float], statuses: list[int], elapsed: float) -> dict[str, Any]:
    ordered = sorted(latencies)
    cut = statistics.quantiles(ordered, n=100, method="inclusive")
    return {
        "requests": len(ordered),
        "p50_ms": round(cut[49] * 1000, 2),
        "p99_ms": round(cut[98] * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "throughput_rps": round(len(ordered) / elapsed, 1),
        "statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))},
    }


def verify(world: dict[str, Any], used: list[int], deadline_s: float) -> dict[str, Any]:
    """Wait (bounded) until every command has its answer, then count through the API: each command got exactly
    one pipeline and one "started" reply, or (beyond the per-project run limit) exactly one "queued" reply."""
    api = gitlab.Gitlab(world["url"], private_token=TOKEN).projects.get(world["project"], lazy=True)
    deadline = time.monotonic() + deadline_s
    while True:
        replies = {iid: bot_replies(api, iid) for iid in used}
        answered = sum(1 for kinds in replies.values() if kinds)
        if answered >= len(used) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    pipelines = api.pipelines.list(get_all=True, per_page=100)
    requests = [
        v.value
        for p in pipelines
        for v in api.pipelines.get(p.id, lazy=True).variables.list(get_all=True)
        if v.key == "PERFBOT_REQUEST"
    ]
    started = sum(kinds.count("started") for kinds in replies.values())
    queued = sum(kinds.count("queued") for kinds in replies.values())
    once = all(len(kinds) == 1 for kinds in replies.values())
    return {
        "commands": len(used),
        "pipelines": len(pipelines),
        "distinct_requests": len(set(requests)),
        "started_replies": started,
        "queued_replies": queued,
        "ok": once and len(pipelines) == len(set(requests)) == started and started + queued == len(used),
    }


def bot_replies(api: Any, iid: int) -> list[str]:
    notes = api.issues.get(iid, lazy=True).notes.list(get_all=True)
    mine = [n.body for n in notes if n.author["username"] == "perfbot"]
    return ["started" if "Started perfbot" in body else "queued" if "Queued" in body else "other" for body in mine]


def run(kind: str, fake: dict[str, Any], args: argparse.Namespace, tmp: str) -> dict[str, Any]:
    if kind == "bare":
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=bare_process, args=(child,), daemon=True)
        proc.start()
        port = parent.recv()
    else:
        server, port = start_serve(fake["url"], f"{tmp}/{kind}.db")
    url = f"http://127.0.0.1:{port}/webhook"
    rng, used = random.Random(7), []  # type: ignore[var-annotated]
    steady = deliveries(fake, args.requests, rng, used)
    burst = deliveries(fake, args.burst, rng, used)
    result = {
        "server": kind,
        "steady": asyncio.run(open_loop(url, steady, args.rate)),
        "burst": asyncio.run(closed_loop(url, burst, args.concurrency)),
    }
    if kind == "perfbot":
        result["integrity"] = verify(fake, used, deadline_s=60)
        stop_serve(server)
    else:
        parent.send("stop")
        proc.join(10)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000, help="deliveries in the steady phase")
    parser.add_argument("--rate", type=float, default=200.0, help="deliveries per second in the steady phase")
    parser.add_argument("--burst", type=int, default=1000, help="deliveries in the as-fast-as-possible phase")
    parser.add_argument("--concurrency", type=int, default=32, help="parallel clients in the burst phase")
    parser.add_argument("--commands", type=float, default=0.2, help="share of deliveries that are /optimize comments")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    issues = int((args.requests + args.burst) * 0.25) + 10
    fake_proc = ctx.Process(target=fake_gitlab_process, args=(child, issues), daemon=True)
    fake_proc.start()
    fake = parent.recv() | {"commands": args.commands}
    with tempfile.TemporaryDirectory() as tmp:
        results = [run("bare", fake, args, tmp), run("perfbot", fake, args, tmp)]
    parent.send("stop")
    fake_proc.join(10)
    for r in results:
        s, b = r["steady"], r["burst"]
        print(
            f"{r['server']:8} steady {s['requests']} @ {args.rate:.0f}/s: p50 {s['p50_ms']} ms  p99 {s['p99_ms']} ms  "
            f"max {s['max_ms']} ms  {s['statuses']} | burst x{args.concurrency}: {b['throughput_rps']} req/s  "
            f"p50 {b['p50_ms']} ms  p99 {b['p99_ms']} ms  {b['statuses']}"
        )
    integrity = results[1]["integrity"]
    print("integrity:", json.dumps(integrity))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0 if integrity["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
