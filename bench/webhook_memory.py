"""Memory of `perfbot serve` while many clients send large bodies at once.

    .venv/bin/python bench/webhook_memory.py [--clients 16] [--mib 24] [--rounds 3]

Two programs on loopback besides this one: the fake GitLab and `perfbot serve` (as bench/webhook_latency.py starts
them); the RSS measured is that of the server's acceptor, the process that reads the bodies. Phase 1 sends
`--clients` concurrent posts of `--mib` MiB each with a wrong X-Gitlab-Token, `--rounds` times; phase 2 the same
with the right token (valid JSON comments without a command, which the server must read and parse before it can
ignore them). A sampler reads the server's resident set size (VmRSS) every 20 ms; the bench prints its start, its
peak and the growth for each phase, and how each post was answered. Goal for phase 1: under 100 MB of growth.
Bounded: every socket has a deadline.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from webhook_latency import SECRET, fake_gitlab_process, start_serve, stop_serve

CHUNK = 1024 * 1024
DEADLINE_S = 120.0


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


class Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, rss_mib(pid), True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss_mib(self.pid))
            time.sleep(0.02)


def body(mib: int) -> bytes:
    """A Note Hook without a command, padded to `mib` MiB: valid, and ignored only once read and parsed."""
    payload = json.loads((Path(__file__).resolve().parent.parent / "tests/fixtures/gitlab/note_issue.json").read_text())
    payload["object_attributes"]["note"] = "LGTM"
    text = json.dumps(payload)
    pad = mib * CHUNK - len(text) - 20
    return (text[:-1] + ', "padding": "' + "x" * pad + '"}').encode()


async def post(port: int, token: bytes, payload: bytes) -> int:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        head = (
            b"POST /webhook HTTP/1.1\r\nHost: perfbot\r\nContent-Type: application/json\r\n"
            b"X-Gitlab-Event: Note Hook\r\nX-Gitlab-Token: " + token + b"\r\nContent-Length: %d\r\n\r\n" % len(payload)
        )
        writer.write(head)
        answer = asyncio.ensure_future(reader.readline())
        for start in range(0, len(payload), CHUNK):
            if answer.done():  # answered before the body was sent: stop sending it
                break
            writer.write(payload[start : start + CHUNK])
            await writer.drain()
        status_line = await answer
        return int(status_line.split()[1]) if status_line else 0
    except ConnectionError:
        return 0
    finally:
        writer.close()


async def phase(port: int, token: bytes, payload: bytes, clients: int, rounds: int) -> dict[str, int]:
    statuses: dict[str, int] = {}
    for _ in range(rounds):
        answers = await asyncio.wait_for(
            asyncio.gather(*(post(port, token, payload) for _ in range(clients))), DEADLINE_S
        )
        for status in answers:
            statuses[str(status)] = statuses.get(str(status), 0) + 1
    return statuses


def measure(pid: int, port: int, token: bytes, payload: bytes, args: argparse.Namespace) -> dict[str, Any]:
    time.sleep(0.5)  # let the server settle after the previous phase
    start = rss_mib(pid)
    sampler = Sampler(pid)
    sampler.start()
    began = time.perf_counter()
    statuses = asyncio.run(phase(port, token, payload, args.clients, args.rounds))
    elapsed = time.perf_counter() - began
    sampler.running = False
    sampler.join()
    return {
        "rss_start_mib": round(start, 1),
        "rss_peak_mib": round(sampler.peak, 1),
        "growth_mib": round(sampler.peak - start, 1),
        "seconds": round(elapsed, 2),
        "statuses": statuses,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16, help="concurrent posts")
    parser.add_argument("--mib", type=int, default=24, help="size of each body, in MiB (GitLab's limit is 25)")
    parser.add_argument("--rounds", type=int, default=3, help="how many times the clients post")
    args = parser.parse_args()
    ctx = multiprocessing.get_context("spawn")
    fake_end, fake_child = ctx.Pipe()
    fake = ctx.Process(target=fake_gitlab_process, args=(fake_child, 1), daemon=True)
    fake.start()
    world = fake_end.recv()
    payload = body(args.mib)
    with tempfile.TemporaryDirectory() as tmp:
        server, port = start_serve(world["url"], f"{tmp}/perfbot.db")
        results = {
            "wrong_token": measure(server.pid, port, b"not-the-secret", payload, args),
            "right_token": measure(server.pid, port, SECRET.encode(), payload, args),
        }
        stop_serve(server)
    fake_end.send("stop")
    fake.join(10)
    for name, r in results.items():
        print(
            f"{name:12} {args.clients} clients x {args.rounds} rounds x {args.mib} MiB: RSS {r['rss_start_mib']} -> "
            f"peak {r['rss_peak_mib']} MiB (growth {r['growth_mib']} MiB) in {r['seconds']} s, answers {r['statuses']}"
        )
    ok = results["wrong_token"]["growth_mib"] < 100
    print(f"goal (wrong token: under 100 MB growth): {'met' if ok else 'missed'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
