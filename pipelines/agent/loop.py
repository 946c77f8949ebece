"""One agent: ask the model, run its tool calls, feed the results back, until it finishes or a limit stops it.

`run()` repeats `step()`; a run ends by an `AgentStopped` exception whose class says why (finished, step limit,
budget, malformed calls, model error, interrupted); `finally` records the end in the trace. The agent edits through an
`EditSession` (view_file, replace, write_file, rewrite_symbol, bash) and owns two tools itself: `evaluate`
(measure the current state) and `finish` (propose it). Its states become `Candidate`s relative to the repo's
original files; `AgentOutcome` carries the final one and the best one an evaluation measured.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any

from pipelines.agent import replies
from pipelines.agent.own_tools import OWN_TOOLS
from pipelines.edit.base import check_args
from pipelines.edit.errors import ToolRefused
from pipelines.evaluate import Candidate
from pipelines.models import Model, ModelError, ModelReply, ModelRequest, Usage
from pipelines.models.pricing import Budget, BudgetExhausted
from pipelines.trace import Trace

MAX_ERRORS_IN_A_ROW = 3


@dataclass(frozen=True)
class Measurement:
    """What an evaluation of one state gave: the evaluator's result, the table the model sees, the verdict."""

    candidate: Candidate
    result: Any
    table: str
    accepted: bool
    score: float | None


@dataclass
class AgentOutcome:
    agent: str
    round: int
    reason: str
    detail: str
    steps: int
    summary: str = ""
    final: Candidate | None = None
    best: Measurement | None = None
    usage: Usage = field(default_factory=Usage)
    path: list[str] = field(default_factory=list)
    """The tools it called in order, each evaluation with its score (`evaluate 1.62`): its path, for the report."""


class AgentStopped(Exception):
    reason = "stopped"


class Finished(AgentStopped):
    reason = "finished"


class StepLimit(AgentStopped):
    reason = "step limit"


class OutOfBudget(AgentStopped):
    reason = "budget"


class TooManyErrors(AgentStopped):
    reason = "malformed tool calls"


class ModelFailed(AgentStopped):
    reason = "model error"


class Interrupted(AgentStopped):
    reason = "interrupted"


@dataclass
class Agent:
    name: str
    round: int
    model: Model
    session: Any
    """An `EditSession`: `specs()`, `begin_turn()`, `call(name, args) -> ToolResult(text, ok, changed)`."""
    workspace: Any
    original: dict[str, str]
    """Repo-relative path -> text of the target files as the repo has them (candidates are relative to this)."""
    system: str
    task: str
    steps: int
    evaluate: Callable[[Candidate], Measurement] | None
    evaluate_trigger: str = "agent"
    tool_names: list[str] = field(default_factory=lambda: [t["name"] for t in OWN_TOOLS])
    budget: Budget = field(default_factory=lambda: Budget(float("inf")))
    trace: Trace = field(default_factory=lambda: Trace(None))
    on_step: Callable[[str, int], None] = lambda agent, step: None
    activity: Callable[[], AbstractContextManager[None]] = nullcontext
    """Held while an edit tool runs (so a measurement can wait for quiet: see pipelines/select/measurer.py)."""
    stop: threading.Event = field(default_factory=threading.Event)
    """Set by the search (e.g. on Ctrl-C): the agent ends before its next step."""
    max_tokens: int = 8192

    def __post_init__(self) -> None:
        self.tools = [t for t in self.session.specs() if t["name"] in self.tool_names]
        self.tools += [t for t in OWN_TOOLS if t["name"] in self.tool_names]
        self.messages: list[dict[str, Any]] = [{"role": "user", "content": [{"type": "text", "text": self.task}]}]
        self.sent = 0
        self.step_count = 0
        self.errors_in_a_row = 0
        self.summary = ""
        self.usage = Usage()
        self.best: Measurement | None = None
        self.last_measured: dict[str, str] | None = None
        self.labels_used: dict[str, int] = {}
        self.path: list[str] = []

    def run(self) -> AgentOutcome:
        self.trace.write(
            "agent_start",
            agent=self.name,
            round=self.round,
            model=self.model.name,
            system=self.system,
            tools=self.tools,
        )
        outcome = AgentOutcome(self.name, self.round, "stopped", "", 0)
        try:
            while True:
                self.step()
        except AgentStopped as stop:
            outcome.reason, outcome.detail = stop.reason, str(stop)
        finally:
            outcome.steps, outcome.summary, outcome.usage = self.step_count, self.summary, self.usage
            outcome.path = self.path
            outcome.best, outcome.final = self.best, self.candidate("final")
            self.trace.write(
                "agent_end",
                agent=self.name,
                reason=outcome.reason,
                detail=outcome.detail,
                steps=self.step_count,
                usage=self.usage.as_dict(),
            )
        return outcome

    def step(self) -> None:
        if self.step_count >= self.steps:
            raise StepLimit(f"used all {self.steps} steps")
        if self.stop.is_set():
            raise Interrupted("the run was interrupted")
        try:
            self.budget.check()
        except BudgetExhausted as e:
            raise OutOfBudget(str(e)) from e
        self.step_count += 1
        self.on_step(self.name, self.step_count)
        reply = self.ask()
        calls = [block for block in reply.content if block.get("type") == "tool_use"]
        cut = calls[-1] if calls and reply.stop_reason == "max_tokens" else None
        self.session.begin_turn()
        results = [self.cut_off(b) if b is cut else self.call(b) for b in calls] or [self.no_tool_call(reply)]
        results += self.scheduled_evaluation(any(changed for _, changed in results))
        self.messages.append({"role": "user", "content": [block for block, _ in results]})
        if self.errors_in_a_row >= MAX_ERRORS_IN_A_ROW:
            raise TooManyErrors(
                f"{MAX_ERRORS_IN_A_ROW} malformed tool calls in a row; the last: {_text_of(results[-1][0])}"
            )
        if self.summary:
            raise Finished(self.summary)

    def ask(self) -> ModelReply:
        request = ModelRequest(
            self.system, self.tools, list(self.messages), stable_messages=1, max_tokens=self.max_tokens
        )
        try:
            reply = self.model.complete(request)
        except ModelError as e:
            raise ModelFailed(str(e)) from e
        self.budget.charge(self.name, reply.usage)
        self.usage += reply.usage
        self.trace.write(
            "model_call",
            agent=self.name,
            step=self.step_count,
            sent=self.messages[self.sent :],
            reply=reply.content,
            stop_reason=reply.stop_reason,
            usage=reply.usage.as_dict(),
        )
        self.messages.append({"role": "assistant", "content": replies.sendable(reply.content)})
        self.sent = len(self.messages)
        return reply

    def call(self, block: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """Runs one tool call; returns its tool_result block and whether files changed."""
        name, args = block.get("name"), block.get("input")
        self.path.append(str(name))
        text, ok, changed, malformed = self.dispatch(name, args)
        self.errors_in_a_row = self.errors_in_a_row + 1 if malformed else 0
        self.trace.write(
            "tool_call",
            agent=self.name,
            step=self.step_count,
            name=name,
            input=args,
            ok=ok,
            changed=changed,
            result=text,
        )
        result = {"type": "tool_result", "tool_use_id": block.get("id", ""), "content": text}
        return ({**result, "is_error": True} if not ok else result), changed

    def dispatch(self, name: Any, args: Any) -> tuple[str, bool, bool, bool]:
        """(result text, ok, files changed, malformed call)."""
        spec = next((tool for tool in self.tools if tool["name"] == name), None)
        if spec is None:
            names = ", ".join(tool["name"] for tool in self.tools)
            return f"Unknown tool {name!r}. The tools are: {names}.", False, False, True
        try:
            args = check_args(name, spec["input_schema"], args)
        except ToolRefused as e:
            return e.message, False, False, True
        if name == "finish":
            if not args["summary"].strip():
                return "`finish` needs `summary`: a non-empty string saying what you changed.", False, False, True
            self.summary = args["summary"].strip()
            return "Your current state is proposed as a candidate.", True, False, False
        if name == "evaluate":
            return self.measure_now(), True, False, False
        with self.activity():
            result = self.session.call(name, args)
        return result.text, result.ok, bool(result.changed), False

    def cut_off(self, block: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        """The answer to a tool call the max_tokens limit cut off: not run, and said so."""
        self.errors_in_a_row += 1
        self.path.append(f"{block.get('name')} (cut off)")
        text = replies.cut_off_call(block.get("name"), self.max_tokens)
        self.trace.write(
            "tool_call",
            agent=self.name,
            step=self.step_count,
            name=block.get("name"),
            input=block.get("input"),
            ok=False,
            changed=False,
            result=text,
        )
        return {"type": "tool_result", "tool_use_id": block.get("id", ""), "content": text, "is_error": True}, False

    def no_tool_call(self, reply: ModelReply) -> tuple[dict[str, Any], bool]:
        self.errors_in_a_row += 1
        self.path.append("(empty reply)" if replies.is_empty(reply.content) else "(no tool call)")
        return {"type": "text", "text": replies.no_tool_call(reply.content, reply.stop_reason, self.max_tokens)}, False

    def scheduled_evaluation(self, changed: bool) -> list[tuple[dict[str, Any], bool]]:
        trigger = self.evaluate_trigger
        due = (trigger == "on_change" and changed) or (
            trigger.startswith("every:") and self.step_count % int(trigger.split(":", 1)[1]) == 0
        )
        if not due or self.evaluate is None or self.summary:
            return []
        files = self.current_files()
        if not files or files == self.last_measured:
            return []
        return [({"type": "text", "text": f"Automatic evaluation ({trigger}):\n{self.measure_now()}"}, False)]

    def measure_now(self) -> str:
        if self.evaluate is None:
            return "Evaluation is not available in this run; your final state is evaluated after you finish."
        label = f"s{self.step_count}"
        self.labels_used[label] = uses = self.labels_used.get(label, 0) + 1
        candidate = self.candidate(label if uses == 1 else f"{label}-{uses}")  # measured twice in one step
        if candidate is None:
            return "No target file differs from the original yet: there is nothing to evaluate."
        measured = self.evaluate(candidate)
        if self.path and self.path[-1] == "evaluate" and measured.score is not None:
            self.path[-1] = f"evaluate {measured.score:.2f}"
        self.last_measured = dict(candidate.files)
        if self.best is None or _rank(measured) > _rank(self.best):
            self.best = measured
        return measured.table

    def current_files(self) -> dict[str, str]:
        texts = {p: self.workspace.read_text(p) for p in self.workspace.target_paths()}
        return {p: t for p, t in texts.items() if self.original.get(p) != t}

    def candidate(self, label: str) -> Candidate | None:
        """The current state as a candidate (None when it equals the original)."""
        try:
            files = self.current_files()
        except Exception as e:  # a broken sandbox must not lose the outcome of the run
            self.trace.write("error", agent=self.name, detail=f"reading the workspace failed: {e}")
            return None
        if not files:
            return None
        origin = f"agent {self.name}, round {self.round}, step {self.step_count}"
        return Candidate(id=f"{self.name}-r{self.round}-{label}", origin=origin, files=files)


def _rank(m: Measurement) -> tuple[bool, float]:
    return (m.accepted, m.score if m.score is not None else float("-inf"))


def _text_of(block: dict[str, Any]) -> str:
    content = block.get("content", block.get("text", ""))
    return str(content)[:300]
