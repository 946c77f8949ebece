"""EditSession: the agent's contract with the edit tools."""

from __future__ import annotations

from typing import Any

import pytest
from structlog.testing import capture_logs

import pipelines.edit
from pipelines.edit import ToolResult
from sandbox.base import SandboxError
from tests.pipelines.edit.conftest import ALL_TOOLS, MakeSession, read

STATS = """def mean(values):
    total = 0.0
    for value in values:
        total += value
    return total / len(values)
"""

DESIGN_INPUTS = {
    "view_file": ({"path"}, {"path", "start_line", "end_line"}),
    "replace": ({"path", "old", "new"}, {"path", "old", "new"}),
    "write_file": ({"path", "content"}, {"path", "content"}),
    "rewrite_symbol": ({"symbol", "code"}, {"symbol", "code"}),
    "bash": ({"command"}, {"command"}),
}


def test_the_package_exports_only_its_contract() -> None:
    assert sorted(pipelines.edit.__all__) == sorted(
        ["TOOLS", "EditContext", "EditError", "EditSession", "EditTool", "Location", "ToolRefused", "ToolResult"]
    )


def test_specs_are_anthropic_tool_definitions_with_the_design_inputs(make_session: MakeSession) -> None:
    session = make_session({"src/stats.py": STATS}, tools=[*ALL_TOOLS, "evaluate", "finish"])
    specs = {spec["name"]: spec for spec in session.specs()}
    assert list(specs) == list(ALL_TOOLS)
    for name, (required, properties) in DESIGN_INPUTS.items():
        spec = specs[name]
        assert set(spec) == {"name", "description", "input_schema"}
        assert spec["description"]
        assert spec["input_schema"]["type"] == "object"
        assert (set(spec["input_schema"]["required"]), set(spec["input_schema"]["properties"])) == (
            required,
            properties,
        )


def test_only_the_requested_tools_are_offered_and_callable(make_session: MakeSession) -> None:
    session = make_session({"src/stats.py": STATS}, tools=["view_file", "finish"])
    assert [spec["name"] for spec in session.specs()] == ["view_file"]
    result = session.call("replace", {"path": "src/stats.py", "old": "0.0", "new": "0"})
    assert (result.ok, result.changed) == (False, [])
    assert "Unknown tool 'replace'" in result.text and "view_file" in result.text
    assert read(session, "src/stats.py") == STATS


@pytest.mark.parametrize(
    "args",
    [
        None,
        [],
        "src/stats.py",
        {"path": None, "old": "a", "new": "b"},
        {"path": "src/stats.py", "old": True, "new": "b"},
    ],
)
def test_malformed_arguments_never_raise(make_session: MakeSession, args: Any) -> None:
    session = make_session({"src/stats.py": STATS})
    result = session.call("replace", args)
    assert result.ok is False
    assert "replace takes path (string), old (string), new (string)" in result.text


def test_a_successful_edit_reports_what_changed_and_where(make_session: MakeSession) -> None:
    session = make_session({"src/stats.py": STATS})
    result = session.call(
        "replace", {"path": "src/stats.py", "old": "        total += value\n", "new": "        total += float(value)\n"}
    )
    assert isinstance(result, ToolResult)
    assert (result.ok, result.changed) == (True, ["src/stats.py"])
    assert [(loc.path, loc.start_line, loc.end_line) for loc in result.locations] == [("src/stats.py", 4, 4)]
    assert "     4\t        total += float(value)" in result.text


def test_a_successful_edit_clears_the_escalation_count(make_session: MakeSession) -> None:
    session = make_session({"src/stats.py": STATS})
    wrong = {"path": "src/stats.py", "old": "total = 0.0\nfor value in values:\n", "new": "total = 0\n"}
    assert "failed" not in session.call("replace", wrong).text
    right = {"path": "src/stats.py", "old": "    total = 0.0\n", "new": "    total = 0\n"}
    assert session.call("replace", right).ok
    again = {"path": "src/stats.py", "old": "total = 0\nfor value in values:\n", "new": "total = 1\n"}
    assert "replace has failed" not in session.call("replace", again).text


def test_an_empty_old_is_refused_with_how_to_insert(make_session: MakeSession) -> None:
    session = make_session({"src/stats.py": STATS})
    result = session.call("replace", {"path": "src/stats.py", "old": "", "new": "import math\n"})
    assert (result.ok, "To insert text" in result.text) == (False, True)


def test_view_file_shows_a_window_of_a_long_file_and_says_how_to_see_more(make_session: MakeSession) -> None:
    session = make_session({"src/long.py": "".join(f"x{i} = {i}\n" for i in range(1, 451))})
    result = session.call("view_file", {"path": "src/long.py"})
    assert "lines 1-400 of 450" in result.text
    assert "   400\tx400 = 400" in result.text and "x401" not in result.text
    assert "call view_file with start_line=401" in result.text
    tail = session.call("view_file", {"path": "src/long.py", "start_line": 449, "end_line": -1})
    assert tail.text.splitlines()[1:] == ["   449\tx449 = 449", "   450\tx450 = 450"]


def test_view_file_refuses_binary_files(make_session: MakeSession) -> None:
    session = make_session({"src/blob.bin": bytes([0xFF, 0xFE, 0x00, 0x80])})
    result = session.call("view_file", {"path": "src/blob.bin"})
    assert (result.ok, "not UTF-8 text" in result.text) == (False, True)


def test_replace_in_a_non_utf8_target_is_refused(make_session: MakeSession) -> None:
    session = make_session({"src/latin.py": "s = 'caf\xe9'\n".encode("latin-1")})
    result = session.call("replace", {"path": "src/latin.py", "old": "s", "new": "t"})
    assert (result.ok, "is not UTF-8 text" in result.text) == (False, True)


def test_bash_reports_but_does_not_raise_when_the_command_cannot_start(make_session: MakeSession) -> None:
    session = make_session({"src/stats.py": STATS})
    result = session.call("bash", {"command": "definitely-not-a-command-xyz"})
    assert result.ok is False
    assert "Exit code 127" in result.text


def test_tools_see_edits_made_by_each_other(make_session: MakeSession) -> None:
    session = make_session({"src/stats.py": STATS})
    assert session.call("bash", {"command": "sed -i 's/total = 0.0/total = 0/' src/stats.py"}).ok
    session.begin_turn()
    assert session.call(
        "rewrite_symbol",
        {"symbol": "src/stats.py::mean", "code": "def mean(values):\n    return sum(values) / len(values)\n"},
    ).ok
    session.begin_turn()
    view = session.call("view_file", {"path": "src/stats.py"})
    assert view.text.splitlines()[1:] == ["     1\tdef mean(values):", "     2\t    return sum(values) / len(values)"]


def test_a_tool_crash_on_unforeseen_input_becomes_a_failed_call(make_session: MakeSession, monkeypatch: Any) -> None:
    session = make_session({"src/stats.py": STATS})

    def explode(self: object, args: object) -> ToolResult:
        raise ValueError("unforeseen")

    monkeypatch.setattr("pipelines.edit.replace.Replace.run", explode)
    with capture_logs() as logs:
        result = session.call("replace", {"path": "src/stats.py", "old": "a", "new": "b"})
    assert (result.ok, "replace failed unexpectedly (ValueError: unforeseen)" in result.text) == (False, True)
    assert [entry["event"] for entry in logs] == ["edit.tool_crashed"]


def test_a_sandbox_failure_is_not_hidden_from_the_agent(make_session: MakeSession, monkeypatch: Any) -> None:
    session = make_session({"src/stats.py": STATS})

    def gone(self: object, path: str) -> str:
        raise SandboxError("the container is gone")

    monkeypatch.setattr("pipelines.edit.workspace.Workspace.read_text", gone)
    with pytest.raises(SandboxError, match="container is gone"):
        session.call("view_file", {"path": "src/stats.py"})


def test_the_bash_description_tells_the_truth_about_isolation(make_session: MakeSession) -> None:
    session = make_session({"src/stats.py": STATS}, tools=["bash"])
    [spec] = session.specs()
    assert "on this machine (no isolation)" in spec["description"]
    assert "src/*.py" in spec["description"]
