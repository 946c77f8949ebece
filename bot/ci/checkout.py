"""The code a CI job optimizes, when it is not the pipeline's own commit.

A merge request from a branch the bot does not trust runs the default branch's CI configuration (the requester
cannot change what the job does) with `PERFBOT_CHECKOUT=refs/merge-requests/IID/head`: the job fetches that ref,
which GitLab keeps for every merge request, and checks its commit out before reading `.perfbot.yml`. The code it
checks out only ever runs inside the sandbox.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from pipelines.errors import UsageError

MR_HEAD = re.compile(r"refs/merge-requests/[0-9]+/head")


def checkout(repo: Path, ref: str) -> str:
    """Fetch `ref` from the checkout's `origin` and check its commit out (detached); returns the commit id."""
    if not MR_HEAD.fullmatch(ref):
        raise UsageError(f"PERFBOT_CHECKOUT: expected refs/merge-requests/IID/head, got {ref!r}")
    _git(repo, "fetch", "--quiet", "--depth", "1", "origin", ref)
    _git(repo, "checkout", "--quiet", "--detach", "FETCH_HEAD")
    return _git(repo, "rev-parse", "HEAD")


def _git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise UsageError(f"PERFBOT_CHECKOUT: `git {' '.join(args)}` failed: {result.stderr.strip()[-500:]}")
    return result.stdout.strip()
