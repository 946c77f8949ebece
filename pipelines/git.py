"""Writing a candidate to a local branch without touching the user's working tree, index or HEAD.

Git plumbing only: the new files become blobs (`hash-object -w`), a temporary index built from the base commit
takes them (`update-index --cacheinfo`, keeping each file's mode), `write-tree` + `commit-tree` make one commit
on top of the base, and `update-ref` points `perfbot/<slug>` at it. The checked-out branch and files stay as
they were, whatever their state.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

from pipelines.errors import PerfbotError


class BranchError(PerfbotError):
    pass


_CLAIM_ATTEMPTS = 20


def is_git_repo(repo: Path) -> bool:
    try:
        return _git(repo, "rev-parse", "--is-inside-work-tree").strip() == "true"
    except BranchError:
        return False


def head_commit(repo: Path) -> str | None:
    """The commit HEAD points at; None outside git or before the first commit."""
    try:
        return _git(repo, "rev-parse", "HEAD").strip()
    except BranchError:
        return None


def create_branch(
    repo: Path, slug: str, files: Mapping[str, str], message: str, *, base: str = "HEAD", name: str | None = None
) -> str:
    """Commits `files` (repo-relative path -> full text) on top of `base` as branch `name` (default `perfbot/<slug>`),
    or `perfbot/<slug>-N`, the first free one, when that name is taken, also when it is taken while this runs.
    Returns the branch name."""
    parent = _git(repo, "rev-parse", "--verify", f"{base}^{{commit}}").strip()
    with tempfile.TemporaryDirectory(prefix="perfbot-index-") as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        _git(repo, "read-tree", parent, env=env)
        for path, text in sorted(files.items()):
            blob = _git(repo, "hash-object", "-w", "--stdin", "--path", path, input=text).strip()
            _git(repo, "update-index", "--add", "--cacheinfo", f"{_mode(repo, parent, path)},{blob},{path}", env=env)
        tree = _git(repo, "write-tree", env=env).strip()
    commit = _git(repo, "commit-tree", tree, "-p", parent, "-F", "-", input=message, env=_identity(repo)).strip()
    return _claim(repo, name or free_branch_name(repo, slug), f"perfbot/{slug}", commit)


def free_branch_name(repo: Path, slug: str) -> str:
    """`perfbot/<slug>`, or the first of `perfbot/<slug>-2`, `-3`, ... that no branch has yet."""
    return _free_name(repo, f"perfbot/{slug}")


def _claim(repo: Path, wanted: str, stem: str, commit: str) -> str:
    """Point a new branch at `commit`: `wanted`, else the next free `stem-N`. `update-ref` with a zero old value
    refuses a name that exists, so a branch another process creates meanwhile is never overwritten."""
    branch = wanted
    for _ in range(_CLAIM_ATTEMPTS):
        try:
            _git(repo, "update-ref", f"refs/heads/{branch}", commit, "0" * 40)
            return branch
        except BranchError:
            if not _git(repo, "for-each-ref", f"refs/heads/{branch}").strip():
                raise  # not taken: something else is wrong
            branch = _free_name(repo, stem)
    raise BranchError(f"every branch name tried for {stem} was taken while perfbot wrote it")


def _mode(repo: Path, commit: str, path: str) -> str:
    listing = _git(repo, "ls-tree", commit, "--", path).split()
    return listing[0] if listing else "100644"


def _free_name(repo: Path, name: str) -> str:
    candidate, n = name, 1
    while _git(repo, "for-each-ref", f"refs/heads/{candidate}").strip():
        n += 1
        candidate = f"{name}-{n}"
    return candidate


def _identity(repo: Path) -> dict[str, str]:
    """perfbot as author/committer only where the user has no git identity configured."""
    env: dict[str, str] = {}
    for key, var in (("user.name", "NAME"), ("user.email", "EMAIL")):
        try:
            configured = _git(repo, "config", key).strip()
        except BranchError:
            configured = ""
        if not configured:
            value = "perfbot" if var == "NAME" else "perfbot@localhost"
            env |= {f"GIT_AUTHOR_{var}": value, f"GIT_COMMITTER_{var}": value}
    return env


def _git(repo: Path, *args: str, input: str | None = None, env: Mapping[str, str] | None = None) -> str:
    try:
        result = subprocess.run(
            ["git", "-C", str(repo), *args],
            input=input,
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, **(env or {})},
        )
    except OSError as e:
        raise BranchError(f"cannot run git: {e}") from e
    if result.returncode != 0:
        raise BranchError(f"git {' '.join(args[:2])} failed: {result.stderr.strip()[:500]}")
    return result.stdout
