"""Fixtures for the edit tools: a workspace in a local sandbox, filled with the files a test names."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence

import pytest

from pipelines.edit import EditSession
from pipelines.edit.resolve import Mode
from pipelines.edit.workspace import Workspace
from sandbox.local import LocalSandbox

ALL_TOOLS = ("view_file", "replace", "write_file", "rewrite_symbol", "bash")
GEO = """import math


def dist(a, b):
    dx = a[0] - b[0]
    dy = a[1] - b[1]
    return math.sqrt(dx * dx + dy * dy)


def norm(v):
    return math.sqrt(sum(x * x for x in v))
"""
"""A small module the elision tests cut placeholders into: `dist` on lines 4-7, `norm` on lines 10-11."""

MakeSession = Callable[..., EditSession]


@pytest.fixture
def sandbox() -> Iterator[LocalSandbox]:
    with LocalSandbox(label="perfbot-edit-test") as box:
        yield box


@pytest.fixture
def make_session(sandbox: LocalSandbox) -> MakeSession:
    """`make_session(files, targets=("src/*.py",), tools=ALL_TOOLS, elisions="resolve")` → an EditSession over a
    repo with `files`."""

    def make(
        files: Mapping[str, str | bytes],
        targets: Sequence[str] = ("src/*.py",),
        tools: Sequence[str] = ALL_TOOLS,
        bash_timeout: float = 30.0,
        elisions: Mode = "resolve",
    ) -> EditSession:
        sandbox.put_files({f"repo/{p}": c.encode() if isinstance(c, str) else c for p, c in files.items()})
        workspace = Workspace(sandbox, root="repo", target_globs=targets)
        return EditSession(workspace, tools, bash_timeout=bash_timeout, elisions=elisions)

    return make


def read(session: EditSession, path: str) -> str:
    return session.context.workspace.read_text(path)
