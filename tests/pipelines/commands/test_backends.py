"""The same workflow through the real Anthropic SDK (against the local fake) and inside the Docker sandbox."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import docker_available
from tests.fakes.anthropic import FakeAnthropic
from tests.pipelines.conftest import Run
from tests.pipelines.sessions import DEMO, branches

Optimize = Callable[..., Run]
SECRET = "sk-ant-test-secret-0123456789abcdef"


def test_the_anthropic_path_runs_through_the_sdk_retries_a_529_and_keeps_the_key_out_of_the_trace(
    example_repo: Callable[[str], Path],
    optimize_small: Optimize,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = example_repo("closest-pair")
    turns = [list(turn) for turn in DEMO]
    turns[0] = [{"type": "text", "text": f"(echoing a leaked key {SECRET})"}, *turns[0]]
    with FakeAnthropic(turns) as fake:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", fake.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", SECRET)
        fake.fail_next(529)
        run = optimize_small(repo, "anthropic:claude-sonnet-4-6")
    assert run.exit_code == 0
    assert len(fake.requests) == len(DEMO) + 1  # one retried
    assert run.report["selected"] == "a0-r1-s3"
    assert branches(repo) == ["perfbot/closest-pair-distance"]
    cost = run.report["cost"]
    assert cost["input_tokens"] == sum(
        u["input_tokens"] + u["cache_read_input_tokens"] + u["cache_creation_input_tokens"] for u in fake.usages
    )
    assert cost["usd"] > 0
    assert run.report["extra"]["cache"]["read_tokens"] > 0
    trace = (run.out / "trace.jsonl").read_text()
    assert SECRET not in trace and "[redacted]" in trace
    for name in ("report.json", "report.md", "report.html"):
        assert SECRET not in (run.out / name).read_text()


def test_trace_export_rebuilds_each_conversation_in_messages_form(
    example_repo: Callable[[str], Path],
    optimize_small: Optimize,
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo = example_repo("closest-pair")
    run = optimize_small(repo, "scripted:demo/closest-pair.yaml")
    assert main(["trace", "export", str(run.out), "--format", "messages"]) == 0
    [session] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert session["agent"] == "a0" and session["outcome"] == "finished"
    assert "closest_pair_distance" in session["system"]
    assert [t["name"] for t in session["tools"]][-2:] == ["evaluate", "finish"]
    messages = session["messages"]
    assert [m["role"] for m in messages] == ["user", "assistant"] * len(DEMO)
    assert "def closest_pair_distance" in messages[0]["content"][0]["text"]
    for assistant, user in zip(messages[1::2], messages[2::2], strict=False):
        asked = [b["id"] for b in assistant["content"] if b["type"] == "tool_use"]
        answered = [b["tool_use_id"] for b in user["content"] if b["type"] == "tool_result"]
        assert asked == answered
    assert messages[-1]["content"][0]["name"] == "finish"


def test_trace_export_names_a_directory_without_a_trace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["trace", "export", str(tmp_path)]) == 2
    assert "no trace.jsonl" in capsys.readouterr().err


@pytest.mark.docker
def test_the_demo_session_is_accepted_inside_the_docker_sandbox(
    example_repo: Callable[[str], Path],
    small_config: Callable[..., Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if not docker_available():
        pytest.skip("no Docker engine is reachable from this machine")
    try:
        from sandbox.docker import DockerSandbox  # noqa: F401
    except ImportError:
        pytest.skip("the Docker sandbox backend (sandbox/docker.py) is not in this tree yet")
    repo = example_repo("closest-pair")
    out = tmp_path / "out"
    code = main(
        [
            "optimize",
            str(repo),
            "--sandbox",
            "docker",
            "--out",
            str(out),
            "--config",
            str(small_config(repo)),
            "--model",
            "scripted:demo/closest-pair.yaml",
        ]
    )
    err = capsys.readouterr().err
    if code != 0 and "image" in err.lower():
        pytest.skip(f"the sandbox image is not built (scripts/bootstrap builds it): {err.strip()[-300:]}")
    assert code == 0, err
    report = json.loads((out / "report.json").read_text())
    assert report["sandbox"] == {"kind": "docker", "isolated": True}
    assert report["selected"] is not None
    assert branches(repo) == ["perfbot/closest-pair-distance"]
