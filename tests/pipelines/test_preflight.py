"""The bad-input table of docs/configuration.md, one test per row: every config mistake is caught before the baseline
runs, with exit code 2 and a message naming the file, the key and the fix, and the user's repository unchanged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from pipelines.config import load_config
from pipelines.preflight import check
from tests.conftest import EXAMPLES, committed_copy, git, needs_docker

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "src-layout"
Mutate = Callable[[Path], None]


def config_edit(**changes: object) -> Mutate:
    """Set dotted keys of .perfbot.yml (`benchmark.entry="x:y"` is written as benchmark__entry) and commit."""

    def mutate(repo: Path) -> None:
        raw = yaml.safe_load((repo / ".perfbot.yml").read_text())
        for dotted, value in changes.items():
            *sections, key = dotted.split("__")
            node = raw
            for section in sections:
                node = node.setdefault(section, {})
            node[key] = value
        (repo / ".perfbot.yml").write_text(yaml.safe_dump(raw, sort_keys=False))
        git(repo, "commit", "-qam", "config")

    return mutate


def uncommitted_inputs(repo: Path) -> None:
    (repo / "more_inputs.py").write_text("def make(n, d, seed=0):\n    return ([(0.0,) * d] * n,)\n")
    config_edit(benchmark__inputs="more_inputs:make")(repo)


def uncommitted_target(repo: Path) -> None:
    config_edit(target__files=["fast_geometry.py"])(repo)
    (repo / "fast_geometry.py").write_text((repo / "geometry.py").read_text())


def no_commit(repo: Path) -> None:
    (repo / ".git").rename(repo / ".git-old")
    git(repo, "init", "-q")


def state(repo: Path) -> tuple[str, list[str]]:
    """What the user could see changed: git's view (ignored files included) and every path in the working tree."""
    return git(repo, "status", "--porcelain", "--ignored"), sorted(
        str(p) for p in repo.rglob("*") if ".git" not in p.parts
    )


def assert_stopped(repo: Path, argv: list[str], key: str, text: str, capsys: pytest.CaptureFixture[str]) -> None:
    before = state(repo)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert str(repo / ".perfbot.yml") in err and f": {key}: " in err, err
    assert text in err, err
    assert "fix: " in err
    assert "nothing was measured" in err
    assert state(repo) == before


CONFIG_ROWS = [
    (
        "target matches nothing",
        config_edit(target__files=["geometri.py"]),
        "target.files",
        "did you mean 'geometry.py'",
    ),
    ("target not committed", uncommitted_target, "target.files", "fast_geometry.py is not committed"),
    (
        "entry module missing",
        config_edit(benchmark__entry="geometri:closest_pair_distance"),
        "benchmark.entry",
        "importing geometri failed",
    ),
    (
        "entry callable missing",
        config_edit(benchmark__entry="geometry:closest"),
        "benchmark.entry",
        "geometry has no 'closest'",
    ),
    ("inputs not committed", uncommitted_inputs, "benchmark.inputs", "more_inputs.py is not committed"),
    (
        "axes the inputs cannot take",
        config_edit(benchmark__params={"size": [10]}, benchmark__weights={}),
        "benchmark.params",
        "cannot take the grid's axes (size)",
    ),
    (
        "pythonpath missing",
        config_edit(benchmark__pythonpath=["lib"]),
        "benchmark.pythonpath",
        "no committed directory",
    ),
    (
        "requirements file missing",
        config_edit(sandbox__install={"requirements": ["requirements.txt"]}),
        "sandbox.install.requirements",
        "requirements.txt does not exist",
    ),
    ("no commit", no_commit, "git", "has no commit yet"),
]


@pytest.mark.parametrize(("mutate", "key", "text"), [row[1:] for row in CONFIG_ROWS], ids=[r[0] for r in CONFIG_ROWS])
def test_a_config_mistake_stops_optimize_before_the_baseline(
    mutate: Mutate, key: str, text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = committed_copy(EXAMPLES / "closest-pair", tmp_path / "repo", "example")
    mutate(repo)
    argv = ["optimize", str(repo), "--sandbox", "local", "--model", "scripted:demo/closest-pair.yaml"]
    assert_stopped(repo, argv, key, text, capsys)


MODEL_ROWS = [
    (
        "no api key",
        {"ANTHROPIC_API_KEY": None},
        config_edit(agent__model="anthropic:claude-sonnet-5-5"),
        "agent.model",
        "needs ANTHROPIC_API_KEY",
    ),
    (
        "script missing",
        {},
        config_edit(agent__model="scripted:no/such/session.yaml"),
        "agent.model",
        "no file 'no/such/session.yaml'",
    ),
    (
        "openai without a server",
        {"OPENAI_BASE_URL": None, "OPENAI_API_KEY": None},
        config_edit(agent__model="openai:qwen3-coder"),
        "agent.model",
        "has no server",
    ),
    ("zero budget", {}, config_edit(search__max_cost_usd=0), "search.max_cost_usd", "no model call could be paid"),
    (
        "max_tokens beyond the model",
        {"ANTHROPIC_API_KEY": "sk-ant-test"},
        config_edit(agent__model="anthropic:claude-haiku-4-5", agent__max_tokens=100000),
        "agent.max_tokens",
        "more than claude-haiku-4-5 can write",
    ),
]


@pytest.mark.parametrize(("env", "mutate", "key", "text"), [r[1:] for r in MODEL_ROWS], ids=[r[0] for r in MODEL_ROWS])
def test_a_model_or_budget_mistake_stops_optimize_before_the_baseline(
    env: dict[str, str | None],
    mutate: Mutate,
    key: str,
    text: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in env.items():
        monkeypatch.delenv(name, raising=False) if value is None else monkeypatch.setenv(name, value)
    repo = committed_copy(EXAMPLES / "closest-pair", tmp_path / "repo", "example")
    (repo / ".gitignore").write_text(".perfbot/\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "ignore runs")
    mutate(repo)
    assert_stopped(repo, ["optimize", str(repo), "--sandbox", "local"], key, text, capsys)


def test_an_unknown_model_is_a_warning_and_a_token_budget_not_a_stop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test")
    repo = committed_copy(EXAMPLES / "closest-pair", tmp_path / "repo", "example")
    config_edit(agent__model="anthropic:claude-next-9")(repo)
    checked = check(repo, load_config(repo), kind="local", model=True)
    assert checked.ok
    [found] = checked.findings
    assert (found.level, found.key) == ("warning", "agent.model")
    assert "stops after 5,000,000 tokens" in found.problem and "agent.price" in found.problem


def test_a_mistyped_key_gets_a_did_you_mean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = committed_copy(EXAMPLES / "closest-pair", tmp_path / "repo", "example")
    config_edit(benchmark__repaet=3)(repo)
    assert_stopped_config = main(["evaluate", str(repo), "--sandbox", "local", "--candidate", "geometry.py=x.py"])
    assert assert_stopped_config == 2
    assert "benchmark.repaet: unknown key; did you mean 'repeat'?" in capsys.readouterr().err


class TestInTheDockerSandbox:
    pytestmark = needs_docker()

    def test_a_dependency_the_sandbox_lacks_is_named_with_the_fix(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        repo = self.src_layout(tmp_path, install="none")
        assert_stopped(repo, self.evaluate(repo), "benchmark.entry", "No module named 'sortedcontainers'", capsys)

    def test_a_package_that_cannot_be_installed_is_named(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv("PIP_NO_INDEX", "1")  # no index to find it in: pip's own "no matching distribution"
        monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "no-wheels"))
        repo = self.src_layout(tmp_path, install={"packages": ["sortedcontainers==2.4.0", "six"]})
        assert_stopped(repo, self.evaluate(repo), "sandbox.install", "'sortedcontainers==2.4.0' could not be", capsys)

    def test_an_image_without_user_1000_is_refused(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        repo = committed_copy(EXAMPLES / "closest-pair", tmp_path / "repo", "example")
        config_edit(sandbox__image="perfbot/base:bookworm")(repo)
        assert_stopped(repo, self.evaluate(repo, "geometry.py"), "sandbox.image", "has no user 1000", capsys)

    @staticmethod
    def src_layout(tmp_path: Path, install: object) -> Path:
        repo = committed_copy(FIXTURE, tmp_path / "repo", "src layout")
        config = {
            "target": {"files": ["src/rankstats/ranks.py"]},
            "benchmark": {
                "entry": "rankstats.ranks:smaller_counts",
                "inputs": "rankstats.ranks:describe",
                "params": {"values": [[1, 2]]},
            },
            "sandbox": {"install": install},
        }
        (repo / ".perfbot.yml").write_text(yaml.safe_dump(config))
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "config")
        return repo

    @staticmethod
    def evaluate(repo: Path, target: str = "src/rankstats/ranks.py") -> list[str]:
        return ["evaluate", str(repo), "--candidate", f"{target}={repo / target}"]
