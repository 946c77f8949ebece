"""`perfbot sandbox ...` and `perfbot doctor`, run through the real CLI dispatcher."""

from __future__ import annotations

import pytest

from bot.cli import main
from sandbox.base import SandboxUnavailable
from sandbox.docker import connect


def test_an_unreachable_engine_is_reported_with_the_way_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    with pytest.raises(SandboxUnavailable, match=r"no Docker Engine is reachable.*--sandbox local"):
        connect(timeout=5)


def test_the_doctor_fails_without_an_engine_and_says_so(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    assert main(["doctor", "--model", "scripted:demo.yaml"]) == 1
    assert "[FAIL] docker engine: no Docker Engine is reachable" in capsys.readouterr().out


def test_the_doctor_with_a_local_sandbox_only_warns_about_docker(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    assert main(["doctor", "--sandbox", "local", "--model", "scripted:demo.yaml"]) == 0
    assert "[warn] docker engine" in capsys.readouterr().out


@pytest.mark.docker
def test_building_the_sandbox_image_again_is_a_quick_no_op(
    sandbox_image: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sandbox", "build"]) == 0
    assert capsys.readouterr().out == f"sandbox image {sandbox_image} (from perfbot/base:bookworm): up to date\n"


@pytest.mark.docker
def test_reaping_with_nothing_left_behind_removes_nothing_of_a_live_run(
    shared_sandbox: object, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sandbox", "reap"]) == 0
    assert "test-shared" not in capsys.readouterr().out


@pytest.mark.docker
def test_the_doctor_verifies_isolation_and_reports_a_missing_key_without_any_value(
    sandbox_image: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)
    assert main(["doctor", "--model", "anthropic:claude-sonnet-4-5"]) == 1
    out = capsys.readouterr().out
    assert "[ok  ] isolation: no network (only lo)" in out
    assert "[FAIL] API key for anthropic:claude-sonnet-4-5: ANTHROPIC_API_KEY is not set" in out


@pytest.mark.docker
def test_the_doctor_passes_with_a_key_and_never_prints_it(
    sandbox_image: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-fake-secret-1234")
    assert main(["doctor", "--model", "anthropic:claude-sonnet-4-5"]) == 0
    captured = capsys.readouterr()
    assert "fake-secret" not in captured.out + captured.err
    assert "ANTHROPIC_API_KEY is set (not shown)" in captured.out
