"""The agent's first user message: the focus (a requested or profiled function), earlier attempts, the files."""

from __future__ import annotations

import pytest

from pipelines.agent.prompts import Focus, task_message

FILES = {"src/stats.py": "def pairwise_min_gap(xs):\n    return 0\n"}


def test_a_focus_is_stated_first_and_not_as_an_earlier_attempt() -> None:
    task = task_message(FILES, focus=Focus.of("src/stats.py::pairwise_min_gap"))

    assert task.startswith("## Focus\nFocus on `pairwise_min_gap` in src/stats.py: it is the function to make faster.")
    assert "Earlier attempts" not in task and "(the best candidate so far)" not in task
    assert '<file path="src/stats.py">\ndef pairwise_min_gap(xs):' in task


def test_a_profiled_focus_says_how_much_of_the_time_it_takes_and_comes_before_earlier_attempts() -> None:
    task = task_message(FILES, "- agent a0 (round 1): finished", Focus.of("src/stats.py::Stats.mean", 0.42))

    assert "Focus on `Stats.mean` in src/stats.py" in task
    assert "(profiling put 42% of the benchmark's time there)" in task
    assert task.index("## Focus") < task.index("## Earlier attempts") < task.index("<file")


def test_without_a_focus_the_task_names_none() -> None:
    assert "Focus" not in task_message(FILES)


@pytest.mark.parametrize("target", [None, "src/stats.py"])
def test_a_target_without_a_symbol_has_no_focus(target: str | None) -> None:
    assert Focus.of(target) is None


def test_a_focus_splits_path_and_dotted_symbol() -> None:
    assert Focus.of("a/b.py::C.m", 0.5) == Focus("a/b.py", "C.m", 0.5)
