"""What the model is told: every case issue 16 lists gets a message it can act on."""

from __future__ import annotations

import pytest

from pipelines.config import parse_config
from pipelines.errors import ConfigError
from tests.pipelines.edit.conftest import GEO, MakeSession, read

ELIDED = GEO.replace("    dx = a[0] - b[0]\n    dy = a[1] - b[1]\n", "    # ... existing code ...\n").replace(
    "sqrt(sum(x * x for x in v))", "hypot(*v)"
)


def test_a_resolved_write_says_what_was_put_back_where_and_how_to_delete_on_purpose(make_session: MakeSession) -> None:
    session = make_session({"src/geo.py": GEO})
    result = session.call("write_file", {"path": "src/geo.py", "content": ELIDED})
    assert result.ok and read(session, "src/geo.py") == GEO.replace("sqrt(sum(x * x for x in v))", "hypot(*v)")
    assert (
        "- your line 5 `# ... existing code ...` stood where the original has lines 5-6 (in dist: "
        "`dx = a[0] - b[0]` … `dy = a[1] - b[1]`); they are now lines 5-6" in result.text
    )
    assert "use replace with it as old and an empty new" in result.text
    assert [(loc.start_line, loc.end_line) for loc in result.resolved] == [(5, 6)]


def test_a_refusal_names_the_lost_lines_and_the_way_out_and_no_tool_that_would_refuse_too(
    make_session: MakeSession,
) -> None:
    session = make_session({"src/geo.py": GEO}, elisions="refuse")
    result = session.call("write_file", {"path": "src/geo.py", "content": ELIDED})
    assert not result.ok and read(session, "src/geo.py") == GEO
    assert "your line 5 `# ... existing code ...` stands where src/geo.py has lines 5-6 (in dist" in result.text
    assert "use replace with that code as old and an empty new" in result.text
    assert "rewrite_symbol" not in result.text
    assert [(loc.start_line, loc.end_line) for loc in result.locations] == [(5, 6)]


def test_an_ambiguous_placeholder_is_refused_with_every_candidate_named(make_session: MakeSession) -> None:
    a = "class A:\n    def __init__(self):\n        self.a = 1\n\n    def f(self):\n        return self.a\n\n\n"
    b = a.replace("A", "B").replace(".a", ".b")
    drop = "    def __init__(self):\n        self.{0} = 1\n\n"
    session = make_session({"src/ab.py": a + b})
    content = a.replace(drop.format("a"), "") + b.replace(drop.format("b"), "") + "# __init__ as above\n"
    result = session.call("write_file", {"path": "src/ab.py", "content": content})
    assert not result.ok
    assert "could stand for any of 2 places in src/ab.py: 1. lines 2-3 (A.__init__" in result.text
    assert "2. lines 10-11 (B.__init__" in result.text and "Say which code you mean" in result.text


def test_a_write_that_drops_a_function_says_how_many_lines_went_and_which_def(make_session: MakeSession) -> None:
    session = make_session({"src/geo.py": GEO})
    result = session.call("write_file", {"path": "src/geo.py", "content": GEO.split("\n\ndef norm")[0] + "\n"})
    assert result.ok
    assert "2 lines deleted (original lines 10-11): `def norm(v):`" in result.text


def test_no_match_names_a_non_breaking_space_and_its_column(make_session: MakeSession) -> None:
    session = make_session({"src/t.py": 'SEP = "\xa0: "\nx = 1\n'})
    result = session.call("replace", {"path": "src/t.py", "old": 'SEP = " : "\n', "new": 'SEP = ": "\n'})
    assert (
        "line 1 of the file has a non-breaking space (U+00A0) at column 8 where the other has a plain space"
    ) in result.text


def test_no_match_names_a_carriage_return_in_a_file_with_mixed_newlines(make_session: MakeSession) -> None:
    session = make_session({"src/m.py": "def f(x):\r\n    return x + 1\n"})
    result = session.call("replace", {"path": "src/m.py", "old": "def f(x):\n", "new": "def f(y):\n"})
    assert "line 1 of the file ends with a carriage return (\\r, a CRLF line ending)" in result.text
    assert "the file mixes CRLF and LF line endings" in result.text


PROPERTY = (
    "class C:\n    @property\n    def size(self):\n        return 1\n\n    @size.setter\n    def size(self, v):\n"
)
BRANCHES = "import os\n\nif os.name == 'nt':\n    def home():\n        return 'C:'\nelse:\n    def home():\n"


@pytest.mark.parametrize(
    ("text", "symbol", "says", "places"),
    [
        (PROPERTY, "C.sise", ["Nearest existing: src/m.py::C.size (defined 2 times: lines 2, 6)."], [(2, 4), (6, 8)]),
        (
            BRANCHES,
            "home",
            [
                "home is defined inside a block, not at the top level of the module or a class (lines 4-5, in the "
                "if/else block at line 3; lines 7-8, in the if/else block at line 3)",
                "Use replace with the lines of the one you mean as old",
            ],
            [(4, 5), (7, 8)],
        ),
    ],
    ids=["names_each_nearest_definition_once", "locates_definitions_inside_if_else"],
)
def test_an_unknown_symbol_is_answered_with_every_definition_of_the_name_located(
    make_session: MakeSession, text: str, symbol: str, says: list[str], places: list[tuple[int, int]]
) -> None:
    session = make_session({"src/m.py": text + "        return '/'\n"})
    result = session.call("rewrite_symbol", {"symbol": f"src/m.py::{symbol}", "code": "def x():\n    return 2\n"})
    assert [s for s in says if s not in result.text] == []
    assert [(loc.start_line, loc.end_line) for loc in result.locations] == places


def test_a_command_that_turns_crlf_into_lf_says_so(make_session: MakeSession) -> None:
    session = make_session({"src/w.py": "x = 1\r\ny = 2\r\n"})
    result = session.call("bash", {"command": "printf 'x = 1\\ny = 3\\n' > src/w.py"})
    assert "+y = 3" in result.text
    assert "NOTE: the command changed the line endings of src/w.py from CRLF to LF on every line" in result.text


def test_a_command_that_leaves_a_placeholder_gets_a_warning_with_the_region(make_session: MakeSession) -> None:
    session = make_session({"src/geo.py": GEO})
    session.context.workspace.sandbox.put_files({"repo/new.txt": ELIDED.encode()})
    result = session.call("bash", {"command": "cp new.txt src/geo.py"})
    assert "WARNING: the command left placeholders in src/geo.py." in result.text
    assert "its line 5 `# ... existing code ...` stood where the original has lines 5-6" in result.text
    assert [(loc.path, loc.start_line) for loc in result.resolved] == [("src/geo.py", 5)]


def test_a_command_that_elides_code_in_refuse_mode_is_undone_with_the_region_named(make_session: MakeSession) -> None:
    session = make_session({"src/geo.py": GEO}, elisions="refuse")
    session.context.workspace.sandbox.put_files({"repo/new.txt": ELIDED.encode()})
    result = session.call("bash", {"command": "cp new.txt src/geo.py"})
    assert read(session, "src/geo.py") == GEO and result.reverted == ["src/geo.py"]
    assert "so its change to src/geo.py was undone" in result.text
    assert "its line 5 `# ... existing code ...` stands where src/geo.py has lines 5-6" in result.text


def test_agent_elisions_is_validated_with_the_key_and_the_file() -> None:
    minimal = {"target": {"files": ["a.py"]}, "benchmark": {"entry": "a:f", "inputs": "a:g", "params": {"n": [1]}}}
    assert parse_config(minimal, "x.yml").agent.elisions == "resolve"
    assert parse_config({**minimal, "agent": {"elisions": "refuse"}}, "x.yml").agent.elisions == "refuse"
    with pytest.raises(ConfigError, match=r"x\.yml: invalid perfbot config:\n  agent\.elisions: expected 'resolve'"):
        parse_config({**minimal, "agent": {"elisions": "fix"}}, "x.yml")
