"""What the hardened Docker sandbox costs over raw Docker, side by side (goals: start ≤ 1.2×, one command ≤ 2×).

    python bench/sandbox_overhead.py [--repeat N] [--image IMAGE]

Rows (median wall time of N runs, after one warm-up):
  start          DockerSandbox.start() + close()  (reaper pass, labelled volume, hardened container, removal)
                 vs `docker run --rm IMAGE true`   (create, start, wait, remove)
  one command    DockerSandbox.execute("true")     (in-container timeout, output cap, cgroup counters, exit code)
                 vs `docker exec CONTAINER true`   (on the same running container)
Both sides go through the same engine; the raw side pays for the docker CLI process, perfbot's for Python.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time
from collections.abc import Callable

from sandbox.docker import DockerSandbox, connect
from sandbox.images import ensure_sandbox_image


def median_s(action: Callable[[], object], repeat: int) -> float:
    action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def sandbox_start_and_close(image: str) -> None:
    with DockerSandbox(label="bench", image=image):
        pass


def docker_run(image: str) -> None:
    subprocess.run(["docker", "run", "--rm", "--network", "none", image, "true"], check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--image", default=None, help="sandbox image (default: the one perfbot uses)")
    args = parser.parse_args()
    image = args.image or ensure_sandbox_image(connect()).sandbox
    start = median_s(lambda: sandbox_start_and_close(image), args.repeat)
    start_raw = median_s(lambda: docker_run(image), args.repeat)
    with DockerSandbox(label="bench", image=image) as sandbox:
        assert sandbox.container is not None
        exec_raw = ["docker", "exec", sandbox.container.id, "true"]
        command = median_s(lambda: sandbox.execute("true", timeout=30), args.repeat)
        command_raw = median_s(lambda: subprocess.run(exec_raw, check=True, capture_output=True), args.repeat)
    table = [("start (+ remove)", start, start_raw, 1.2), ("one command", command, command_raw, 2.0)]
    print(f"{'':18}{'perfbot':>10}{'raw docker':>12}{'ratio':>8}{'goal':>8}")
    for name, mine, theirs, goal in table:
        ratio = mine / theirs
        verdict = "ok" if ratio <= goal else "MISSED"
        print(f"{name:18}{mine * 1000:>8.0f}ms{theirs * 1000:>10.0f}ms{ratio:>7.2f}x{goal:>7.1f}x  {verdict}")
    print(f"(median of {args.repeat} runs after one warm-up; image {image})")


if __name__ == "__main__":
    main()
