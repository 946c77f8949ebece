"""`perfbot init` without Docker, the dispatcher's help, and the pieces init and the dependency image are made of."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from pipelines.agent.repo_copy import put_repo
from pipelines.config import load_config
from pipelines.dependencies import detect_install
from pipelines.layout import command_for_tests, default_pythonpath, module_files, module_name
from sandbox.deps_image import _culprit
from sandbox.local import LocalSandbox


def test_perfbot_alone_prints_help_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 2
    assert "usage: perfbot" in capsys.readouterr().err


def test_a_mistyped_command_gets_a_did_you_mean(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["evalute"])
    assert exited.value.code == 2
    assert "did you mean 'evaluate'?" in capsys.readouterr().err


def test_init_without_profiling_leaves_marked_placeholders_and_says_what_to_fill_in(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "stats.py").write_text("def f():\n    return 1\n")
    (tmp_path / ".gitignore").write_text("*.pyc")
    assert main(["init", str(tmp_path), "--no-profile"]) == 0
    said = capsys.readouterr().out
    assert "fill in target.files" in said and "fill in benchmark.entry" in said
    config = load_config(tmp_path)
    assert config.target.files == ["FILL_IN/path/to/module.py"]
    assert config.benchmark.entry == "FILL_IN.module:function"
    assert config.benchmark.inputs == "perfbot_inputs:make"
    assert "def make(n, seed=0):" in (tmp_path / "perfbot_inputs.py").read_text()
    assert (tmp_path / ".gitignore").read_text() == "*.pyc\n.perfbot/\n"


def test_doctor_names_inits_placeholders_and_prints_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.conftest import git

    (tmp_path / "stats.py").write_text("def f():\n    return 1\n")
    assert main(["init", str(tmp_path), "--no-profile"]) == 0
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "init")
    capsys.readouterr()
    assert (
        main(["doctor", str(tmp_path), "--sandbox", "local", "--model", "scripted:demo/closest-pair.yaml", "--json"])
        == 2
    )
    failed = {c["name"] for c in json.loads(capsys.readouterr().out)["checks"] if not c["ok"] and c["needed"]}
    assert failed == {"target.files", "benchmark.entry", "benchmark.inputs"}


def test_the_layout_is_detected(tmp_path: Path) -> None:
    assert default_pythonpath(tmp_path) == [""]
    (tmp_path / "src" / "pkg").mkdir(parents=True)
    assert default_pythonpath(tmp_path) == ["src"]
    assert module_name("src/pkg/core.py", ["src"]) == "pkg.core"
    assert module_name("src/pkg/__init__.py", ["src", ""]) == "pkg"
    assert module_files("pkg.core", ["src", ""]) == [
        "src/pkg/core.py",
        "src/pkg/core/__init__.py",
        "pkg/core.py",
        "pkg/core/__init__.py",
    ]
    assert command_for_tests(tmp_path) == "python -m unittest discover -q"
    (tmp_path / "tests").mkdir()
    assert command_for_tests(tmp_path) == "python -m pytest -q"


def test_dependencies_are_detected_from_pyproject_else_requirements(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("six\n")
    (tmp_path / "requirements-dev.txt").write_text("pytest\n")
    assert detect_install(tmp_path).requirements == ["requirements-dev.txt", "requirements.txt"]
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "p"\ndependencies = ["six"]\n[project.optional-dependencies]\ntest = ["pytest"]\n'
    )
    install = detect_install(tmp_path)
    assert (install.project, install.extras, install.requirements) == (True, ["test"], [])


@pytest.mark.parametrize(
    ("output", "package"),
    [
        ("ERROR: No matching distribution found for nosuch==1.0\n", "nosuch==1.0"),
        ("ERROR: Failed building wheel for lxml\n", "lxml"),
        ("ERROR: numpy-2.0-cp313-cp313-linux_x86_64.whl is not a supported wheel on this platform.", "numpy"),
        ("something else went wrong", None),
    ],
)
def test_the_package_a_failed_install_names(output: str, package: str | None) -> None:
    assert _culprit(output) == package


def test_the_agents_copy_is_a_git_repository(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("x = 1\n")
    with LocalSandbox(label="test-git-copy") as sandbox:
        put_repo(sandbox, tmp_path)
        sandbox.put_files({"repo/m.py": b"x = 2\n"})
        diff = sandbox.execute("git diff --stat", timeout=60, cwd="repo").output
    assert "m.py | 2 +-" in diff
