"""Failure modes of one run, read from its trace and its measured candidates.

edit failures by kind   refused edit-tool calls, classified by the refusal the model was shown
evaluation calls        measurements (asked for by the agent or scheduled) per step
tunnel vision           consecutive candidates of one agent whose diffs are nearly the same
budget exhaustion       how agents ended: finished, step limit, budget, malformed calls, model error

External agents leave no trace, only their log: `log_failures` counts what their log says went wrong (Aider:
malformed edits, edits whose SEARCH text matched nothing, lint errors it was shown, reflections used up) and
whether the agent was stopped by the timeout.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from pipelines.evaluate import CandidateResult

EDIT_TOOLS = ("replace", "write_file", "rewrite_symbol")
TUNNEL_SIMILARITY = 0.9
"""Two consecutive candidates whose diffs are at least this similar (difflib ratio) count as 'differ little'."""

# First match wins: the order goes from the most specific refusal to the most general.
_KINDS: list[tuple[str, re.Pattern[str]]] = [
    ("already applied", re.compile(r"already applied|looks applied already|Don't resend", re.I)),
    ("ambiguous match", re.compile(r"matches \d+ places", re.I)),
    ("no match", re.compile(r"No match|does not appear verbatim|No definition", re.I)),
    ("elision", re.compile(r"leaves out code|placeholder", re.I)),
    ("syntax error", re.compile(r"would not parse|does not parse|cut off", re.I)),
    ("not editable", re.compile(r"not an editable file|outside the repo|not a path", re.I)),
    ("no-op", re.compile(r"identical|would change nothing", re.I)),
    ("malformed call", re.compile(r"unknown argument|missing argument|must be an object|Unknown tool", re.I)),
]


_LOG_MODES: dict[str, list[tuple[str, re.Pattern[str]]]] = {
    "aider": [
        ("no-match edit", re.compile(r"SearchReplaceNoExactMatch")),
        (
            "malformed edit",
            re.compile(
                r"did not conform to the edit format|Malformed (?:ORIGINAL/UPDATE|SEARCH/REPLACE|response)", re.I
            ),
        ),
        ("lint errors", re.compile(r"# Fix any errors below")),
        ("reflections used up", re.compile(r"Only \d+ reflections allowed")),
    ],
}


def log_failures(parser: str, log: str, timed_out: bool) -> dict[str, int]:
    """Failure modes counted in an external agent's log (parser: its usage parser's name, e.g. 'aider')."""
    counts = {mode: len(pattern.findall(log)) for mode, pattern in _LOG_MODES.get(parser, [])}
    counts["timeout"] = int(timed_out)
    return {mode: n for mode, n in counts.items() if n}


def edit_failure_kind(message: str) -> str:
    for kind, pattern in _KINDS:
        if pattern.search(message):
            return kind
    return "other"


def summarize(events: Iterable[dict[str, Any]], results: Sequence[CandidateResult]) -> dict[str, Any]:
    """The failure-mode numbers of one run (all counts, so runs can be added up)."""
    edit_calls, failures = 0, Counter[str]()
    steps, evaluate_calls, measured, ends = 0, 0, 0, Counter[str]()
    for event in events:
        kind = event.get("type")
        if kind == "tool_call" and event.get("name") in EDIT_TOOLS:
            edit_calls += 1
            if not event.get("ok"):
                failures[edit_failure_kind(str(event.get("result", "")))] += 1
        elif kind == "tool_call" and event.get("name") == "evaluate":
            evaluate_calls += 1
        elif kind == "model_call":
            steps += 1
        elif kind == "evaluation":
            measured += 1
        elif kind == "agent_end":
            ends[str(event.get("reason"))] += 1
    pairs, similar = tunnel_vision(results)
    return {
        "edit_calls": edit_calls,
        "edit_failures": sum(failures.values()),
        "edit_failures_by_kind": dict(failures),
        "steps": steps,
        "evaluate_calls": evaluate_calls,
        "measured": measured,
        "agent_ends": dict(ends),
        "candidate_pairs": pairs,
        "similar_pairs": similar,
    }


def tunnel_vision(results: Sequence[CandidateResult]) -> tuple[int, int]:
    """(consecutive candidate pairs of the same agent, how many of them differ little)."""
    by_agent: dict[str, list[str]] = {}
    for result in results:
        agent = result.id.split("-")[0]
        if agent != "combined":
            by_agent.setdefault(agent, []).append(result.diff)
    pairs = similar = 0
    for diffs in by_agent.values():
        for before, after in itertools.pairwise(diffs):
            pairs += 1
            if difflib.SequenceMatcher(None, before, after, autojunk=False).ratio() >= TUNNEL_SIMILARITY:
                similar += 1
    return pairs, similar


def correctness_failures(results: Sequence[CandidateResult]) -> int:
    """Candidates rejected because they changed behaviour: tests failed, outputs differed or the benchmark
    crashed on them (a candidate rejected only for being too slow has a score and does not count)."""
    return sum(1 for r in results if not r.accepted and r.score is None and "target.files" not in r.reason)
