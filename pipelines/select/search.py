"""The search: K fresh agents x M steps in parallel, `rounds` times, then selection and combination.

Each agent works in its own sandbox and workspace, from a clean copy of the repo (round 1) or of the best
candidate so far (later rounds, with a short note of what was tried). Every proposal (each agent's final state
and its best measured state) is a candidate; identical candidates are measured once (also across agents).
With `search.combine`, the top correct and faster candidates whose changes touch disjoint regions are merged
and the merge measured; selection then keeps it only if it is accepted and scores best.
`search.max_cost_usd` is a hard budget shared by all agents.

`run_search(...)` is how every command runs one (`perfbot optimize`, each CI shard, `perfbot bench`): it opens the
benchmark sandbox, tests and measures the baseline there, and runs the search with its trace.

Interrupted (Ctrl-C, or SIGTERM under `pipelines.interrupt.interruptible`) once the baseline is measured, the search
stops: agents end before their next step and their sandboxes are removed at once (a command under way in them ends
with it), the measurement under way is abandoned at its next judge command, and `run_search` returns what was
measured so far with `SearchResult.interrupted` naming the signal. Interrupted before that, it raises.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import wait as wait_for_futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipelines.agent.loop import Agent, AgentOutcome, Measurement
from pipelines.agent.prompts import Focus, system_prompt, task_message
from pipelines.agent.repo_copy import ROOT as REPO_ROOT
from pipelines.agent.repo_copy import put_repo
from pipelines.config import Config
from pipelines.edit import EditSession
from pipelines.edit.workspace import Workspace
from pipelines.errors import StorageError
from pipelines.evaluate import BaselineResult, Candidate, CandidateResult, Evaluator
from pipelines.interrupt import signal_name
from pipelines.layout import import_paths
from pipelines.models import open_model
from pipelines.models.limits import max_tokens_for, run_budget
from pipelines.models.pricing import Budget
from pipelines.sandbox_image import with_sandbox_image
from pipelines.select.measurer import Measurer, Progress
from pipelines.select.sandboxes import AgentSandboxes
from pipelines.select.selection import combine_files
from pipelines.trace import Trace
from sandbox.factory import SandboxKind, open_sandbox

COMBINE_TOP = 4
SIGNAL_POLL_S = 0.2
"""The longest the main thread waits for the agents at once (see `run_round`)."""
AGENTS_GRACE_S = 5.0
"""How long an interrupted search waits for its agents' threads to end once their sandboxes are gone."""


@dataclass
class SearchResult:
    results: list[CandidateResult]
    """Every distinct candidate measured, in the order measured (the combination last)."""
    selected: CandidateResult | None
    outcomes: list[AgentOutcome]
    budget: Budget
    notes: list[str] = field(default_factory=list)
    selected_files: dict[str, str] | None = None
    """Repo-relative path -> full text of the files the selected candidate changes."""
    interrupted: str | None = None
    """The signal that stopped the search early (SIGINT, SIGTERM); None when it ran to its end."""


@dataclass
class Searched:
    """What `run_search` gives: the search's result, and what a report or a CI shard needs beside it."""

    result: SearchResult
    baseline: BaselineResult
    isolated: bool
    measured: list[Measurement]
    """Every measurement (candidate with its files, and its result)."""


Slots = Callable[[int], Sequence[int]]
"""Which of a round's K agent slots to run here (a CI shard runs its share); all of them when not given."""


def run_search(
    repo: Path,
    config: Config,
    *,
    sandbox_kind: SandboxKind | None,
    trace_path: Path,
    progress: Progress = lambda event, **fields: None,
    evaluator_progress: Callable[[str], None] | None = None,
    slots: Slots | None = None,
    focus: Focus | None = None,
    label: str = "perfbot-eval",
) -> Searched:
    """Open the benchmark sandbox, prepare the baseline in it (tests, A/A noise) and run the whole search, writing
    the trace to `trace_path`. Raises what the baseline raises (e.g. `BaselineError`) before any agent starts."""
    config = with_sandbox_image(repo, config, sandbox_kind, evaluator_progress or (lambda _: None))
    trace = Trace(trace_path)
    stop = threading.Event()
    try:
        with open_sandbox(sandbox_kind, label=label, benchmark=True, image=config.run_image) as sandbox:
            evaluator = Evaluator(repo, config, sandbox, progress=evaluator_progress, stop=stop)
            baseline = evaluator.prepare()
            search = Search(
                repo,
                config,
                evaluator,
                sandbox_kind=sandbox_kind,
                trace=trace,
                progress=progress,
                focus=focus,
                slots=slots or range,
                stop=stop,
            )
            result = search.run()
            if trace.failed is not None:  # a write the disk refused, swallowed on the way up
                raise trace.failed
            if evaluator.waited_s:
                note = f"measurements waited {evaluator.waited_s:.0f} s for another perfbot run's on the same CPUs"
                result.notes.append(note)
                trace.write("measurement_wait", waited_s=round(evaluator.waited_s, 1), detail=note)
            return Searched(result, baseline, bool(sandbox.isolated), search.measure.measured())
    finally:
        trace.close()


class Search:
    def __init__(
        self,
        repo: Path,
        config: Config,
        evaluator: Evaluator,
        *,
        sandbox_kind: SandboxKind | None,
        trace: Trace,
        progress: Progress = lambda event, **fields: None,
        focus: Focus | None = None,
        slots: Slots = range,
        stop: threading.Event | None = None,
    ) -> None:
        self.repo = repo
        self.focus = focus
        """The function every agent is pointed at (a request's `PATH::SYMBOL`, a profiled hot spot), if any."""
        self.config = config
        self.sandbox_kind = sandbox_kind
        self.trace = trace
        self.progress = progress
        self.budget = run_budget(config)
        self.measure = Measurer(evaluator, trace, progress)
        self.outcomes: list[AgentOutcome] = []
        self.stop = stop or threading.Event()
        """Set when the run is interrupted: agents end, the measurement under way is abandoned."""
        self.slots = slots
        self.sandboxes = AgentSandboxes(sandbox_kind, config.run_image, self.stop)

    def run(self) -> SearchResult:
        notes: list[str] = []
        interrupted = None
        try:
            self.search(notes)
        except KeyboardInterrupt as e:  # SIGINT, or SIGTERM as RunInterrupted: report what was measured so far
            interrupted = signal_name(e)
            self.halt()
            notes.append(f"interrupted by {interrupted}: the candidates measured until then are reported")
            self.trace.write("interrupted", signal=interrupted)
        best = self.measure.best()
        return SearchResult(
            self.measure.results,
            best.result if best else None,
            self.outcomes,
            self.budget,
            notes,
            dict(best.candidate.files) if best else None,
            interrupted,
        )

    def search(self, notes: list[str]) -> None:
        search = self.config.search
        start: dict[str, str] = {}
        for round_ in range(1, search.rounds + 1):
            if round_ > 1 and self.budget.spent_usd >= self.budget.limit_usd:
                notes.append(f"round {round_} not started: the budget is spent")
                break
            outcomes = self.run_round(round_, start, "\n".join(self.tried()))
            self.outcomes += outcomes
            for proposal in proposals(outcomes):
                self.measure(proposal)
            start = self.best_files()
        if search.combine:
            self.combine()

    def halt(self) -> None:
        """Stop everything under way: agents end before their next step, their sandboxes go now (ending a command
        under way there), the measurement under way is abandoned at its next judge command."""
        self.stop.set()
        self.sandboxes.close_all()

    def run_round(self, round_: int, start: dict[str, str], note: str) -> list[AgentOutcome]:
        k = self.config.search.agents
        indices = [(round_ - 1) * k + slot for slot in self.slots(k)]
        if not indices:
            return []
        workers = len(indices)  # agents mostly wait on the model; only measurements queue (measurer.py)
        pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="perfbot-agent")
        futures = [pool.submit(self.run_agent, index, round_, start, note) for index in indices]
        try:
            pending = set(futures)
            while pending:  # short waits: a signal another thread received is handled when this thread runs Python
                _, pending = wait_for_futures(pending, timeout=SIGNAL_POLL_S)
            outcomes = [f.result() for f in futures]
        except KeyboardInterrupt:
            self.halt()
            pool.shutdown(wait=False, cancel_futures=True)
            done, _ = wait_for_futures(futures, timeout=AGENTS_GRACE_S)
            self.outcomes += [f.result() for f in futures if f in done and not f.cancelled()]
            raise
        pool.shutdown()
        return outcomes

    def run_agent(self, index: int, round_: int, start: dict[str, str], note: str) -> AgentOutcome:
        name = f"a{index}"
        try:
            with self.sandboxes.open(name) as sandbox:
                return self.agent_in(sandbox, name, index, round_, start, note).run()
        except StorageError:  # the disk is full: the run stops, with one message
            raise
        except Exception as e:  # one broken agent (sandbox, model setup) must not end the others' work
            reason = "interrupted" if self.stop.is_set() else "error"
            self.trace.write("agent_end", agent=name, reason=reason, detail=f"{type(e).__name__}: {e}")
            if not self.stop.is_set():
                self.progress("agent_failed", agent=name, detail=str(e))
            return AgentOutcome(name, round_, reason, f"{type(e).__name__}: {e}", 0)

    def agent_in(self, sandbox: Any, name: str, index: int, round_: int, start: dict[str, str], note: str) -> Agent:
        config = self.config
        put_repo(sandbox, self.repo)
        workspace = Workspace(sandbox, root=REPO_ROOT, target_globs=config.target.files)
        original = {p: workspace.read_text(p) for p in workspace.target_paths()}
        for path, text in start.items():
            workspace.write_text(path, text)
        tools = [t for t in config.agent.tools if t not in ("evaluate", "finish")]
        session = EditSession(workspace, tools=tools, elisions=config.agent.elisions)
        current = {p: workspace.read_text(p) for p in workspace.target_paths()}
        agent = Agent(
            name=name,
            round=round_,
            model=open_model(config.agent.model, session=index, price=config.agent.price),
            session=session,
            workspace=workspace,
            original=original,
            system="",
            task=task_message(current, note, self.focus),
            steps=config.search.steps,
            evaluate=self.measure if "evaluate" in config.agent.tools or config.agent.evaluate != "agent" else None,
            evaluate_trigger=config.agent.evaluate,
            tool_names=list(config.agent.tools),
            budget=self.budget,
            trace=self.trace,
            on_step=lambda agent, step: self.progress(
                "step",
                agent=agent,
                step=step,
                steps=config.search.steps,
                cost=self.budget.spent_usd,
                best=self.measure.best_score(),
            ),
            max_tokens=max_tokens_for(config.agent.model, config.agent.max_tokens),
            activity=self.measure.quiet.activity,
            stop=self.stop,
        )
        agent.system = system_prompt(config, agent.tools, config.search.steps, import_paths(self.repo, config))
        return agent

    def best_files(self) -> dict[str, str]:
        best = self.measure.best()
        return dict(best.candidate.files) if best is not None else {}

    def tried(self) -> list[str]:
        """One line per earlier agent: how it ended, its best measurement and its own summary."""
        lines = []
        for o in self.outcomes:
            best = (
                f"best score {o.best.score:.2f} ({'accepted' if o.best.accepted else 'rejected'})"
                if o.best and o.best.score is not None
                else "nothing measured"
            )
            summary = f"; it said: {o.summary[:300]}" if o.summary else ""
            lines.append(f"- agent {o.agent} (round {o.round}): {o.reason} after {o.steps} steps, {best}{summary}")
        return lines

    def combine(self) -> None:
        ranked = sorted((m for m in self.measure.measured() if improves(m)), key=lambda m: -(m.score or 0))
        ranked = ranked[:COMBINE_TOP]
        if len(ranked) < 2:
            return
        original = self.original_texts({p for m in ranked for p in m.candidate.files})
        merged, parts = dict(ranked[0].candidate.files), [ranked[0].candidate.id]
        for m in ranked[1:]:
            attempt = combine_files(original, merged, dict(m.candidate.files))
            if attempt is not None:
                merged, parts = attempt, [*parts, m.candidate.id]
        if len(parts) < 2:
            self.trace.write("combine", parts=[], detail="the top candidates overlap; nothing to combine")
            return
        combined = Candidate(id="combined", origin="combination of " + " + ".join(parts), files=merged)
        self.trace.write("combine", parts=parts)
        self.measure(combined)

    def original_texts(self, paths: set[str]) -> dict[str, str]:
        return {p: (self.repo / p).read_text(encoding="utf-8") for p in paths if (self.repo / p).is_file()}


def improves(m: Measurement) -> bool:
    """Correct (tests pass, outputs match) and measured faster, even if not by enough to be accepted alone:
    two such changes may together clear the bar."""
    result = m.result
    correct = result.tests is not None and result.tests.passed and result.outputs_match is not False
    return correct and m.score is not None and m.score > 1.0


def proposals(outcomes: Sequence[AgentOutcome]) -> list[Candidate]:
    out = []
    for o in outcomes:
        if o.final is not None:
            out.append(o.final)
        if o.best is not None:
            out.append(o.best.candidate)
    return out
