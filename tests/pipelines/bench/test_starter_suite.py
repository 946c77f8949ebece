"""The starter suite in bench/tasks: enough varied tasks, each cheap to benchmark, whose human-written tests pass
on the task and on its known-good solution and catch its plausible wrong optimization."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipelines.bench.suite import Task, load_suite
from tests.conftest import ROOT

SUITE = ROOT / "bench" / "tasks"
TASKS = load_suite(SUITE)


def test_the_suite_has_at_least_eight_tasks_of_five_kinds_each_with_both_versions() -> None:
    assert len(TASKS) >= 8
    assert {t.kind for t in TASKS} >= {"algorithmic", "allocation", "repeated-work", "parsing", "numeric"}
    assert all(set(t.overlays) == {"reference", "wrong"} and t.reference_speedup for t in TASKS)


def test_at_least_two_tasks_vary_a_second_benchmark_axis_beside_n() -> None:
    varied = [t.name for t in TASKS if any(axis != "n" and len(v) > 1 for axis, v in t.config.benchmark.params.items())]
    assert len(varied) >= 2, varied


def failing_tasks(tmp_path: Path, version: str) -> tuple[set[str], int]:
    """Runs every task's tests in one pytest process (module names differ across tasks) on `version`: the tasks
    with a failing test, and how many tests passed."""
    roots = []
    for task in TASKS:
        root = tmp_path / version / task.name
        shutil.copytree(task.repo, root)
        for rel, text in task.overlays.get(version, {}).items():
            (root / rel).write_text(text)
        roots.append(root)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(r) for r in roots)}
    argv = [sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider", "-c", os.devnull]
    argv += ["--rootdir", str(tmp_path / version), *(str(r / "tests") for r in roots)]
    result = subprocess.run(argv, capture_output=True, text=True, env=env, cwd=tmp_path / version, check=False)
    assert result.returncode in (0, 1), result.stdout[-3000:] + result.stderr[-3000:]
    passed = re.search(r"(\d+) passed", result.stdout)
    return set(re.findall(r"^FAILED ([\w-]+)/tests/", result.stdout, re.MULTILINE)), int(
        passed.group(1)
    ) if passed else 0


@pytest.mark.parametrize("version", ["base", "reference"])
def test_the_tests_pass_on_the_task_and_on_its_known_good_solution(tmp_path: Path, version: str) -> None:
    failing, passed = failing_tasks(tmp_path, version)
    assert (failing, passed >= 4 * len(TASKS)) == (set(), True)


def test_the_tests_catch_every_plausible_wrong_optimization(tmp_path: Path) -> None:
    assert failing_tasks(tmp_path, "wrong")[0] == {t.name for t in TASKS}


def largest_call_s(task: Task) -> float:
    bench = task.config.benchmark
    point = {axis: values[-1] for axis, values in bench.params.items()}
    namespace = {}
    for ref in (bench.entry, bench.inputs):
        module, _, name = ref.partition(":")
        spec = importlib.util.spec_from_file_location(f"_bench_{task.name}_{module}", task.repo / f"{module}.py")
        assert spec is not None and spec.loader is not None
        loaded = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(loaded)
        namespace[ref] = getattr(loaded, name)
    made = namespace[bench.inputs](**point)
    started = time.perf_counter()
    namespace[bench.entry](*made["args"], **made["kwargs"])
    return time.perf_counter() - started


@pytest.mark.parametrize("task", TASKS, ids=[t.name for t in TASKS])
def test_the_largest_benchmark_call_is_cheap(task: Task) -> None:
    # ~0.2 s on an idle core; the margin absorbs a busy shared machine.
    assert largest_call_s(task) < 1.0
