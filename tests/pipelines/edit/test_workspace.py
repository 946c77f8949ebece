"""The Workspace: repo-relative file access, target globs, snapshots and checkpoints over any Sandbox."""

from __future__ import annotations

import hashlib

import pytest

from pipelines.edit.workspace import Workspace
from sandbox.local import LocalSandbox


def make_workspace(sandbox: LocalSandbox, files: dict[str, bytes], globs: tuple[str, ...] = ("src/*.py",)) -> Workspace:
    sandbox.put_files({f"repo/{path}": data for path, data in files.items()})
    return Workspace(sandbox, root="repo", target_globs=globs)


def test_text_round_trips_byte_for_byte_including_crlf_and_unicode(sandbox: LocalSandbox) -> None:
    workspace = make_workspace(sandbox, {})
    text = "x = 'µs → ✓'\r\ny = 2\r\n"
    workspace.write_text("src/new/deep.py", text)
    assert workspace.read_text("src/new/deep.py") == text
    assert sandbox.get_file("repo/src/new/deep.py") == text.encode()


def test_reading_a_missing_file_or_a_directory_raises_file_not_found(sandbox: LocalSandbox) -> None:
    workspace = make_workspace(sandbox, {"src/a.py": b"a = 1\n"})
    with pytest.raises(FileNotFoundError):
        workspace.read_text("src/b.py")
    with pytest.raises(FileNotFoundError):
        workspace.read_text("src")
    assert (workspace.exists("src/a.py"), workspace.exists("src"), workspace.exists("src/b.py")) == (True, False, False)


@pytest.mark.parametrize("path", ["../secret.py", "/etc/passwd", "src/../../x.py", "", "."])
def test_paths_leaving_the_repo_are_refused(sandbox: LocalSandbox, path: str) -> None:
    workspace = make_workspace(sandbox, {})
    with pytest.raises(ValueError, match="repo"):
        workspace.normalize(path)
    assert workspace.is_target(path) is False


def test_an_absolute_path_inside_the_repo_is_made_relative(sandbox: LocalSandbox) -> None:
    workspace = make_workspace(sandbox, {"src/a.py": b""})
    assert workspace.normalize(f"{sandbox.workspace}/repo/src/a.py") == "src/a.py"
    assert workspace.normalize("./src//a.py") == "src/a.py"


@pytest.mark.parametrize(
    ("glob", "path", "expected"),
    [
        ("src/*.py", "src/stats.py", True),
        ("src/*.py", "src/sub/stats.py", False),
        ("src/**/*.py", "src/stats.py", True),
        ("src/**/*.py", "src/a/b/stats.py", True),
        ("**/*.py", "tests/test_x.py", True),
        ("./src/stats.py", "src/stats.py", True),
        ("src/stat?.py", "src/stats.py", True),
        ("src/*.py", "src/stats.pyc", False),
        (".hidden/*.py", ".hidden/x.py", True),
    ],
)
def test_target_globs_match_like_gitignore_style_paths(
    sandbox: LocalSandbox, glob: str, path: str, expected: bool
) -> None:
    assert make_workspace(sandbox, {}, (glob,)).is_target(path) is expected


def test_a_workspace_needs_a_target_glob(sandbox: LocalSandbox) -> None:
    with pytest.raises(ValueError, match="target glob"):
        Workspace(sandbox, target_globs=[])


def test_snapshot_hashes_every_file_and_skips_caches(sandbox: LocalSandbox) -> None:
    files = {
        "src/a.py": b"a = 1\n",
        "tests/test_a.py": b"",
        "data/x.bin": bytes(range(256)),
        "src/__pycache__/a.pyc": b"junk",
        ".git/HEAD": b"ref",
        ".pytest_cache/v": b"1",
    }
    workspace = make_workspace(sandbox, files)
    expected = {p: hashlib.sha256(files[p]).hexdigest() for p in ("src/a.py", "tests/test_a.py", "data/x.bin")}
    assert workspace.snapshot() == expected
    assert workspace.target_paths() == ["src/a.py"]


def test_restore_puts_back_modified_and_deleted_files_and_removes_new_ones(sandbox: LocalSandbox) -> None:
    workspace = make_workspace(sandbox, {"src/a.py": b"a = 1\n", "tests/t.py": b"assert 1\n"})
    before = workspace.checkpoint()
    result = workspace.run("echo 'a = 2' > src/a.py && rm tests/t.py && mkdir -p new && touch new/n.txt", 30)
    assert result.ok, result.output
    changed = sorted(set(before) ^ set(workspace.snapshot()) | {"src/a.py"})
    workspace.restore(changed)
    assert workspace.snapshot() == before
    assert workspace.read_checkpoint("src/a.py") == "a = 1\n"


def test_a_checkpoint_follows_the_current_state(sandbox: LocalSandbox) -> None:
    workspace = make_workspace(sandbox, {"src/a.py": b"v1\n"})
    workspace.checkpoint()
    workspace.write_text("src/a.py", "v2\n")
    workspace.write_text("src/b.py", "b\n")
    workspace.checkpoint()
    workspace.write_text("src/a.py", "v3\n")
    workspace.restore(["src/a.py", "src/b.py"])
    assert (workspace.read_text("src/a.py"), workspace.read_text("src/b.py")) == ("v2\n", "b\n")


def test_run_starts_in_the_repo_root(sandbox: LocalSandbox) -> None:
    workspace = make_workspace(sandbox, {"src/a.py": b""})
    result = workspace.run("ls src", 30)
    assert (result.ok, result.output.strip()) == (True, "a.py")


def test_paths_lists_files_without_hashing_them(sandbox: LocalSandbox) -> None:
    workspace = make_workspace(sandbox, {"src/a.py": b"", "README.md": b"x", "src/__pycache__/a.pyc": b""})
    assert workspace.paths() == ["README.md", "src/a.py"]


def test_a_file_too_big_for_the_checkpoint_is_left_alone_by_restore(
    sandbox: LocalSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pipelines.edit.workspace.CHECKPOINT_MAX_FILE", 10)
    workspace = make_workspace(sandbox, {"data/big.bin": b"0123456789abcdef", "tests/t.py": b"x\n"})
    workspace.checkpoint()
    assert workspace.run("echo changed > data/big.bin && echo y > tests/t.py", 30).ok
    workspace.restore(["data/big.bin", "tests/t.py"])
    assert (workspace.read_text("data/big.bin"), workspace.read_text("tests/t.py")) == ("changed\n", "x\n")


def test_restore_undoes_a_file_turned_into_a_directory(sandbox: LocalSandbox) -> None:
    workspace = make_workspace(sandbox, {"tests/t.py": b"x\n"})
    before = workspace.checkpoint()
    assert workspace.run("rm tests/t.py && mkdir -p tests/t.py && touch tests/t.py/inner", 30).ok
    workspace.restore(["tests/t.py", "tests/t.py/inner"])
    assert workspace.snapshot() == before


def test_a_workspace_can_be_the_whole_sandbox_workspace(sandbox: LocalSandbox) -> None:
    sandbox.put_files({"src/a.py": b"a = 1\n", "tests/t.py": b"x\n"})
    workspace = Workspace(sandbox, root=".", target_globs=["src/*.py"])
    before = workspace.checkpoint()
    assert workspace.run("echo y > tests/t.py", 30).ok
    workspace.restore(["tests/t.py"])
    assert workspace.snapshot() == before
    assert sorted(before) == ["src/a.py", "tests/t.py"]
