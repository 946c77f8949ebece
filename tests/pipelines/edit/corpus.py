"""The edit-tool corpus: realistic model tool calls with the outcome each should have, and one runner for them.

The contract (one JSON object per line, `load_jsonl`):

    {"name": "...", "files": {path: text}, "targets": [globs],
     "calls": [{"tool": "replace", "args": {...}} | {"turn": true}, ...],
     "expect": OUTCOME or [OUTCOME, ...],      # acceptable outcomes of the last call
     "label": "elision" | "legit" | null,      # is the last call an elision, or legitimate code that looks like one?
     "final": {path: text | null},             # optional: these files must end so (null: must not exist)
     "elisions": "refuse" | "resolve"}         # optional: agent.elisions for this case (default resolve)

    OUTCOME: applied (the edit as sent), refused (nothing changed), resolved (applied with elided original code put
    back), reverted (a command's changes undone), flagged (applied with a WARNING).

The project's own corpus (`corpus/*.yaml`, `load_cases`) has the same fields written as YAML, and more per case:

    - name: replace_with_wrong_indentation      # unique
      mode: wrong indentation                   # the failure mode it samples
      source: "aider#1832"                      # where models were seen writing this (docs/editing.md lists them)
      label: elision                            # as in the contract (default null)
      elisions: refuse                          # optional: agent.elisions for this case (default resolve)
      files: {src/stats.py: "..."}              # the repo (only these files)
      targets: [src/*.py]                       # optional, default [src/*.py]
      crlf: [src/win.py]                        # optional: files stored with CRLF newlines
      tab: "→"                                  # optional: this character stands for a tab in every string
      bash_timeout: 1                           # optional
      calls:                                    # replayed in order; `- turn: new` starts a new assistant turn
        - tool: replace
          args: {path: src/stats.py, old: "...", new: "..."}
          expect:
            outcome: refused                     # or a list of acceptable outcomes
            says: ["lines 4-6"]                  # substrings the reply must contain (never_says: must not)
            points_at: [4, 6]                    # lines the reply's first location must overlap
      final_edits: {src/stats.py: [[old, new]]} # optional: the expected change (each old occurs once)
      final: {src/stats.py: "..."}              # optional: files after all calls (null: removed); others unchanged
      known_gap: "why the tools get this wrong today"   # optional: the case fails on purpose

Both the tests (test_corpus.py) and the figures (bench/edit_tools.py) run cases through `run_case`.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipelines.edit import EditSession, ToolResult
from pipelines.edit.workspace import SKIPPED_DIRS, Workspace
from sandbox.base import Sandbox
from sandbox.local import LocalSandbox

CORPUS = Path(__file__).with_name("corpus")
ALL_TOOLS = ("view_file", "replace", "write_file", "rewrite_symbol", "bash")
OUTCOMES = ("applied", "refused", "resolved", "reverted", "flagged")
LABELS = ("elision", "legit", None)
CONTRACT_KEYS = {"name", "files", "targets", "calls", "expect", "label", "final", "elisions"}
"""The contract's keys, and `elisions` (agent.elisions for the case; optional, default resolve)."""
Case = dict[str, Any]


@dataclass
class CallRecord:
    tool: str
    expected: list[str] | None
    """Acceptable outcomes (None: not checked)."""
    actual: str
    result: ToolResult
    problems: list[str] = field(default_factory=list)
    points_at: tuple[int, int] | None = None
    hit_first: bool = False
    hit_any: bool = False
    seconds: float = 0.0
    """Wall time of the tool call alone."""


@dataclass
class CaseRun:
    name: str
    label: str | None
    tool: str
    """The tool of the last call (the one `expect` is about)."""
    outcome: str
    expected: list[str]
    calls: list[CallRecord]
    problems: list[str]
    """Every way the run differs from the case's expectations ([] when it is right)."""

    @property
    def right(self) -> bool:
        return not self.problems


def load_cases(corpus: Path = CORPUS) -> list[Case]:
    """The project's corpus (every `*.yaml` of `corpus`), in contract form plus the YAML-only keys."""
    cases = []
    for path in sorted(corpus.glob("*.yaml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8")):
            cases.append(_from_yaml(_decoded(raw, raw.get("tab")), path.name))
    return _unique(cases)


def load_jsonl(path: Path) -> list[Case]:
    """A corpus in the contract's JSON Lines form; a ValueError names the line and what is wrong."""
    cases = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            cases.append(_checked(json.loads(line)))
        except (ValueError, TypeError) as e:
            raise ValueError(f"{path}:{number}: {e}") from e
    return _unique(cases)


def contract(case: Case) -> dict[str, Any]:
    """`case` as one line of the contract (the YAML-only keys dropped)."""
    calls = [{"turn": True} if "turn" in c else {"tool": c["tool"], "args": c.get("args", {})} for c in case["calls"]]
    line = {key: case[key] for key in CONTRACT_KEYS if key in case}
    return {**line, "calls": calls}


def run_case(case: Case, sandbox: Sandbox | None = None) -> CaseRun:
    """Replay `case` and compare it with its expectations. It runs in a fresh local sandbox, or in a fresh
    directory of `sandbox` (a started one the caller owns)."""
    if sandbox is None:
        with LocalSandbox(label="perfbot-edit-corpus") as box:
            return _run(case, box, "repo")
    return _run(case, sandbox, f"corpus-{uuid.uuid4().hex[:12]}")


def outcome_of(tool: str, result: ToolResult, changed: bool) -> str:
    """What one call did, in the contract's words."""
    if result.resolved:
        return "resolved"
    if result.reverted and not changed:
        return "reverted"
    if changed and not result.ok and tool != "bash":
        return "changed_but_refused"
    if changed:
        return "flagged" if "WARNING" in result.text else "applied"
    return "applied" if result.ok else "refused"


def _run(case: Case, sandbox: Sandbox, root: str) -> CaseRun:
    sandbox.put_files({f"{root}/{p}": t.encode() for p, t in case["files"].items()})
    workspace = Workspace(sandbox, root=root, target_globs=case["targets"])
    options = {"bash_timeout": case.get("bash_timeout", 30), "elisions": case.get("elisions", "resolve")}
    session = EditSession(workspace, case.get("tools", ALL_TOOLS), **options)
    records = list(_replay(session, workspace, case["calls"]))
    problems = [f"call {i + 1} ({r.tool}): {p}" for i, r in enumerate(records) for p in r.problems]
    last = records[-1]
    if last.actual not in case["expect"]:
        problems.append(f"last call: expected {' or '.join(case['expect'])}, got {last.actual}: {last.result.text!r}")
    actual = _contents(workspace)
    final = case.get("final") or {}
    paths = sorted(final.keys() | actual.keys()) if case.get("final_complete") else sorted(final)
    problems += [
        f"final {p}: expected {final.get(p)!r}, got {actual.get(p)!r}" for p in paths if final.get(p) != actual.get(p)
    ]
    return CaseRun(case["name"], case.get("label"), last.tool, last.actual, case["expect"], records, problems)


def _replay(session: EditSession, workspace: Workspace, calls: list[dict[str, Any]]) -> Iterator[CallRecord]:
    for call in calls:
        if "turn" in call:
            session.begin_turn()
            continue
        before = _contents(workspace)
        started = time.perf_counter()
        result = session.call(call["tool"], call.get("args", {}))
        seconds = time.perf_counter() - started
        record = _check(call, result, outcome_of(call["tool"], result, _contents(workspace) != before))
        record.seconds = seconds
        yield record


def _check(call: Mapping[str, Any], result: ToolResult, actual: str) -> CallRecord:
    expect = call.get("expect", {})
    record = CallRecord(call["tool"], expect.get("outcome"), actual, result)
    if record.expected is not None and actual not in record.expected:
        record.problems.append(f"expected {' or '.join(record.expected)}, got {actual}: {result.text[:400]!r}")
    record.problems += [
        f"reply lacks {s!r}: {result.text[:600]!r}" for s in expect.get("says", []) if s not in result.text
    ]
    record.problems += [f"reply has {s!r}" for s in expect.get("never_says", []) if s in result.text]
    if "points_at" in expect:
        start, end = expect["points_at"]
        record.points_at = (start, end)
        hits = [loc.start_line <= end and start <= loc.end_line for loc in result.locations]
        record.hit_first, record.hit_any = bool(hits and hits[0]), any(hits)
        if not record.hit_first:
            record.problems.append(f"first location {result.locations[:1]} does not overlap lines {start}-{end}")
    return record


def _from_yaml(raw: dict[str, Any], source: str) -> Case:
    """A YAML case in contract form: CRLF files stored as such, the expected final files spelled out."""
    crlf = set(raw.get("crlf", []))
    case = {**raw, "origin": source, "targets": raw.get("targets", ["src/*.py"])}
    case["files"] = {p: _stored(p, t, crlf) for p, t in raw["files"].items()}
    case["calls"] = [
        {**c, "expect": {**c["expect"], "outcome": _outcomes(c["expect"]["outcome"])}} if "tool" in c else c
        for c in raw["calls"]
    ]
    case["expect"] = _outcomes(raw["calls"][-1]["expect"]["outcome"])
    case["final"] = {p: None if t is None else _stored(p, t, crlf) for p, t in _expected_files(raw).items()}
    case["final_complete"] = True
    return _checked(case)


def _checked(case: Any) -> Case:
    if not isinstance(case, dict):
        raise TypeError("a case must be an object")
    missing = {"name", "files", "calls", "expect"} - case.keys()
    if missing:
        raise ValueError(f"case {case.get('name')!r} lacks {sorted(missing)}")
    case = {"targets": ["src/*.py"], "label": None, **case, "expect": _outcomes(case["expect"])}
    if case["label"] not in LABELS:
        raise ValueError(f"case {case['name']!r}: label must be one of {LABELS}, not {case['label']!r}")
    if not [c for c in case["calls"] if "tool" in c]:
        raise ValueError(f"case {case['name']!r} has no tool call")
    return case


def _outcomes(value: str | list[str]) -> list[str]:
    outcomes = [value] if isinstance(value, str) else list(value)
    unknown = [o for o in outcomes if o not in OUTCOMES]
    if unknown or not outcomes:
        raise ValueError(f"unknown outcome {unknown or outcomes}: expected one or more of {OUTCOMES}")
    return outcomes


def _unique(cases: list[Case]) -> list[Case]:
    names = [c["name"] for c in cases]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"corpus case names must be unique: {sorted(duplicates)}")
    return cases


def _expected_files(case: Mapping[str, Any]) -> dict[str, str | None]:
    """The case's files after applying `final_edits` ([old, new] pairs, each old unique) and `final`."""
    files: dict[str, str | None] = dict(case["files"])
    for path, pairs in case.get("final_edits", {}).items():
        for old, new in pairs:
            text = files[path] or ""
            if text.count(old) != 1:
                raise ValueError(f"{case['name']}: final_edits old {old!r} must occur once in {path}")
            files[path] = text.replace(old, new)
    files.update(case.get("final", {}))
    return files


def _contents(workspace: Workspace) -> dict[str, str]:
    """Every file of the repo; from a local sandbox straight from its directory (faster than a snapshot)."""
    if not isinstance(workspace.sandbox, LocalSandbox):
        return {path: workspace.read_text(path) for path in workspace.snapshot()}
    root = Path(workspace.sandbox.workspace) / workspace.root
    return {
        path.relative_to(root).as_posix(): path.read_bytes().decode()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not set(SKIPPED_DIRS).intersection(path.relative_to(root).parts)
    }


def _stored(path: str, text: str, crlf: set[str]) -> str:
    return text.replace("\n", "\r\n") if path in crlf else text


def _decoded(value: Any, tab: str | None) -> Any:
    """`value` with the case's tab stand-in turned into real tabs, in every string at any depth."""
    if tab is None:
        return value
    if isinstance(value, str):
        return value.replace(tab, "\t")
    if isinstance(value, list):
        return [_decoded(v, tab) for v in value]
    if isinstance(value, dict):
        return {k: _decoded(v, tab) for k, v in value.items()}
    return value
