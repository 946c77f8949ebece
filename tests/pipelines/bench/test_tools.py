"""The tools beside `perfbot bench SUITE`: `compare` (with its tests named), `check` (a suite validator) and
`rescore` (predictions re-measured), plus failure modes read from an external agent's log."""

from __future__ import annotations

import difflib
import json
import shutil
from pathlib import Path

import pytest

from bot.cli import main
from pipelines.bench import compare
from pipelines.bench.failures import log_failures
from pipelines.bench.harness import write_record
from tests.pipelines.bench.conftest import TASK, TINY


def run(contestant: str, task: str, repeat: int, speedup: float, solved: bool) -> dict:
    return {
        "task": task,
        "contestant": contestant,
        "repeat": repeat,
        "status": "ok",
        "solved": solved,
        "speedup": speedup,
    }


def test_the_sign_flip_test_is_exact_for_few_pairs() -> None:
    assert compare.sign_flip_p([0.1] * 5) == pytest.approx(2 / 32)
    assert compare.sign_flip_p([0.1] * 6) == pytest.approx(2 / 64)
    assert compare.sign_flip_p([0.1, -0.1]) == 1.0
    assert compare.sign_flip_p([0.0, 0.0]) == 1.0
    assert compare.mcnemar_p(0, 6) == pytest.approx(2 / 64) and compare.mcnemar_p(3, 3) == 1.0


def test_compare_pairs_runs_by_task_and_repeat_and_names_its_tests() -> None:
    a = [run("a", t, r, 1.0, False) for t in "xyz" for r in (1, 2)]
    b = [run("b", t, r, 2.0 + r / 10, True) for t in "xyz" for r in (1, 2)]
    result = compare.compare(a, b)
    assert result["pairs"] == 6 and result["speedup_p"] == pytest.approx(2 / 64) and result["speedup_significant"]
    assert (result["solved_only_b"], result["solved_p"]) == (6, pytest.approx(2 / 64))
    text = compare.text("a", "b", result)
    assert compare.SPEEDUP_TEST in text and compare.SOLVED_TEST in text and "a significant difference" in text
    same = compare.compare(a, [run("c", t, r, 1.0, False) for t in "xyz" for r in (1, 2)])
    assert not same["speedup_significant"] and "no significant difference" in compare.text("a", "c", same)


def test_perfbot_bench_compare_reads_a_results_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for r in (1, 2, 3):
        for task in ("x", "y"):
            for name, speedup in (("short", 1.0), ("long", 3.0 + r)):
                write_record(tmp_path / "runs" / task / name / f"{r}.json", run(name, task, r, speedup, speedup > 1))
    assert main(["bench", "compare", "short", "long", "--out", str(tmp_path)]) == 0
    said = capsys.readouterr().out
    assert "long vs short: 6 paired runs" in said and "p = 0.0312 -> a significant difference" in said
    assert json.loads((tmp_path / "compare-short-vs-long.json").read_text())["speedup_significant"] is True
    assert main(["bench", "compare", "short", "nobody", "--out", str(tmp_path)]) == 2
    assert "no finished runs of contestant 'nobody'; the folder has ['long', 'short']" in capsys.readouterr().err


def test_aider_failure_modes_are_read_from_its_log() -> None:
    log = "\n".join(
        [
            "## SearchReplaceNoExactMatch: This SEARCH block failed to exactly match lines in pairs.py",
            "## SearchReplaceNoExactMatch: This SEARCH block failed to exactly match lines in pairs.py",
            "The LLM did not conform to the edit format.",
            "# Fix any errors below, if possible.",
            "Only 3 reflections allowed, stopping.",
        ]
    )
    assert log_failures("aider", log, timed_out=True) == {
        "no-match edit": 2,
        "malformed edit": 1,
        "lint errors": 1,
        "reflections used up": 1,
        "timeout": 1,
    }
    assert log_failures("none", log, timed_out=False) == {}


@pytest.fixture
def broken_suite(tmp_path: Path) -> Path:
    """The tiny task twice: once as is, once whose 'wrong' version is the original code (its tests cannot catch
    it), and a third task whose task.yml has a typo."""
    suite = tmp_path / "suite"
    shutil.copytree(TINY / "pair-count", suite / "good-task")
    shutil.copytree(TINY / "pair-count", suite / "uncaught-wrong")
    shutil.copy(TASK / "repo" / "pairs.py", suite / "uncaught-wrong" / "wrong" / "pairs.py")
    shutil.copytree(TINY / "pair-count", suite / "typo")
    (suite / "typo" / "task.yml").write_text("descripton: x\n")
    return suite


def test_check_says_which_task_is_unfit_and_why(broken_suite: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "check", str(broken_suite), "--sandbox", "local"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert "ok   good-task: reference: accepted" in "\n".join(lines)
    assert any(line.startswith("ok   good-task: wrong: rejected") for line in lines)
    assert any(line.startswith("FAIL uncaught-wrong: wrong:") and "do not catch" in line for line in lines)
    assert any(line.startswith("FAIL typo: loads:") and "descripton" in line for line in lines)
    assert lines[-1] == "1/3 task(s) fit to benchmark; failing: ['typo', 'uncaught-wrong']"


def test_check_refuses_a_folder_that_is_not_a_suite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "check", str(tmp_path / "nope")]) == 2
    assert "no such task suite" in capsys.readouterr().err
    assert main(["bench", "check"]) == 2
    assert "usage: perfbot bench check SUITE" in capsys.readouterr().err


def test_rescore_measures_each_prediction_again(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (TASK / "repo" / "pairs.py").read_text().splitlines(keepends=True)
    after = (TASK / "reference" / "pairs.py").read_text().splitlines(keepends=True)
    patch = "".join(difflib.unified_diff(before, after, "a/pairs.py", "b/pairs.py"))
    predictions = tmp_path / "predictions.jsonl"
    lines = [
        {"task": "pair-count", "contestant": "good", "repeat": 1, "patch": patch, "solved": True, "speedup": 9.0},
        {"task": "pair-count", "contestant": "idle", "repeat": 1, "patch": "", "solved": False, "speedup": 1.0},
    ]
    predictions.write_text("".join(json.dumps(line) + "\n" for line in lines))
    assert main(["bench", "rescore", str(predictions), str(TINY), "--sandbox", "local", "--out", str(tmp_path)]) == 0
    rescored = [json.loads(line) for line in (tmp_path / "rescored.jsonl").read_text().splitlines()]
    assert [(r["contestant"], r["solved"]) for r in rescored] == [("good", True), ("idle", False)]
    assert rescored[0]["speedup"] > 1.5 and rescored[0]["was"] == {"solved": True, "speedup": 9.0}
    assert "| pair-count | good | 1 | solved 9.00x | solved" in capsys.readouterr().out


def test_rescore_names_a_bad_prediction_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    predictions = tmp_path / "predictions.jsonl"
    predictions.write_text('{"task": "pair-count", "contestant": "x"}\n')
    assert main(["bench", "rescore", str(predictions), str(TINY)]) == 2
    assert "predictions.jsonl:1: a prediction needs" in capsys.readouterr().err
