"""How long a run takes to get its first sandbox when the repository has dependencies: the first run builds the
dependency image (pip wheel on this host, then the layered image), the second finds it by its key and starts at once.

    python bench/deps_start.py [--package sortedcontainers]

Prints one line per run: the time from "resolve the image" to "a sandbox is ready", and whether the image was built.
A requirements file with a comment unique to this benchmark gives a key no earlier run used, so the first run
really builds; the benchmark's image is removed at the end. Needs a Docker Engine and the package index pip uses.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import uuid
from pathlib import Path

from pipelines.config import parse_config
from pipelines.sandbox_image import with_sandbox_image
from sandbox.docker import connect
from sandbox.factory import open_sandbox


def start(repo: Path, raw: dict[str, object], said: list[str]) -> float:
    """Seconds from a fresh config to a started sandbox of the run's image."""
    started = time.perf_counter()
    config = with_sandbox_image(repo, parse_config(raw, str(repo / ".perfbot.yml")), "docker", said.append)
    with open_sandbox("docker", label="bench-deps", image=config.run_image):
        took = time.perf_counter() - started
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--package", default="sortedcontainers", help="a small pure-Python package to install")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="perfbot-bench-deps-") as tmp:
        repo = Path(tmp)
        (repo / "requirements.txt").write_text(f"# bench {uuid.uuid4().hex}\n{args.package}\n")
        raw: dict[str, object] = {
            "target": {"files": ["a.py"]},
            "benchmark": {"entry": "a:f", "inputs": "a:g", "params": {"n": [1]}},
            "sandbox": {"install": {"requirements": ["requirements.txt"]}},
        }
        said: list[str] = []
        first = start(repo, raw, said)
        second = start(repo, raw, said)
        tag = next(line.split()[2].rstrip(":") for line in said if line.startswith("dependency image"))
    print(f"dependency image {tag} ({args.package})")
    print(f"  first run  (builds the image): {first:6.2f} s to a ready sandbox")
    print(f"  second run (reuses it):        {second:6.2f} s to a ready sandbox")
    connect().images.remove(tag, force=True)


if __name__ == "__main__":
    main()
