"""The edit tools over the real Docker sandbox: the same behaviour as over the local one."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pipelines.edit import EditSession
from pipelines.edit.workspace import Workspace
from sandbox.base import Sandbox, SandboxError
from tests.conftest import docker_available
from tests.pipelines.edit.corpus import load_cases, run_case

pytestmark = pytest.mark.docker

# The corpus cases that exercise the sandbox most: commands, reverts, CRLF and unicode bytes.
DOCKER_CASES = [c for c in load_cases() if c["calls"][0].get("tool") == "bash" or c.get("mode") in ("crlf", "unicode")]


def open_docker() -> Sandbox:
    if not docker_available():
        pytest.skip("no Docker Engine is reachable")
    try:
        from sandbox.factory import open_sandbox

        return open_sandbox("docker", label="perfbot-edit-test")
    except (ImportError, SandboxError) as e:
        pytest.skip(f"the Docker sandbox backend cannot run here: {e}")


@pytest.fixture(scope="module")
def docker_box() -> Iterator[Sandbox]:
    box = open_docker()
    with box:
        yield box


def test_workspace_round_trips_files_and_checkpoints_in_docker(docker_box: Sandbox) -> None:
    docker_box.put_files({"ws1/src/a.py": b"x = 'caf\xc3\xa9'\r\n", "ws1/tests/t.py": b"assert 1\n"})
    workspace = Workspace(docker_box, root="ws1", target_globs=["src/*.py"])
    assert workspace.read_text("src/a.py") == "x = 'café'\r\n"
    assert workspace.target_paths() == ["src/a.py"]
    before = workspace.checkpoint()
    assert workspace.run("sed -i 's/1/2/' tests/t.py && touch junk.txt", 60).ok
    workspace.restore(["tests/t.py", "junk.txt"])
    assert workspace.snapshot() == before
    assert (workspace.exists("junk.txt"), workspace.exists("src")) == (False, False)


def test_a_session_edits_and_reverts_in_docker(docker_box: Sandbox) -> None:
    docker_box.put_files({"ws2/src/m.py": b"def f(x):\n    return x + 1\n", "ws2/tests/t.py": b"assert True\n"})
    session = EditSession(Workspace(docker_box, root="ws2", target_globs=["src/*.py"]), ["replace", "bash"])
    assert session.call("replace", {"path": "src/m.py", "old": "x + 1", "new": "x + 2"}).ok
    result = session.call("bash", {"command": "sed -i 's/True/False/' tests/t.py; sed -i 's/x + 2/x + 3/' src/m.py"})
    assert "tests/t.py (modified, restored)" in result.text and "+    return x + 3" in result.text
    assert docker_box.get_file("ws2/tests/t.py") == b"assert True\n"
    assert docker_box.get_file("ws2/src/m.py") == b"def f(x):\n    return x + 3\n"


@pytest.mark.parametrize("case", DOCKER_CASES, ids=[c["name"] for c in DOCKER_CASES])
def test_corpus_case_gets_its_expected_outcome_in_docker(docker_box: Sandbox, case: dict[str, Any]) -> None:
    run = run_case(case, sandbox=docker_box)
    assert run.problems == []


def test_files_changed_by_commands_or_another_workspace_are_read_anew_in_docker(docker_box: Sandbox) -> None:
    docker_box.put_files({"ws3/src/m.py": b"x = 1\n", "ws3/tests/t.py": b"t = 1\n"})
    session = EditSession(
        Workspace(docker_box, root="ws3", target_globs=["src/*.py"]), ["write_file", "view_file", "bash"]
    )
    assert session.call("write_file", {"path": "src/m.py", "content": "x = 2\n"}).ok
    assert session.call("bash", {"command": "echo 'x = 3' > src/m.py"}).ok
    assert "x = 3" in session.call("view_file", {"path": "src/m.py"}).text
    whole = Workspace(docker_box, root=".", target_globs=["ws3/src/*.py"])
    whole.write_text("ws3/src/m.py", "x = 4\n")
    assert session.context.workspace.read_text("src/m.py") == "x = 4\n"
    assert whole.run("echo 'x = 5' > ws3/src/m.py", 60).ok
    assert "x = 5" in session.call("view_file", {"path": "src/m.py"}).text
