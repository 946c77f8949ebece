"""`perfbot evaluate` and `perfbot init` through the CLI dispatcher, as a user runs them."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.cli import main
from pipelines.config import load_config
from tests.conftest import git
from tests.pipelines.evaluate import candidates as versions

SCHEMA = json.loads((Path(__file__).resolve().parents[3] / "templates" / "report.schema.json").read_text())


def _write_config(repo: Path, mutate: Callable[[dict], None]) -> None:
    raw = yaml.safe_load((repo / ".perfbot.yml").read_text())
    mutate(raw)
    (repo / ".perfbot.yml").write_text(yaml.safe_dump(raw, sort_keys=False))


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda raw: raw["benchmark"].update(repaet=3), "benchmark.repaet: unknown key"),
        (lambda raw: raw["benchmark"].update(repeat="often"), "benchmark.repeat: "),
        (lambda raw: raw["accept"].update(min_speedup=0.5), "accept.min_speedup: "),
        (lambda raw: raw["benchmark"].update(entry="geometry.closest_pair_distance"), "benchmark.entry: expected"),
        (lambda raw: raw.pop("target"), "target: required key is missing"),
    ],
)
def test_a_bad_config_exits_2_naming_the_key_and_the_file(
    example_repo: Callable[[str], Path], capsys: pytest.CaptureFixture[str], mutate: Callable, expected: str
) -> None:
    repo = example_repo("closest-pair")
    _write_config(repo, mutate)
    code = main(["evaluate", str(repo), "--sandbox", "local", "--candidate", "geometry.py=geometry.py"])
    err = capsys.readouterr().err
    assert code == 2
    assert str(repo / ".perfbot.yml") in err
    assert expected in err


def test_a_missing_config_exits_2_and_points_to_init(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["evaluate", str(tmp_path), "--candidate", "a.py=b.py"]) == 2
    assert "perfbot init" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("geometry.py", "expected PATH=FILE"),
        ("bench_inputs.py=geometry.py", "not among target.files"),
        ("geometry.py=no/such/file.py", "cannot read no/such/file.py"),
    ],
)
def test_a_bad_candidate_argument_exits_2(
    example_repo: Callable[[str], Path], capsys: pytest.CaptureFixture[str], spec: str, expected: str
) -> None:
    repo = example_repo("closest-pair")
    assert main(["evaluate", str(repo), "--sandbox", "local", "--candidate", spec]) == 2
    assert expected in capsys.readouterr().err


def test_evaluate_writes_the_artifacts_and_selects_the_faster_candidate(
    example_repo: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = example_repo("closest-pair")
    _write_config(repo, lambda raw: raw["benchmark"].update(params={"n": [60, 300], "d": [2]}, weights={}))
    fast, slow = tmp_path / "fast.py", tmp_path / "slow.py"
    fast.write_text(versions.FAST)
    slow.write_text(versions.SLOWER)
    # The working copy differs from the commit: the committed version must be the baseline.
    (repo / "geometry.py").write_text(versions.FAST)
    out = tmp_path / "out"
    argv = ["evaluate", str(repo), "--sandbox", "local", "--repeat", "3", "--out", str(out)]
    code = main([*argv, "--candidate", f"geometry.py={fast}", "--candidate", f"geometry.py={slow}"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "selected: c1" in captured.out and str(out / "report.md") in captured.out
    assert "c1, c2: 5 paired round(s) against the baseline" in captured.err
    report = json.loads((out / "report.json").read_text())
    jsonschema.validate(report, SCHEMA)
    assert report["selected"] == "c1"
    assert [c["origin"] for c in report["candidates"]] == [str(fast), str(slow)]
    assert [c["status"] for c in report["candidates"]] == ["accepted", "rejected"]
    assert report["sandbox"] == {"kind": "local", "isolated": False}
    patch = (out / "patch.diff").read_text()
    assert patch.startswith("--- a/geometry.py\n+++ b/geometry.py\n")
    assert "no container isolated the code" in (out / "report.md").read_text()
    assert "<svg" in (out / "report.html").read_text()


def test_a_baseline_the_benchmark_fails_on_exits_1_with_a_report_that_says_where(
    example_repo: Callable[[str], Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = example_repo("closest-pair")
    _write_config(repo, lambda raw: raw["benchmark"].update(params={"n": [60, 300], "d": [2]}, weights={}))
    inputs = repo / "bench_inputs.py"
    broken = "\n\ndef broken(n, d, seed=0):\n    if n > 100:\n        raise ValueError(f'no input for n={n}')\n"
    inputs.write_text(inputs.read_text() + broken + "    return make(n, d, seed)\n")
    _write_config(repo, lambda raw: raw["benchmark"].update(inputs="bench_inputs:broken"))
    git(repo, "commit", "-qam", "inputs that cannot be built")
    candidate = tmp_path / "fast.py"
    candidate.write_text(versions.FAST)
    out = tmp_path / "out"

    code = main(
        ["evaluate", str(repo), "--sandbox", "local", "--out", str(out), "--candidate", f"geometry.py={candidate}"]
    )

    err = capsys.readouterr().err
    assert code == 1
    assert "perfbot evaluate: bench_inputs:broken fails at n=300 d=2" in err
    report = json.loads((out / "report.json").read_text())
    jsonschema.validate(report, SCHEMA)
    assert report["error"]["stage"] == "baseline-benchmark"
    assert "no input for n=300" in report["error"]["message"]
    assert (report["error"]["test"], report["error"]["output"]) == (None, "")
    assert report["baseline"]["tests"]["passed"] is True
    assert (report["candidates"], report["selected"]) == ([], None)
    assert "bench_inputs:broken fails at n=300 d=2" in (out / "report.md").read_text()


def test_init_writes_a_starter_config_that_loads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "stats.py").write_text("def f():\n    return 1\n")
    assert main(["init", str(tmp_path)]) == 0
    config = load_config(tmp_path)
    assert config.target.files == ["FILL_IN/path/to/module.py"]  # no tests to profile: a marked placeholder
    assert config.benchmark.inputs == "perfbot_inputs:make"
    assert "# " in (tmp_path / ".perfbot.yml").read_text()


def test_init_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".perfbot.yml").write_text("mine: true\n")
    assert main(["init", str(tmp_path)]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err
    assert (tmp_path / ".perfbot.yml").read_text() == "mine: true\n"


def test_the_baseline_is_the_committed_tree_even_in_a_subdirectory(tmp_path: Path) -> None:
    from pipelines.commands.evaluate import committed_tree
    from tests.conftest import git

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "m.py").write_text("committed\n")
    (tmp_path / "other.py").write_text("elsewhere\n")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "c")
    (tmp_path / "sub" / "m.py").write_text("edited\n")
    with committed_tree(tmp_path / "sub") as baseline:
        assert sorted(p.name for p in baseline.iterdir()) == ["m.py"]
        assert (baseline / "m.py").read_text() == "committed\n"


def test_a_directory_outside_git_is_its_own_baseline(tmp_path: Path) -> None:
    from pipelines.commands.evaluate import committed_tree

    with committed_tree(tmp_path) as baseline:
        assert baseline == tmp_path
