"""The one copy of the repository a run works on, taken when it starts.

`perfbot optimize` measures the baseline and every candidate from this copy, builds its branch on the commit it was
taken from and computes patch.diff against it, so what the user does meanwhile (a commit, an edit, a checkout) changes
nothing in the run. In a git repository the copy is HEAD as committed: tracked files edited but not committed are taken
as committed (and said, since the run does not see those edits), untracked files are copied as they are (they are in
no commit the branch could take them from). Outside git it is the working tree.

    with taken(repo, say) as snap:
        run_search(snap.path, ...)
        create_branch(repo, slug, files, message, base=snap.commit)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.git import BranchError, head_commit
from sandbox.archive import IGNORED


@dataclass(frozen=True)
class Snapshot:
    path: Path
    """The copy (a temporary directory, removed when the run ends)."""
    commit: str | None
    """The commit it was taken from; None outside git (or before the first commit)."""
    uncommitted: list[str] = field(default_factory=list)
    """Tracked files whose working-tree or staged edits the copy leaves out."""


@contextmanager
def taken(repo: Path, say: Callable[[str], None]) -> Iterator[Snapshot]:
    """The snapshot of `repo`, removed on exit; says which uncommitted edits it leaves out."""
    with tempfile.TemporaryDirectory(prefix="perfbot-snapshot-") as tmp:
        snap = take(repo, Path(tmp) / repo.name)
        if snap.uncommitted:
            more = len(snap.uncommitted) - 5
            shown = ", ".join(snap.uncommitted[:5]) + (f" and {more} more" if more > 0 else "")
            say(
                f"uncommitted changes to {shown} are not part of this run: the baseline is the commit "
                f"{(snap.commit or '')[:12]} (HEAD when the run started), and the branch is built on it. "
                "Commit them first to have them measured"
            )
        yield snap


def take(repo: Path, dest: Path) -> Snapshot:
    """Copy `repo` to `dest` (version control, caches and virtualenvs left out), tracked files as in HEAD."""
    shutil.copytree(repo, dest, ignore=shutil.ignore_patterns(*IGNORED), symlinks=True)
    commit = head_commit(repo)
    if commit is None:
        return Snapshot(dest, None)
    changed = [rel for rel in _changed_since(repo, commit) if _restore(repo, commit, rel, dest / rel)]
    return Snapshot(dest, commit, sorted(changed))


def _restore(repo: Path, commit: str, rel: str, target: Path) -> bool:
    """Put `rel` in the copy as `commit` has it (removed when `commit` has none); False for a submodule, which is
    copied as it is."""
    listing = _git_bytes(repo, "ls-tree", commit, "--", rel).split(maxsplit=3)
    mode = listing[0].decode() if listing else None
    if mode == "160000":
        return False
    if target.is_symlink() or target.is_file():
        target.unlink()
    elif target.is_dir():
        shutil.rmtree(target)
    if mode is None:  # staged, never committed: not in the baseline
        return True
    content = _git_bytes(repo, "cat-file", "blob", f"{commit}:{rel}")
    target.parent.mkdir(parents=True, exist_ok=True)
    if mode == "120000":
        target.symlink_to(content.decode("utf-8", errors="surrogateescape"))
    else:
        target.write_bytes(content)
        os.chmod(target, 0o755 if mode == "100755" else 0o644)
    return True


def _changed_since(repo: Path, commit: str) -> list[str]:
    """The path of each tracked file whose index or working tree differs from `commit`."""
    out = _git_bytes(repo, "diff", "--name-only", "--no-renames", "-z", commit).decode("utf-8", errors="replace")
    return [rel for rel in out.split("\0") if rel]


def _git_bytes(repo: Path, *args: str) -> bytes:
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    if result.returncode != 0:
        raise BranchError(f"git {' '.join(args[:2])} failed: {result.stderr.decode(errors='replace').strip()[:500]}")
    return result.stdout
