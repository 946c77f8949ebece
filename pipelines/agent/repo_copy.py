"""The agent's copy of the repository in its sandbox: the files, made a git repository with one commit, so that
`git diff`, `git stash` and `git checkout -- FILE` work there as in any checkout. The `.git` directory is never part
of a candidate (the workspace skips it), and nothing of it leaves the sandbox."""

from __future__ import annotations

from pathlib import Path

import structlog

from sandbox.base import Sandbox

ROOT = "repo"
_COMMIT = (
    "git init -q && git add -A && "
    "git -c user.name=perfbot -c user.email=perfbot@localhost -c commit.gpgsign=false "
    "commit -q --no-verify -m 'the baseline, as perfbot copied it'"
)

log = structlog.get_logger(__name__)


def put_repo(sandbox: Sandbox, repo: Path) -> None:
    """Copy `repo` (without its .git) to `ROOT` in `sandbox` and commit it there. A failed commit (no git in a
    custom image) leaves the plain copy and is logged: the agent still works, without `git diff`."""
    sandbox.put_dir(repo, ROOT)
    result = sandbox.execute(_COMMIT, timeout=120, cwd=ROOT)
    if not result.ok:
        log.warning("agent.git_init_failed", output=result.output[-500:])
