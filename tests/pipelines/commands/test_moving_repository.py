"""`perfbot optimize` on a repository that moves while it runs: one snapshot per run, the branch on its commit.

The user commits during the run, has uncommitted edits from before it, or another run takes the branch name; the
run directory says "running" until the report replaces it, and the artifacts are on the disk before the branch.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import pipelines.commands.optimize as optimize_command
from pipelines.errors import RunFilesError
from pipelines.runfiles import load_run, mark_running
from tests.conftest import git
from tests.pipelines.conftest import Run
from tests.pipelines.sessions import DEMO, branches

Optimize = Callable[..., Run]
BRANCH = "perfbot/closest-pair-distance"
LOCAL_NOTE = "# a note of mine, not committed\n"


def changed_lines(diff: str) -> list[str]:
    return [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def test_a_commit_made_during_the_run_is_kept_and_an_uncommitted_edit_is_warned_about_and_left_out(
    example_repo: Callable[[str], Path], optimize_small: Optimize, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = example_repo("closest-pair")
    start = git(repo, "rev-parse", "HEAD").strip()
    geometry = repo / "geometry.py"
    geometry.write_text(LOCAL_NOTE + geometry.read_text())  # edited before the run, never committed
    real_search = optimize_command.run_search
    seen: dict[str, Any] = {}

    def search_while_the_user_commits(snapshot: Path, *args: Any, **kwargs: Any) -> Any:
        seen["snapshot"] = (snapshot / "geometry.py").read_text()
        readme = repo / "README.md"
        readme.write_text(readme.read_text() + "\nA line the user committed while perfbot ran.\n")
        git(repo, "commit", "-qam", "the user's commit during the run")
        return real_search(snapshot, *args, **kwargs)

    monkeypatch.setattr(optimize_command, "run_search", search_while_the_user_commits)
    run = optimize_small(repo, "scripted:demo/closest-pair.yaml")

    assert run.exit_code == 0
    assert "uncommitted changes to geometry.py are not part of this run" in run.stderr
    assert LOCAL_NOTE not in seen["snapshot"]  # the baseline is the commit, as the warning says
    assert branches(repo) == [BRANCH]
    assert git(repo, "rev-parse", f"{BRANCH}~1").strip() == start  # built on the commit it measured
    assert git(repo, "diff", "--name-only", start, BRANCH).split() == ["geometry.py"]
    branch_diff = git(repo, "diff", start, BRANCH, "--", "geometry.py")
    patch = (run.out / "patch.diff").read_text()
    assert changed_lines(branch_diff) == changed_lines(patch)  # the branch adds the candidate's change, nothing else
    assert LOCAL_NOTE.strip() not in branch_diff + patch
    merged_tree = git(repo, "merge-tree", "--write-tree", "main", BRANCH).split()[0]
    assert "the user committed while perfbot ran" in git(repo, "show", f"{merged_tree}:README.md")
    assert "ordered = sorted(points)" in git(repo, "show", f"{merged_tree}:geometry.py")
    assert geometry.read_text().startswith(LOCAL_NOTE)  # the user's files as they were
    assert json.loads((run.out / "request.json").read_text())["base_sha"] == start


def test_the_run_says_running_until_its_report_which_is_on_disk_before_the_branch_that_takes_the_next_free_name(
    example_repo: Callable[[str], Path], optimize_small: Optimize, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = example_repo("closest-pair")
    head = git(repo, "rev-parse", "HEAD").strip()
    real_search, real_artifacts = optimize_command.run_search, optimize_command.write_artifacts
    real_branch, real_mark = optimize_command.create_branch, optimize_command.mark_running
    seen: dict[str, Any] = {}

    def mark_running(out: Path, *args: Any) -> None:
        seen["out"] = out
        real_mark(out, *args)

    def search(*args: Any, **kwargs: Any) -> Any:
        seen["report while running"] = json.loads((seen["out"] / "report.json").read_text())
        seen["md while running"] = (seen["out"] / "report.md").read_text()
        return real_search(*args, **kwargs)

    def artifacts_while_another_run_takes_the_name(*args: Any) -> Any:
        if not branches(repo):
            git(repo, "branch", BRANCH, head)  # another perfbot run, a moment after this one chose the name
        return real_artifacts(*args)

    def branch_after_the_artifacts(*args: Any, **kwargs: Any) -> str:
        seen["report at branch time"] = json.loads((seen["out"] / "report.json").read_text())
        seen["patch at branch time"] = (seen["out"] / "patch.diff").read_text()
        return str(real_branch(*args, **kwargs))

    monkeypatch.setattr(optimize_command, "mark_running", mark_running)
    monkeypatch.setattr(optimize_command, "run_search", search)
    monkeypatch.setattr(optimize_command, "write_artifacts", artifacts_while_another_run_takes_the_name)
    monkeypatch.setattr(optimize_command, "create_branch", branch_after_the_artifacts)
    run = optimize_small(repo, DEMO)

    assert run.exit_code == 0
    assert seen["report while running"]["status"] == "running"
    assert "is running" in seen["md while running"]
    assert seen["report at branch time"]["selected"] == run.report["selected"] is not None
    assert "sorted(points)" in seen["patch at branch time"]
    assert branches(repo) == [BRANCH, f"{BRANCH}-2"]
    assert git(repo, "rev-parse", BRANCH).strip() == head  # the other run's branch is untouched
    assert "ordered = sorted(points)" in git(repo, "show", f"{BRANCH}-2:geometry.py")
    assert run.report["extra"]["branch"] == f"{BRANCH}-2"
    assert "status" not in run.report
    assert f"{BRANCH}-2" in run.stderr.splitlines()[-2]


def test_a_run_killed_before_its_report_is_recognisable_and_not_published(tmp_path: Path) -> None:
    mark_running(tmp_path, "20260101-000000-abcdef", tmp_path / "repo")
    with pytest.raises(RunFilesError, match=r"the run never finished .* it was killed before writing its report"):
        load_run(tmp_path)
    assert "is running" in (tmp_path / "report.md").read_text()
