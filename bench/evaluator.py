"""Benchmarks of the evaluator itself, on the bundled closest-pair example.

python bench/evaluator.py aa [--runs 5] [--repeat N] [--sandbox local|docker]
    (a) precision: the baseline against an identical copy, `runs` times; prints each score, their mean and
        spread (goal: every score within ±3% of 1.0).
python bench/evaluator.py overhead [--repeat N] [--sandbox local|docker]
    (b) overhead: wall time of `perfbot evaluate` with one candidate divided by the time of doing the same
        work by hand with subprocess: both test runs, then per grid point the same timing runs (A/A, then
        A/B), memory runs and output runs, each a fresh `python -c` (goal: at most 1.3x).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "closest-pair"
PERFBOT = Path(sys.executable).parent / "perfbot"


_TIME_RUN = (
    "import gc, time, bench_inputs, geometry\n"
    "a = bench_inputs.make(**{params})\n"
    "gc.collect(); gc.disable(); t = time.perf_counter(); geometry.closest_pair_distance(*a)\n"
    "print(time.perf_counter() - t)\n"
)
_MEMORY_RUN = (
    "import tracemalloc, bench_inputs, geometry\n"
    "tracemalloc.start(); a = bench_inputs.make(**{params}); tracemalloc.reset_peak()\n"
    "geometry.closest_pair_distance(*a); print(tracemalloc.get_traced_memory()[1])\n"
)


def fast_candidate() -> str:
    """The sort-and-sweep version the evaluator's tests use (kept out of the example, where an agent would see it)."""
    sys.path.insert(0, str(ROOT))
    from tests.pipelines.evaluate.candidates import FAST

    return FAST


def bench_aa(runs: int, repeat: int | None, kind: str) -> None:
    from pipelines.config import load_config
    from pipelines.evaluate import Candidate, Evaluator
    from sandbox.factory import open_sandbox

    config = load_config(EXAMPLE)
    same = (EXAMPLE / "geometry.py").read_text()
    with open_sandbox(kind, label="bench-aa", benchmark=True) as sandbox:  # type: ignore[arg-type]
        evaluator = Evaluator(EXAMPLE, config, sandbox, repeat=repeat)
        baseline = evaluator.prepare()
        print(f"prepare: A/A score {baseline.aa_score:.4f}, noise floor {baseline.noise:.2%}")
        scores = []
        for i in range(runs):
            [result] = evaluator.evaluate([Candidate(f"aa{i}", "copy of geometry.py", {"geometry.py": same})])
            assert result.score is not None, result.reason
            scores.append(result.score)
            print(f"run {i + 1}: score {result.score:.4f} ({result.status}: {result.reason})")
    deviation = max(abs(s - 1) for s in scores)
    print(
        f"A/A over {runs} runs ({kind}, repeat {evaluator.repeat}): mean {statistics.mean(scores):.4f}, "
        f"stdev {statistics.pstdev(scores):.4f}, min {min(scores):.4f}, max {max(scores):.4f}, "
        f"largest deviation from 1: {deviation:.2%} (goal ±3%)"
    )


def bench_overhead(repeat: int | None, kind: str) -> None:
    from pipelines.config import load_config

    config = load_config(EXAMPLE)
    repeat = repeat or config.benchmark.repeat
    with tempfile.TemporaryDirectory(prefix="perfbot-bench-") as tmp:
        work = Path(tmp)
        candidate = work / "fast_geometry.py"
        candidate.write_text(fast_candidate())
        repo = _git_copy(EXAMPLE, work / "repo")
        started = time.monotonic()
        argv = [str(PERFBOT), "evaluate", str(repo), "--sandbox", kind, "--repeat", str(repeat)]
        argv += ["--candidate", f"geometry.py={candidate}", "--out", str(work / "out")]
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        perfbot_s = time.monotonic() - started
        by_hand_s = _by_hand(config, repo, candidate, work, repeat)
    print(f"perfbot evaluate ({kind}, repeat {repeat}): {perfbot_s:.1f} s")
    print(f"the same tests and timing runs by hand: {by_hand_s:.1f} s")
    print(f"overhead: {perfbot_s / by_hand_s:.2f}x (goal <= 1.3x)")


def _by_hand(config: object, repo: Path, candidate: Path, work: Path, repeat: int) -> float:
    from pipelines.config import Config

    assert isinstance(config, Config)
    started = time.monotonic()
    base = repo
    cand = work / "cand"
    shutil.copytree(repo, cand, ignore=shutil.ignore_patterns(".git", ".perfbot"))
    shutil.copy(candidate, cand / "geometry.py")
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    for directory in (base, cand):
        subprocess.run(config.tests.command, shell=True, cwd=directory, check=True, capture_output=True, env=env)
    for params in config.benchmark.grid():
        for other in (base, cand):  # first the A/A pass (base vs a copy), then A/B: the same number of runs
            for _ in range(repeat):
                for directory in (base, other):
                    _python(_TIME_RUN.format(params=params), directory)
            for directory in (base, other):
                _python(_MEMORY_RUN.format(params=params), directory)
                _python(_TIME_RUN.format(params=params), directory)  # stands for the output run
    return time.monotonic() - started


def _python(code: str, cwd: Path) -> str:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, check=True, capture_output=True, text=True).stdout


def _git_copy(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__", ".perfbot"))
    env = ["-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    subprocess.run(["git", "init", "-q"], cwd=dest, check=True)
    subprocess.run(["git", "add", "-A"], cwd=dest, check=True)
    subprocess.run(["git", *env, "commit", "-qm", "example"], cwd=dest, check=True)
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("which", choices=["aa", "overhead", "all"])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument("--sandbox", choices=["local", "docker"], default="local")
    args = parser.parse_args()
    if args.which in ("aa", "all"):
        bench_aa(args.runs, args.repeat, args.sandbox)
    if args.which in ("overhead", "all"):
        bench_overhead(args.repeat, args.sandbox)


if __name__ == "__main__":
    main()
