"""A new user's first hour, end to end in the Docker sandbox: a src-layout repository whose code imports a PyPI
package the sandbox image lacks (sortedcontainers, built into a wheelhouse on this host), `perfbot init`, the
placeholders it asks for filled in, `perfbot doctor`, and `perfbot evaluate` accepting a faster version."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from tests.conftest import committed_copy, git, needs_docker

pytestmark = needs_docker()
FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "src-layout"
FAST = (
    (FIXTURE / "src" / "rankstats" / "ranks.py")
    .read_text()
    .replace("counts.append(sum(1 for earlier in seen if earlier < value))", "counts.append(seen.bisect_left(value))")
)


def fill_in_placeholders(repo: Path) -> None:
    """Only what `perfbot init` asked for: the inputs function's body and the sizes."""
    inputs = repo / "perfbot_inputs.py"
    body = "    return ([rng.randint(0, n) for _ in range(n)],)\n"
    inputs.write_text(re.sub(r"    raise NotImplementedError\(\n.*\n    \)\n", body, inputs.read_text()))
    config = repo / ".perfbot.yml"
    config.write_text(config.read_text().replace("n: [1000, 10000, 100000]", "n: [200, 800, 2000]"))


def test_init_doctor_and_evaluate_on_a_src_layout_with_a_dependency(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-0123456789")
    repo = committed_copy(FIXTURE, tmp_path / "rankstats", "a src-layout package")

    assert main(["init", str(repo)]) == 0
    said = capsys.readouterr().out
    assert "proposed entry: rankstats.ranks:smaller_counts in src/rankstats/ranks.py" in said
    assert "fill in the body of make() in perfbot_inputs.py" in said
    raw = yaml.safe_load((repo / ".perfbot.yml").read_text())
    assert raw["target"]["files"] == ["src/rankstats/ranks.py"]
    assert raw["benchmark"]["pythonpath"] == ["src", "."]
    assert raw["sandbox"]["install"] == {"project": True}
    assert ".perfbot/" in (repo / ".gitignore").read_text().splitlines()

    assert main(["doctor", str(repo)]) == 2
    told = capsys.readouterr().out
    assert "perfbot_inputs:make in perfbot_inputs.py is still perfbot init's placeholder" in told

    fill_in_placeholders(repo)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "perfbot config")
    assert main(["doctor", str(repo), "--json"]) == 0
    checks = json.loads(capsys.readouterr().out)["checks"]
    assert [c["name"] for c in checks if not c["ok"]] == []

    candidate = tmp_path / "fast_ranks.py"
    candidate.write_text(FAST)
    out = tmp_path / "out"
    code = main(
        ["evaluate", str(repo), "--out", str(out), "--json", "--candidate", f"src/rankstats/ranks.py={candidate}"]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert re.search(r"dependency image perfbot/deps:\w+: reused", captured.err)
    report = json.loads(captured.out)
    assert report["selected"] == "c1"
    assert report["candidates"][0]["status"] == "accepted"
    assert git(repo, "status", "--porcelain") == ""
