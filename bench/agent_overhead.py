"""What the agent harness costs per step, and what prompt caching saves (goals: < 50 ms a step; >= 60% fewer tokens).

    python bench/agent_overhead.py [--steps N] [--sandbox local|docker]

1. Per-step overhead: a scripted N-step session (views and edits of examples/closest-pair, no evaluation) run by the
   real Agent with the real edit tools in a sandbox. Overhead = wall time of the run minus the time spent inside the
   model, divided by the steps: prompt building, tool dispatch and the tools' sandbox round trips, trace writing.
2. Prompt caching: the same session through the official anthropic SDK against tests/fakes/anthropic.py (whose
   usage accounting honours cache_control like the API: prefixes at breakpoints, 1,024-token minimum), once with
   perfbot's cache breakpoints and once without. "Billed" input tokens weigh cache writes 1.25x and reads 0.1x
   (Anthropic's multipliers), so they are proportional to the input cost.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

# The fake Messages API lives with the tests (not in the installed package): import it from the checkout.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pipelines.agent.loop import Agent
from pipelines.agent.prompts import system_prompt, task_message
from pipelines.config import load_config
from pipelines.edit import EditSession
from pipelines.edit.workspace import Workspace
from pipelines.models import Model, ModelReply, ModelRequest, Usage
from pipelines.models.claude import AnthropicModel
from pipelines.models.scripted import ScriptedModel
from pipelines.trace import Trace
from sandbox.factory import open_sandbox
from tests.fakes.anthropic import FakeAnthropic

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "closest-pair"
DEMO = yaml.safe_load((ROOT / "pipelines/models/scripts/demo/closest-pair.yaml").read_text())
SWEEP = DEMO[1][1]["input"]["code"]


def session(steps: int) -> list[list[dict[str, Any]]]:
    """N turns: views of the target and its tests, and edits of the target (alternating versions), then finish."""
    original = (EXAMPLE / "geometry.py").read_text()
    naive = original[original.index("def closest_pair_distance") :]
    turns: list[list[dict[str, Any]]] = []
    for i in range(steps - 1):
        if i % 3 == 2:
            code = SWEEP if (i // 3) % 2 == 0 else naive
            call = {"name": "rewrite_symbol", "input": {"symbol": "geometry.py::closest_pair_distance", "code": code}}
        else:
            call = {"name": "view_file", "input": {"path": "geometry.py" if i % 3 == 0 else "tests/test_geometry.py"}}
        turns.append([{"type": "text", "text": f"step {i + 1}"}, {"type": "tool_use", **call}])
    turns.append([{"type": "tool_use", "name": "finish", "input": {"summary": "bench"}}])
    return turns


class Timed:
    """Wraps a model and adds up the time spent inside it."""

    def __init__(self, model: Model) -> None:
        self.model, self.name, self.seconds = model, model.name, 0.0

    def complete(self, request: ModelRequest) -> ModelReply:
        started = time.perf_counter()
        try:
            return self.model.complete(request)
        finally:
            self.seconds += time.perf_counter() - started


class TimedTools(EditSession):
    """The real edit session, adding up the time its tools take (their sandbox round trips included)."""

    seconds = 0.0

    def call(self, name: str, args: Any) -> Any:
        started = time.perf_counter()
        try:
            return super().call(name, args)
        finally:
            self.seconds += time.perf_counter() - started


def run_agent(model: Model, steps: int, kind: Any, trace_dir: Path) -> tuple[Agent, float]:
    repo = Path(tempfile.mkdtemp(prefix="bench-agent-")) / "closest-pair"
    shutil.copytree(EXAMPLE, repo, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", ".perfbot"))
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    config = load_config(repo)
    with open_sandbox(kind, label="bench-agent") as sandbox:
        sandbox.put_dir(repo, "repo")
        workspace = Workspace(sandbox, root="repo", target_globs=config.target.files)
        original = {p: workspace.read_text(p) for p in workspace.target_paths()}
        edit = TimedTools(workspace, config.agent.tools)
        agent = Agent(
            name="a0",
            round=1,
            model=model,
            session=edit,
            workspace=workspace,
            original=original,
            system="",
            task=task_message(original),
            steps=steps,
            evaluate=None,
            tool_names=list(config.agent.tools),
            trace=Trace(trace_dir / "trace.jsonl"),
        )
        agent.system = system_prompt(config, agent.tools, steps)
        started = time.perf_counter()
        outcome = agent.run()
        elapsed = time.perf_counter() - started
    agent.trace.close()
    shutil.rmtree(repo.parent, ignore_errors=True)
    assert outcome.reason == "finished", outcome
    return agent, elapsed


def overhead(steps: int, kind: Any, workdir: Path) -> None:
    path = workdir / "session.yaml"
    path.write_text(yaml.safe_dump(session(steps)))
    model = Timed(ScriptedModel(path))
    agent, elapsed = run_agent(model, steps, kind, workdir)
    tools = agent.session.seconds
    harness = (elapsed - model.seconds - tools) / agent.step_count
    with_tools = (elapsed - model.seconds) / agent.step_count
    print(
        f"per-step overhead ({kind} sandbox, {agent.step_count} steps): harness {harness * 1000:.1f} ms "
        f"(goal < 50 ms); harness + edit tools {with_tools * 1000:.1f} ms "
        f"(run {elapsed:.2f} s: model {model.seconds * 1000:.1f} ms, tools {tools * 1000:.0f} ms)"
    )


def caching(steps: int, kind: Any, workdir: Path) -> None:
    totals: dict[bool, Usage] = {}
    for cache in (True, False):
        with FakeAnthropic(session(steps)) as fake:
            os.environ["ANTHROPIC_BASE_URL"] = fake.url
            os.environ.setdefault("ANTHROPIC_API_KEY", "sk-ant-bench-fake-key")
            agent, _ = run_agent(AnthropicModel("claude-sonnet-4-6", cache=cache), steps, kind, workdir)
            totals[cache] = agent.usage
    cached, plain = totals[True], totals[False]
    billed = cached.input_tokens + 1.25 * cached.cache_write_tokens + 0.1 * cached.cache_read_tokens
    saved = 1 - billed / plain.prompt_tokens
    print(
        f"input tokens over {steps} steps: {plain.prompt_tokens} without caching; with caching "
        f"{cached.input_tokens} uncached + {cached.cache_write_tokens} written + {cached.cache_read_tokens} read "
        f"= {billed:.0f} billed-equivalent ({saved:.0%} fewer; goal >= 60%)"
    )
    print(f"session cost: ${plain.usd:.4f} without caching, ${cached.usd:.4f} with (incl. output)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--sandbox", choices=["local", "docker"], default="local")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-agent-") as tmp:
        overhead(args.steps, args.sandbox, Path(tmp))
        caching(args.steps, args.sandbox, Path(tmp))


if __name__ == "__main__":
    main()
