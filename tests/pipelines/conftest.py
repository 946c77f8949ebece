"""Fixtures of the agent tests. `fixtures/` holds small target repos (with their own tests) that are data here.

Runs use the local sandbox and a small benchmark grid so that a whole `perfbot optimize` takes seconds.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from tests.conftest import committed_copy
from tests.fakes.anthropic import FakeAnthropic

collect_ignore = ["fixtures"]
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fake_anthropic(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeAnthropic]:
    """The fake Messages API, with the SDK pointed at it and given a key."""
    with FakeAnthropic() as server:
        monkeypatch.setenv("ANTHROPIC_BASE_URL", server.url)
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-0123456789")
        yield server


@dataclass
class Run:
    exit_code: int
    out: Path
    stderr: str

    @property
    def report(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.out / "report.json").read_text())
        return data

    def trace(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in (self.out / "trace.jsonl").read_text().splitlines()]


@pytest.fixture
def small_config(tmp_path: Path) -> Callable[[Path], Path]:
    """A copy of REPO's config with a grid small enough for tests (kept outside the repo, so it stays clean)."""

    def make(repo: Path, agent: dict[str, Any] | None = None, **search: Any) -> Path:
        raw = yaml.safe_load((repo / ".perfbot.yml").read_text())
        bench = raw["benchmark"]
        bench["params"] = {axis: values[:1] if axis == "d" else values[:2] for axis, values in bench["params"].items()}
        bench.pop("weights", None)
        bench["repeat"] = 3
        raw["search"] = {"agents": 1, "steps": 12, **search}
        raw["agent"] = agent or {}
        path = tmp_path / f"{repo.name}-small.yml"
        path.write_text(yaml.safe_dump(raw))
        return path

    return make


@pytest.fixture
def optimize(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    def run(repo: Path, *args: str) -> Run:
        out = tmp_path / f"out-{len(list(tmp_path.glob('out-*')))}"
        code = main(["optimize", str(repo), "--sandbox", "local", "--out", str(out), *args])
        return Run(code, out, capsys.readouterr().err)

    return run


@pytest.fixture
def optimize_small(
    small_config: Callable[..., Path], optimize: Callable[..., Run], script: Callable[..., str]
) -> Callable[..., Run]:
    """`optimize` of REPO with its config cut down by `small_config` (`agent=`, search keys as keywords) and MODEL:
    a --model spec, or turns / {sessions: ...} to script. Further options follow MODEL."""

    def run(repo: Path, model: Any, *args: str, agent: dict[str, Any] | None = None, **search: Any) -> Run:
        spec = model if isinstance(model, str) else script(model)
        return optimize(repo, "--config", str(small_config(repo, agent, **search)), "--model", spec, *args)

    return run


@pytest.fixture
def fixture_repo(tmp_path: Path) -> Callable[[str], Path]:
    def make(name: str) -> Path:
        return committed_copy(FIXTURES / name, tmp_path / name, "fixture")

    return make
