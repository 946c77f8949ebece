"""How a run got to its result, for report.html: each agent's steps rebuilt from `trace.jsonl` (what the model
said, every tool call with its input and result, the evaluations with the candidate's diff), and the selection
tree (baseline → rounds → agents → the candidates they proposed, the selected one marked).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pipelines.evaluate.results import CandidateResult
from pipelines.report.model import Report

MAX_TEXT = 20_000
"""Characters of one message, input or result shown on the page (the trace file has everything)."""


@dataclass
class Call:
    name: str
    input: str
    ok: bool
    changed: bool
    result: str


@dataclass
class Evaluation:
    candidate: str
    status: str
    score: float | None
    table: str
    diff: str


@dataclass
class Step:
    number: int
    texts: list[str] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    tokens: int = 0
    usd: float = 0.0


@dataclass
class AgentStory:
    name: str
    round: int | None = None
    model: str = ""
    system: str = ""
    task: str = ""
    steps: list[Step] = field(default_factory=list)
    after: list[Evaluation] = field(default_factory=list)
    """Evaluations of its proposals once it had stopped."""
    end: str = ""


@dataclass
class Node:
    label: str
    detail: str = ""
    css: str = ""
    children: list[Node] = field(default_factory=list)


def agent_stories(events: Iterable[dict[str, Any]], candidates: Iterable[CandidateResult]) -> list[AgentStory]:
    """One story per agent, in the order the agents started; events of unknown agents are left out."""
    diffs = {c.id: c.diff for c in candidates}
    stories: dict[str, AgentStory] = {}
    for event in events:
        name = str(event.get("agent"))
        kind = event.get("type")
        if kind == "agent_start":
            stories[name] = AgentStory(
                name, event.get("round"), str(event.get("model", "")), clip(str(event.get("system", "")))
            )
        elif name in stories:
            _add(stories[name], kind, event, diffs)
    return list(stories.values())


def _add(story: AgentStory, kind: Any, event: dict[str, Any], diffs: dict[str, str]) -> None:
    if kind == "model_call":
        if not story.steps:
            story.task = clip("\n\n".join(_texts_of(event.get("sent", []))))
        usage = event.get("usage") or {}
        step = Step(int(event.get("step") or len(story.steps) + 1))
        step.tokens = sum(int(usage.get(k, 0)) for k in ("input_tokens", "output_tokens", "cache_read_tokens"))
        step.usd = float(usage.get("usd", 0.0))
        step.texts = [clip(b["text"]) for b in event.get("reply", []) if b.get("type") == "text" and b.get("text")]
        story.steps.append(step)
    elif kind == "tool_call" and story.steps:
        story.steps[-1].calls.append(
            Call(
                str(event.get("name")),
                tool_input(str(event.get("name")), event.get("input")),
                bool(event.get("ok")),
                bool(event.get("changed")),
                clip(str(event.get("result", ""))),
            )
        )
    elif kind == "evaluation":
        candidate = str(event.get("candidate"))
        evaluation = Evaluation(
            candidate,
            str(event.get("status")),
            event.get("score"),
            clip(str(event.get("table") or event.get("reason", ""))),
            diffs.get(candidate, ""),
        )
        (story.after if story.end or not story.steps else story.steps[-1].evaluations).append(evaluation)
    elif kind == "agent_end":
        story.end = f"{event.get('reason')} after {event.get('steps')} step(s)" + (
            f": {clip(str(event['detail']), 300)}" if event.get("detail") else ""
        )


def tool_input(name: str, value: Any) -> str:
    """A tool call's input as a reader wants it: code as code, a replacement as a small diff."""
    if not isinstance(value, dict):
        return clip(json.dumps(value, ensure_ascii=False))
    if name == "replace" and {"old", "new"} <= set(value):
        old = "".join(f"-{line}\n" for line in str(value["old"]).splitlines())
        new = "".join(f"+{line}\n" for line in str(value["new"]).splitlines())
        return clip(f"{value.get('path', '')}\n{old}{new}")
    if name == "rewrite_symbol" and "code" in value:
        return clip(f"{value.get('symbol', '')}\n{value['code']}")
    if name == "write_file" and "content" in value:
        return clip(f"{value.get('path', '')}\n{value['content']}")
    if name == "bash" and "command" in value:
        return clip(f"$ {value['command']}")
    return clip(json.dumps(value, ensure_ascii=False, indent=1))


def selection_tree(report: Report) -> Node:
    """baseline → round → agent → its candidates; candidates of no agent (a combination, `perfbot evaluate`'s
    files) hang from the baseline."""
    base = report.baseline
    root = Node("baseline", f"A/A {base.aa_score:.3f}, noise floor {base.noise:.1%}, tests: {base.tests.summary}")
    placed: set[str] = set()
    rounds: dict[Any, Node] = {}
    for agent in report.agents:
        name, round_ = str(agent.get("id")), agent.get("round")
        mine = [c for c in report.candidates if c.id.startswith(f"{name}-")]
        placed |= {c.id for c in mine}
        node = Node(f"agent {name}", f"{agent.get('reason')} after {agent.get('steps')} step(s)")
        node.children = [_candidate_node(c, report.selected) for c in mine]
        if round_ not in rounds:
            rounds[round_] = Node(f"round {round_}")
            root.children.append(rounds[round_])
        rounds[round_].children.append(node)
    rest = [c for c in report.candidates if c.id not in placed]
    root.children += [_candidate_node(c, report.selected, with_origin=True) for c in rest]
    return root


def _candidate_node(c: CandidateResult, selected: str | None, *, with_origin: bool = False) -> Node:
    score = "" if "score" in c.reason or c.score is None else f" · score {c.score:.3f}"
    origin = f" · from {c.origin}" if with_origin else ""
    mark = " selected" if c.id == selected else ""
    return Node(c.id + (" ★ selected" if mark else ""), f"{c.status}{score}{origin} · {c.reason}", c.status + mark)


def clip(text: str, limit: int = MAX_TEXT) -> str:
    return text if len(text) <= limit else text[:limit] + f"\n… ({len(text) - limit} more characters in trace.jsonl)"


def _texts_of(messages: Any) -> list[str]:
    out = []
    for message in messages if isinstance(messages, list) else []:
        for block in message.get("content", []) if isinstance(message, dict) else []:
            if isinstance(block, dict) and block.get("type") == "text":
                out.append(str(block.get("text", "")))
    return out
