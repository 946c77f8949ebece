"""Aider, for real, as a command contestant: installed in the sandbox image, run inside the sandbox (no network)
against the local OpenAI-compatible fake started in the same container, and its result scored by the evaluator."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipelines.bench.contestants import CommandContestant, apply_adapter
from pipelines.bench.harness import run_benchmark
from pipelines.bench.suite import load_suite
from tests.conftest import ROOT, docker_available

pytestmark = pytest.mark.docker

START_FAKE = """\
python3 {agent_dir}/openai_server.py --script {agent_dir}/answers.json --ready /tmp/fake-port >/tmp/fake.log 2>&1 &
i=0; while [ ! -s /tmp/fake-port ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done
export OPENAI_API_BASE="http://127.0.0.1:$(cat /tmp/fake-port)/v1"
"""


@pytest.fixture(scope="module")
def aider_image() -> str:
    if not docker_available():
        pytest.skip("no Docker Engine is reachable (start Docker or set DOCKER_HOST)")
    from pipelines.bench.aider_image import ensure_aider_image
    from sandbox.docker import connect
    from sandbox.images import ensure_sandbox_image

    client = connect()
    ensure_sandbox_image(client)
    return ensure_aider_image(client)


def test_aider_edits_the_task_through_the_fake_endpoint_and_is_scored(
    aider_image: str, tiny_suite: Path, tmp_path: Path
) -> None:
    task = tiny_suite / "pair-count"
    original, fast = (task / "repo" / "pairs.py").read_text(), (task / "reference" / "pairs.py").read_text()
    edit = f"pairs.py\n```python\n<<<<<<< SEARCH\n{original}=======\n{fast}>>>>>>> REPLACE\n```\n"
    answer = "Count complements in a dict.\n\n" + edit  # Aider's diff edit format
    agent = tmp_path / "agent"
    agent.mkdir()
    shutil.copy(ROOT / "tests" / "fakes" / "openai_server.py", agent / "openai_server.py")
    (agent / "answers.json").write_text(json.dumps([{"content": answer}]))
    aider = apply_adapter(
        CommandContestant(
            name="aider",
            kind="command",
            adapter="aider",
            image=aider_image,
            model="openai/fake-model",
            args="--edit-format diff",
            before=START_FAKE,
            agent_dir=str(agent),
            env={"OPENAI_API_KEY": "sk-local-fake"},
            timeout=300,
        )
    )
    [record] = run_benchmark(load_suite(tiny_suite), [aider], repeats=1, out=tmp_path / "out", sandbox="docker")
    log = (tmp_path / "out" / "runs" / "pair-count" / "aider" / "1" / "agent.log").read_text()
    assert record["status"] == "ok", record.get("error")
    assert record["agent_exit"] == 0, log[-2000:]
    assert "Applied edit to pairs.py" in log
    assert record["solved"] and record["speedup"] > 1.5, record["reason"]
    assert "+    seen = {}" in record["diff"]
    assert record["usage"]["input_tokens"] > 0 and record["usage"]["output_tokens"] > 0
    assert record["outside_target"] == []
    # Aider has no step or dollar cap: it is held only to the timeout, never placed at a step budget
    assert (record["budget"]["total_steps"], record["budget"]["enforced"]) == (None, ["timeout"])
    assert record["log_failures"] == {}
