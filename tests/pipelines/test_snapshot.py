"""The snapshot a run works on: HEAD as committed, untracked files as they are, the user's edits left out and named."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from pipelines.snapshot import take, taken
from tests.conftest import git


def test_the_snapshot_is_head_as_committed_with_untracked_files_and_names_the_edits_it_leaves_out(
    example_repo: Callable[[str], Path], tmp_path: Path
) -> None:
    repo = example_repo("closest-pair")
    committed = (repo / "geometry.py").read_text()
    (repo / "run.sh").write_text("#!/bin/sh\necho hi\n")
    os.chmod(repo / "run.sh", 0o755)
    (repo / "link").symlink_to("geometry.py")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "script and link")
    (repo / "geometry.py").write_text("# edited\n" + committed)  # edited, not committed
    (repo / "README.md").unlink()  # deleted, not committed
    (repo / "staged.py").write_text("x = 1\n")
    git(repo, "add", "staged.py")  # staged, never committed
    (repo / "notes.txt").write_text("untracked\n")
    (repo / "link").unlink()
    (repo / "link").write_text("now a file\n")

    snap = take(repo, tmp_path / "snap")

    assert snap.commit == git(repo, "rev-parse", "HEAD").strip()
    assert snap.uncommitted == ["README.md", "geometry.py", "link", "staged.py"]
    assert (snap.path / "geometry.py").read_text() == committed
    assert (snap.path / "README.md").is_file()
    assert not (snap.path / "staged.py").exists()
    assert (snap.path / "notes.txt").read_text() == "untracked\n"
    assert os.readlink(snap.path / "link") == "geometry.py"
    assert os.access(snap.path / "run.sh", os.X_OK)
    assert not (snap.path / ".git").exists()
    assert (repo / "geometry.py").read_text().startswith("# edited")  # the user's files as they were


def test_outside_git_the_snapshot_is_the_working_tree_and_it_is_removed_after_the_run(tmp_path: Path) -> None:
    repo = tmp_path / "plain"
    repo.mkdir()
    (repo / "a.py").write_text("A = 1\n")
    said: list[str] = []
    with taken(repo, said.append) as snap:
        assert snap.commit is None and snap.uncommitted == []
        assert (snap.path / "a.py").read_text() == "A = 1\n"
    assert not snap.path.exists()
    assert said == []
