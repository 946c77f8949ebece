"""Writing the selected candidate to `perfbot/<slug>` with git plumbing only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pipelines.git import BranchError, create_branch, is_git_repo
from tests.conftest import git


def test_the_branch_gets_one_commit_and_the_checkout_is_untouched(example_repo: Callable[[str], Path]) -> None:
    repo = example_repo("closest-pair")
    (repo / "geometry.py").write_text("# uncommitted work of the user\n")
    (repo / "notes.txt").write_text("untracked\n")
    status, head = git(repo, "status", "--porcelain"), git(repo, "rev-parse", "HEAD")
    branch = create_branch(repo, "fast", {"geometry.py": "FAST = True\n"}, "perf: faster\n\nnumbers\n")
    assert branch == "perfbot/fast"
    assert git(repo, "status", "--porcelain") == status
    assert git(repo, "rev-parse", "HEAD") == head
    assert git(repo, "symbolic-ref", "--short", "HEAD").strip() == "main"
    assert (repo / "geometry.py").read_text() == "# uncommitted work of the user\n"
    assert git(repo, "show", "perfbot/fast:geometry.py") == "FAST = True\n"
    assert git(repo, "rev-parse", "perfbot/fast~1") == head
    assert git(repo, "diff", "--name-only", "main", "perfbot/fast").split() == ["geometry.py"]
    assert git(repo, "log", "-1", "--format=%s", "perfbot/fast").strip() == "perf: faster"


def test_a_taken_branch_name_gets_a_suffix(example_repo: Callable[[str], Path]) -> None:
    repo = example_repo("closest-pair")
    assert create_branch(repo, "x", {"geometry.py": "a\n"}, "one\n") == "perfbot/x"
    assert create_branch(repo, "x", {"geometry.py": "b\n"}, "two\n") == "perfbot/x-2"
    assert git(repo, "show", "perfbot/x:geometry.py") == "a\n"


def test_an_executable_file_keeps_its_mode(example_repo: Callable[[str], Path]) -> None:
    repo = example_repo("closest-pair")
    (repo / "run.sh").write_text("echo hi\n")
    (repo / "run.sh").chmod(0o755)
    git(repo, "add", "run.sh")
    git(repo, "commit", "-qm", "script")
    create_branch(repo, "mode", {"run.sh": "echo fast\n"}, "m\n")
    assert git(repo, "ls-tree", "perfbot/mode", "run.sh").split()[0] == "100755"


def test_outside_a_git_repo_there_is_no_branch(tmp_path: Path) -> None:
    assert not is_git_repo(tmp_path)
    with pytest.raises(BranchError):
        create_branch(tmp_path, "x", {"a.py": "a\n"}, "m\n")
