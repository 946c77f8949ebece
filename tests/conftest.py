"""Fixtures shared by every test package. Package-specific ones live in that package's conftest.py."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), *args],
        check=True,
        capture_output=True,
        text=True,
        env={
            "GIT_AUTHOR_NAME": "t",
            "GIT_AUTHOR_EMAIL": "t@localhost",
            "GIT_COMMITTER_NAME": "t",
            "GIT_COMMITTER_EMAIL": "t@localhost",
            "PATH": "/usr/bin:/bin:/usr/local/bin",
            "HOME": str(repo),
        },
    )
    return result.stdout


def committed_copy(source: Path, repo: Path, message: str) -> Path:
    """`source` copied to `repo` (caches and perfbot runs left out) as a git repo on `main` with one commit."""
    shutil.copytree(source, repo, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", ".perfbot"))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)
    return repo


@pytest.fixture
def example_repo(tmp_path: Path) -> Callable[[str], Path]:
    """A fresh git checkout (one commit) of `examples/NAME` in a temp dir; the bundled example is never touched."""

    def make(name: str) -> Path:
        return committed_copy(EXAMPLES / name, tmp_path / name, "example")

    return make


def docker_available() -> bool:
    try:
        import docker

        docker.from_env(timeout=5).ping()
    except Exception:
        return False
    return True


def needs_docker() -> list[pytest.MarkDecorator]:
    """The marks of a test module that runs only against a real Docker Engine (skipped, saying why, without one)."""
    reason = "no Docker Engine is reachable (start Docker or set DOCKER_HOST)"
    return [pytest.mark.docker, pytest.mark.skipif(not docker_available(), reason=reason)]


@pytest.fixture
def script(tmp_path: Path) -> Callable[..., str]:
    """Writes a scripted session (turns, or {sessions: [...], rates: ...}) and returns its --model spec."""
    count = 0

    def write(turns_or_sessions: Any) -> str:
        nonlocal count
        count += 1
        path = tmp_path / f"script-{count}.yaml"
        path.write_text(yaml.safe_dump(turns_or_sessions, sort_keys=False))
        return f"scripted:{path}"

    return write


def seconds_to_exit(process: subprocess.Popen[Any], signum: int, timeout: float = 60) -> float:
    """Send `signum` to `process` and return how many seconds it took to exit (it must within `timeout`)."""
    process.send_signal(signum)
    sent = time.monotonic()
    process.wait(timeout=timeout)
    return time.monotonic() - sent


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> None:
    """Poll `condition` until it holds; fail naming `what` after `timeout` seconds. The one way tests wait."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.01)
