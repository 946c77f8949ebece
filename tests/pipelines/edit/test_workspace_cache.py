"""The Workspace's memory of file contents: fewer sandbox round trips, and never a stale file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from pipelines.edit import EditSession
from pipelines.edit.workspace import Workspace
from sandbox.base import ExecResult
from sandbox.local import LocalSandbox
from tests.pipelines.edit.conftest import MakeSession


class CountingSandbox:
    """A LocalSandbox that counts the calls that would be engine round trips on Docker."""

    def __init__(self, inner: LocalSandbox) -> None:
        self.inner, self.calls = inner, Counter[str]()
        self.kind, self.isolated, self.workspace = inner.kind, inner.isolated, inner.workspace

    def execute(self, command: str | Sequence[str], timeout: float, **options: Any) -> ExecResult:
        self.calls["execute"] += 1
        return self.inner.execute(command, timeout, **options)

    def put_files(self, files: Mapping[str, bytes]) -> None:
        self.calls["put_files"] += 1
        self.inner.put_files(files)

    def get_file(self, path: str) -> bytes:
        self.calls["get_file"] += 1
        return self.inner.get_file(path)


def test_viewing_and_editing_a_file_fetches_it_once(sandbox: LocalSandbox) -> None:
    sandbox.put_files({"repo/src/a.py": b"def f():\n    return 1\n"})
    counting = CountingSandbox(sandbox)
    session = EditSession(Workspace(counting, root="repo", target_globs=["src/*.py"]), ["view_file", "replace"])
    assert session.call("view_file", {"path": "src/a.py"}).ok
    assert session.call("replace", {"path": "src/a.py", "old": "return 1", "new": "return 2"}).ok
    assert "return 2" in session.call("view_file", {"path": "src/a.py"}).text
    assert dict(counting.calls) == {"get_file": 1, "put_files": 1}


def test_write_file_reads_the_file_once_instead_of_checking_it_exists_first(sandbox: LocalSandbox) -> None:
    sandbox.put_files({"repo/src/a.py": b"x = 1\n"})
    counting = CountingSandbox(sandbox)
    session = EditSession(Workspace(counting, root="repo", target_globs=["src/*.py"]), ["write_file"])
    assert session.call("write_file", {"path": "src/a.py", "content": "x = 2\n"}).ok
    assert session.call("write_file", {"path": "src/new.py", "content": "y = 1\n"}).text.startswith("Created")
    assert dict(counting.calls) == {"get_file": 2, "put_files": 2}
    assert (sandbox.get_file("repo/src/a.py"), sandbox.get_file("repo/src/new.py")) == (b"x = 2\n", b"y = 1\n")


def test_a_file_a_bash_command_changes_after_an_edit_is_read_anew(make_session: MakeSession) -> None:
    session = make_session({"src/a.py": "x = 1\n"})
    assert session.call("write_file", {"path": "src/a.py", "content": "x = 2\n"}).ok
    assert session.call("bash", {"command": "echo 'x = 3' > src/a.py"}).ok
    assert "x = 3" in session.call("view_file", {"path": "src/a.py"}).text
    assert session.context.workspace.read_text("src/a.py") == "x = 3\n"


def test_a_file_a_command_changes_is_read_anew(sandbox: LocalSandbox) -> None:
    sandbox.put_files({"repo/src/a.py": b"a = 1\n"})
    workspace = Workspace(sandbox, root="repo", target_globs=["src/*.py"])
    workspace.write_text("src/a.py", "a = 2\n")
    assert workspace.run("echo 'a = 3' > src/a.py && rm -f src/gone.py", 30).ok
    assert workspace.read_text("src/a.py") == "a = 3\n"
    workspace.write_text("src/b.py", "b\n")
    assert workspace.run("rm src/b.py", 30).ok
    assert workspace.exists("src/b.py") is False


def test_restoring_a_checkpoint_is_seen_by_the_next_read(sandbox: LocalSandbox) -> None:
    sandbox.put_files({"repo/src/a.py": b"a = 1\n", "repo/tests/t.py": b"t = 1\n"})
    workspace = Workspace(sandbox, root="repo", target_globs=["src/*.py"])
    workspace.checkpoint()
    workspace.write_text("tests/t.py", "t = 2\n")
    assert workspace.read_text("tests/t.py") == "t = 2\n"
    workspace.restore(["tests/t.py"])
    assert workspace.read_text("tests/t.py") == "t = 1\n"


def test_workspaces_on_one_sandbox_see_each_others_writes_and_commands(sandbox: LocalSandbox) -> None:
    sandbox.put_files({"repo/src/a.py": b"a = 1\n"})
    repo = Workspace(sandbox, root="repo", target_globs=["src/*.py"])
    whole = Workspace(sandbox, root=".", target_globs=["repo/src/*.py"])
    assert (repo.read_text("src/a.py"), whole.read_text("repo/src/a.py")) == ("a = 1\n", "a = 1\n")
    whole.write_text("repo/src/a.py", "a = 2\n")
    assert repo.read_text("src/a.py") == "a = 2\n"
    assert whole.run("echo 'a = 3' > repo/src/a.py", 30).ok
    assert repo.read_text("src/a.py") == "a = 3\n"


def test_a_write_through_a_symlink_does_not_leave_its_target_stale(sandbox: LocalSandbox) -> None:
    sandbox.put_files({"repo/src/a.py": b"a = 1\n"})
    workspace = Workspace(sandbox, root="repo", target_globs=["src/*.py"])
    assert workspace.run("ln -s a.py src/link.py && mkdir lib && ln -s ../src lib/src", 30).ok
    assert workspace.target_paths() == ["src/a.py", "src/link.py"]
    assert (workspace.read_text("src/a.py"), workspace.read_text("lib/src/a.py")) == ("a = 1\n", "a = 1\n")
    workspace.write_text("src/link.py", "a = 2\n")  # the local backend writes through the link
    assert (workspace.read_text("src/a.py"), workspace.read_text("lib/src/a.py")) == ("a = 2\n", "a = 2\n")


def test_a_write_to_a_hard_linked_file_does_not_leave_the_other_name_stale(sandbox: LocalSandbox) -> None:
    sandbox.put_files({"repo/src/a.py": b"a = 1\n"})
    workspace = Workspace(sandbox, root="repo", target_globs=["src/*.py"])
    assert workspace.run("ln src/a.py src/b.py", 30).ok
    workspace.snapshot()
    assert workspace.read_text("src/a.py") == "a = 1\n"
    workspace.write_text("src/b.py", "b = 2\n")
    assert workspace.read_text("src/a.py") == sandbox.get_file("repo/src/a.py").decode()


def test_a_change_made_behind_the_workspace_is_noticed_by_the_next_snapshot(sandbox: LocalSandbox) -> None:
    sandbox.put_files({"repo/src/a.py": b"a = 1\n", "repo/src/b.py": b"b = 1\n"})
    workspace = Workspace(sandbox, root="repo", target_globs=["src/*.py"])
    assert (workspace.read_text("src/a.py"), workspace.read_text("src/b.py")) == ("a = 1\n", "b = 1\n")
    sandbox.put_files({"repo/src/a.py": b"a = 2\n"})
    workspace.snapshot()
    assert workspace.read_text("src/a.py") == "a = 2\n"
    sandbox.execute("rm repo/src/b.py", 30)
    workspace.paths()
    assert workspace.exists("src/b.py") is False


def test_a_new_workspace_forgets_files_put_in_directly_before_it(sandbox: LocalSandbox) -> None:
    sandbox.put_files({"repo/src/a.py": b"a = 1\n"})
    first = Workspace(sandbox, root="repo", target_globs=["src/*.py"])
    assert first.read_text("src/a.py") == "a = 1\n"
    sandbox.put_files({"repo/src/a.py": b"a = 2\n"})
    Workspace(sandbox, root="repo", target_globs=["src/*.py"])
    assert first.read_text("src/a.py") == "a = 2\n"
