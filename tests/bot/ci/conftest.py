"""Fixtures of the CI and publishing tests: a small target repo committed in git, the same files in a fake
GitLab project (so commits and MRs start from the commit the run measured), and `perfbot ci` / `perfbot publish`
driven through the real CLI with CI variables in the environment. Runs use the local sandbox and scripted models.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from tests.conftest import EXAMPLES, ROOT, git
from tests.fakes.gitlab import FakeGitLab
from tests.fakes.gitlab_api import Project

BOT_TOKEN = "glpat-ci-publisher-token-0042"
AGENT_FIXTURES = ROOT / "tests" / "pipelines" / "fixtures"


@dataclass
class Lab:
    fake: FakeGitLab
    project: Project
    bot: dict[str, Any]
    developer: dict[str, Any]
    mr: dict[str, Any]
    issue: dict[str, Any]

    @property
    def base_sha(self) -> str:
        return self.project.branches["main"]

    def merge_requests(self) -> list[dict[str, Any]]:
        with self.fake.lock:
            return [dict(n["object"]) for (k, _), n in self.project.noteables.items() if k == "merge_request"]

    def perfbot_mrs(self) -> list[dict[str, Any]]:
        return [mr for mr in self.merge_requests() if mr["source_branch"].startswith("perfbot/")]

    def bot_notes(self, kind: str, iid: int) -> list[dict[str, Any]]:
        return [n for n in self.fake.notes(self.project, kind, iid) if n["author"]["id"] == self.bot["id"]]

    def file_at(self, ref: str, path: str) -> str:
        with self.fake.lock:
            commit = self.project.resolve(ref)
            assert commit is not None, f"no commit for {ref}"
            return commit["tree"][path].decode()


@dataclass
class CiRun:
    exit_code: int
    out: Path
    stdout: str
    stderr: str

    @property
    def report(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.out / "report.json").read_text())
        return data


# Sizes far enough apart, and enough runs, that a real speedup is accepted even on a loaded machine (the
# acceptance test uses a bootstrap bound over the runs, which a few noisy runs of three would drag down).
CLOSEST_PAIR_GRID = {"n": [100, 800], "d": [2]}


def write_small_config(repo: Path, model: str, params: dict[str, list[Any]] | None = None, **search: Any) -> None:
    raw = yaml.safe_load((repo / ".perfbot.yml").read_text())
    bench = raw["benchmark"]
    bench["params"] = params or bench["params"]
    bench.pop("weights", None)
    bench["repeat"] = 5
    raw["search"] = {"agents": 1, "steps": 8, "combine": False, **search}
    raw["agent"] = {"model": model}
    (repo / ".perfbot.yml").write_text(yaml.safe_dump(raw, sort_keys=False))


def make_repo(where: Path, source: Path, model: str, params: dict[str, list[Any]] | None = None, **search: Any) -> Path:
    repo = where / source.name
    shutil.copytree(source, repo, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache", ".perfbot"))
    write_small_config(repo, model, params, **search)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "target")
    return repo


@pytest.fixture
def closest_pair(tmp_path: Path) -> Callable[..., Path]:
    """examples/closest-pair with a two-point grid, committed; `model` and search options go in its config."""

    def make(model: str = "scripted:demo/closest-pair.yaml", **search: Any) -> Path:
        return make_repo(tmp_path, EXAMPLES / "closest-pair", model, CLOSEST_PAIR_GRID, **search)

    return make


@pytest.fixture
def two_hotspots(tmp_path: Path) -> Callable[..., Path]:
    def make(model: str, **search: Any) -> Path:
        return make_repo(tmp_path, AGENT_FIXTURES / "two-hotspots", model, **search)

    return make


def seed(fake: FakeGitLab, repo: Path) -> Project:
    files = {
        p.relative_to(repo).as_posix(): p.read_bytes()
        for p in sorted(repo.rglob("*"))
        if p.is_file() and not {".git", ".perfbot"} & set(p.relative_to(repo).parts)
    }
    return fake.add_project("acme/geometry", files=files)


@pytest.fixture
def lab() -> Iterator[Callable[[Path], Lab]]:
    """A fake GitLab whose project holds the repo's files at `main`, with the bot, a developer, an MR, an issue."""
    with FakeGitLab() as fake:

        def make(repo: Path) -> Lab:
            bot = fake.add_user("perfbot", token=BOT_TOKEN)
            developer = fake.add_user("dana")
            project = seed(fake, repo)
            fake.add_member(project, bot, 30)
            fake.add_member(project, developer, 30)
            with fake.lock:
                project.branches["feature"] = project.branches["main"]
            mr = fake.add_merge_request(project, "feature", "Faster geometry")
            issue = fake.add_issue(project, "closest_pair_distance is slow")
            return Lab(fake, project, bot, developer, mr, issue)

        yield make
        assert fake.unexpected == [], f"unexpected calls to the fake GitLab: {fake.unexpected}"


def ci_env(lab: Lab, **extra: str) -> dict[str, str]:
    """The variables GitLab and the bot would give the job (bot-started, on main; token only if given)."""
    return {
        "CI_PIPELINE_SOURCE": "api",
        "CI_PIPELINE_ID": "9001",
        "CI_PIPELINE_URL": f"{lab.project.web_url}/-/pipelines/9001",
        "CI_PROJECT_ID": str(lab.project.id),
        "CI_PROJECT_URL": lab.project.web_url,
        "CI_SERVER_URL": lab.fake.url,
        "CI_COMMIT_SHA": lab.base_sha,
        "CI_COMMIT_REF_NAME": "main",
        "CI_COMMIT_BRANCH": "main",
        "CI_JOB_ID": "777",
        "PERFBOT_REQUEST": "req0123456789abcdef",
        "PERFBOT_PROJECT_ID": str(lab.project.id),
        "PERFBOT_MR_IID": str(lab.mr["iid"]),
        "PERFBOT_NOTE_ID": "555",
        "PERFBOT_REQUESTER": "dana",
        **extra,
    }


@pytest.fixture
def perfbot(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., CiRun]:
    """Runs `perfbot ARGS…` in-process with exactly `env` as the CI variables (others are cleared)."""

    def run(args: list[str], env: dict[str, str], out: Path) -> CiRun:
        for name in list(os.environ):
            if name.startswith(("CI_", "PERFBOT_", "GITLAB_")):
                monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        code = main(args)
        captured = capsys.readouterr()
        return CiRun(code, out, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The artifacts of one `perfbot ci` run on closest-pair that selected a candidate (made once per session;
    `copy_run` gives each test its own copy pointing at its own fake project)."""
    repo = make_repo(
        tmp_path_factory.mktemp("finished"),
        EXAMPLES / "closest-pair",
        "scripted:demo/closest-pair.yaml",
        CLOSEST_PAIR_GRID,
    )
    out = repo / ".perfbot" / "ci"
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith(("CI_", "PERFBOT_")):
                patch.delenv(name)
        patch.setenv("PERFBOT_REQUEST", "req0123456789abcdef")
        assert main(["ci", str(repo), "--sandbox", "local"]) == 0
    return out


def copy_run(source: Path, into: Path, lab: Lab) -> Path:
    """A copy of a run's artifacts whose request.json names `lab`'s project, base commit and MR."""
    out = into / "artifacts"
    shutil.copytree(source, out)
    request = json.loads((out / "request.json").read_text())
    request |= {"project_id": lab.project.id, "base_sha": lab.base_sha, "target_branch": "main"}
    request["origin"] = {"kind": "merge_request", "iid": lab.mr["iid"], "note_id": 555, "requester": "dana"}
    (out / "request.json").write_text(json.dumps(request))
    return out
