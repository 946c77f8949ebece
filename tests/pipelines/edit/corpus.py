"""The edit-tool corpus: realistic model tool calls with the outcome each should have, and a runner.

Each `corpus/*.yaml` file is a list of cases:

    - name: replace_with_wrong_indentation      # unique
      mode: wrong indentation                   # the failure mode it samples
      files: {src/stats.py: "..."}              # the repo (only these files)
      targets: [src/*.py]                       # optional, default [src/*.py]
      crlf: [src/win.py]                        # optional: files stored with CRLF newlines
      tab: "→"                                  # optional: this character stands for a tab in every string
      bash_timeout: 1                           # optional
      calls:                                    # replayed in order; `- turn: new` starts a new assistant turn
        - tool: replace
          args: {path: src/stats.py, old: "...", new: "..."}
          expect:
            outcome: applied | not_applied | flagged   # flagged: applied, with a warning in `says`
            says: ["lines 4-6"]                  # substrings the reply must contain
            points_at: [4, 6]                    # lines the reply's first location must overlap
      final_edits: {src/stats.py: [[old, new]]} # optional: the expected change (each old occurs once)
      final: {src/stats.py: "..."}              # optional: files after all calls (null: removed); others unchanged
      known_gap: "why the tools get this wrong today"   # optional: the case fails on purpose (counted by the bench)

A call is *applied* when the reply is ok and some file changed, *not applied* when no file changed.
Both the tests (test_corpus.py) and the figures (bench/edit_tools.py) run the corpus through `run_case`.
"""

from __future__ import annotations

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
OUTCOMES = ("applied", "not_applied", "flagged")


@dataclass
class CallRecord:
    tool: str
    expected: str
    actual: str
    result: ToolResult
    problems: list[str] = field(default_factory=list)
    points_at: tuple[int, int] | None = None
    hit_first: bool = False
    hit_any: bool = False
    naive_applied: bool | None = None
    seconds: float = 0.0
    """Wall time of the tool call alone."""
    """Whether a naive tool would have changed the repo with this call (see `_naive_applies`)."""


@dataclass
class CaseRun:
    name: str
    mode: str
    calls: list[CallRecord]
    problems: list[str]
    """Every way the run differs from the case's expectations ([] when it passed)."""


def load_cases(corpus: Path = CORPUS) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = []
    for path in sorted(corpus.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            case["source"] = path.name
            cases.append(_decoded(case, case.get("tab")))
    names = [c["name"] for c in cases]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"corpus case names must be unique: {sorted(duplicates)}")
    return cases


def run_case(case: Mapping[str, Any], sandbox: Sandbox | None = None) -> CaseRun:
    """Replay `case` and compare every reply and the final files with the case. It runs in a fresh local sandbox,
    or in a fresh directory of `sandbox` (a started one the caller owns)."""
    if sandbox is None:
        with LocalSandbox(label="perfbot-edit-corpus") as box:
            return _run(case, box, "repo")
    return _run(case, sandbox, f"corpus-{uuid.uuid4().hex[:12]}")


def _run(case: Mapping[str, Any], sandbox: Sandbox, root: str) -> CaseRun:
    crlf = set(case.get("crlf", []))
    files = {path: _stored(path, text, crlf) for path, text in case["files"].items()}
    sandbox.put_files({f"{root}/{p}": t.encode() for p, t in files.items()})
    workspace = Workspace(sandbox, root=root, target_globs=case.get("targets", ["src/*.py"]))
    session = EditSession(workspace, case.get("tools", ALL_TOOLS), bash_timeout=case.get("bash_timeout", 30))
    records = list(_replay(session, workspace, case["calls"]))
    problems = [f"call {i + 1} ({r.tool}): {p}" for i, r in enumerate(records) for p in r.problems]
    expected = {p: _stored(p, t, crlf) for p, t in _expected_files(case).items()}
    actual = _contents(workspace)
    for path in sorted(expected.keys() | actual.keys()):
        if expected.get(path) != actual.get(path):
            problems.append(f"final {path}: expected {expected.get(path)!r}, got {actual.get(path)!r}")
    return CaseRun(case["name"], case.get("mode", ""), records, problems)


def _replay(session: EditSession, workspace: Workspace, calls: list[dict[str, Any]]) -> Iterator[CallRecord]:
    for call in calls:
        if call.get("turn") == "new":
            session.begin_turn()
            continue
        before = _contents(workspace)
        started = time.perf_counter()
        result = session.call(call["tool"], call.get("args", {}))
        seconds = time.perf_counter() - started
        changed = _contents(workspace) != before
        actual = "not_applied" if not changed else "flagged" if "WARNING" in result.text else "applied"
        if changed and not result.ok and call["tool"] != "bash":
            actual = "changed_but_refused"
        record = _check(call, result, actual)
        record.naive_applied = _naive_applies(call, before, result, changed)
        record.seconds = seconds
        yield record


def _naive_applies(
    call: Mapping[str, Any], before: Mapping[str, str], result: ToolResult, changed: bool
) -> bool | None:
    """Whether a naive tool would have changed the repo: first-match str.replace, a write_file that writes
    anything, a bash that keeps every change. None for tools with no naive counterpart."""
    args, tool = call.get("args", {}), call["tool"]
    if tool == "replace":
        old, new, path = args.get("old"), args.get("new"), args.get("path")
        return isinstance(old, str) and bool(old) and old != new and old in before.get(str(path), "")
    if tool == "write_file":
        return isinstance(args.get("content"), str) and args["content"] != before.get(str(args.get("path")))
    if tool == "bash":
        return changed or "Reverted" in result.text
    return None


def _check(call: Mapping[str, Any], result: ToolResult, actual: str) -> CallRecord:
    expect = call.get("expect", {})
    record = CallRecord(call["tool"], expect.get("outcome", actual), actual, result)
    if record.expected not in OUTCOMES:
        record.problems.append(f"unknown outcome {record.expected!r}")
    if record.expected != actual:
        record.problems.append(f"expected {record.expected}, got {actual}: {result.text[:400]!r}")
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


def _expected_files(case: Mapping[str, Any]) -> dict[str, str]:
    """The case's files after applying `final_edits` ([old, new] pairs, each old unique) and `final`."""
    files = dict(case["files"])
    for path, pairs in case.get("final_edits", {}).items():
        for old, new in pairs:
            if files[path].count(old) != 1:
                raise ValueError(f"{case['name']}: final_edits old {old!r} must occur once in {path}")
            files[path] = files[path].replace(old, new)
    files.update(case.get("final", {}))
    return {p: t for p, t in files.items() if t is not None}


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
