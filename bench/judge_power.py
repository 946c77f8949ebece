"""How well the judge tells real speedups from noise, what it costs, and how its figures compare with pyperf's.

python bench/judge_power.py [--runs 20] [--sandbox docker|local] [--skip power,hog,overhead,pyperf]

power     On the bundled closest-pair example (two sizes), a baseline that does a calibrated extra amount of work and
          three candidates, evaluated together `runs` times (each run a fresh sandbox, tests, calibration and A/A):
          an identical copy (written differently, so it is measured), the same code with the extra work removed
          where it is 10% of the total, and where it is 5%. Prints how often each was accepted (goals: identical
          copy 0; 10% removed at least 19 of 20 on a quiet machine, at min_speedup 1.02) and the A/A precision.
hog       The same with a process hogging the CPU the benchmark is pinned to (goal: no false acceptance; refusing to
          decide, and saying why, is fine).
overhead  Wall time of `perfbot evaluate` with one candidate against the same work by hand: both test runs, then per
          grid point and round a fresh process per version (the baseline's copies of its A/A before and beside
          the candidate included) that builds its input, warms up and times the call;
          three of each, in turn, and the medians (goal: at most 1.3x). By hand twice: on this machine, and in a
          Docker sandbox as the candidate user, which separates what the sandbox costs any process (on this machine
          a process of an unprivileged user starts about twice as slowly as root's) from the evaluator's own cost.
pyperf    For the bundled example and the bytes-buffer task (tests/pipelines/evaluate/warmth), cold and warm speedups
          from perfbot beside pyperf's for the same functions in the same sandbox, in 3 blocks of one perfbot
          evaluation and 2 pyperf runs a version of one process each (1 warm-up, 3 values), alternating between
          the versions; perfbot's median over the blocks against the median of pyperf's values (goal: perfbot's warm
          speedup within 10% of pyperf's), and how far each one's blocks spread.

After each part, the share of each CPU's time the hypervisor gave other guests (steal, from /proc/stat): on a
virtual machine, noise no process inside it can see or remove.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pipelines.config import load_config  # noqa: E402
from pipelines.evaluate import Candidate, Evaluator  # noqa: E402
from pipelines.evaluate.harness import lock_key, measurement_lock  # noqa: E402
from sandbox.factory import open_sandbox  # noqa: E402

EXAMPLE = ROOT / "examples" / "closest-pair"
OVERHEAD_RUNS = 3
"""`perfbot evaluate` runs and by-hand runs in the overhead part, alternating."""
PYPERF_BLOCKS = 3
"""Blocks of one perfbot evaluation and PYPERF_RUNS pyperf runs a version, one after the other."""
PYPERF_RUNS = 2
"""pyperf runs per version and block, one process each, alternating."""
WARMTH = ROOT / "tests" / "pipelines" / "evaluate" / "warmth"
PERFBOT = Path(sys.executable).parent / "perfbot"
GRID = {"n": [200, 800], "d": [2]}
# The baseline does its real work, then the same loop again over a `fraction` of the pairs: removing that is a
# speedup of exactly 1 + fraction, whatever the machine.
WITH_EXTRA = """import math


def _pairs(points, limit):
    best, seen = math.inf, 0
    for i in range(len(points)):
        for j in range(i + 1, len(points)):
            if seen >= limit:
                return best
            seen += 1
            distance = math.dist(points[i], points[j])
            if distance < best:
                best = distance
    return best


def closest_pair_distance(points):
    if len(points) < 2:
        raise ValueError("closest_pair_distance needs at least two points")
    total = len(points) * (len(points) - 1) // 2
    best = _pairs(points, total)
    EXTRA
    return best
"""


def version(extra_fraction: float) -> str:
    call = f"_pairs(points, int(total * {extra_fraction!r}))" if extra_fraction else "pass"
    return WITH_EXTRA.replace("EXTRA", call)


def git_copy(
    source: Path, dest: Path, files: dict[str, str] | None = None, config: dict[str, Any] | None = None
) -> Path:
    import yaml

    shutil.copytree(source, dest, ignore=shutil.ignore_patterns("__pycache__", ".perfbot", ".git"))
    for rel, text in (files or {}).items():
        (dest / rel).write_text(text)
    if config:
        raw = yaml.safe_load((dest / ".perfbot.yml").read_text())
        for section, values in config.items():
            raw.setdefault(section, {}).update(values)
        (dest / ".perfbot.yml").write_text(yaml.safe_dump(raw))
    env = ["-c", "user.name=bench", "-c", "user.email=bench@localhost"]
    subprocess.run(["git", "init", "-q"], cwd=dest, check=True)
    subprocess.run(["git", "add", "-A"], cwd=dest, check=True)
    subprocess.run(["git", *env, "commit", "-qm", "bench"], cwd=dest, check=True)
    return dest


def power(runs: int, kind: str, label: str) -> None:
    total = 1 + 1 / 9  # the baseline with 1/9 extra: removing it takes 10% off
    with tempfile.TemporaryDirectory(prefix="perfbot-power-") as tmp:
        benchmark = {"params": GRID, "weights": {}, "metrics": {"time": 1.0}, "repeat": 5}
        repo = git_copy(EXAMPLE, Path(tmp) / "repo", {"geometry.py": version(1 / 9)}, {"benchmark": benchmark,
                        "accept": {"min_speedup": 1.02}})  # fmt: skip
        config = load_config(repo)
        copy = version(1 / 9).replace("best", "smallest")
        candidates = {"identical copy": copy, "10% removed": version(0.0), "5% removed": version((total / 1.05263) - 1)}
        accepted = dict.fromkeys(candidates, 0)
        aa, noises, beside, undecided = [], [], [], dict.fromkeys(candidates, 0)
        for run in range(runs):
            with open_sandbox(kind, label="bench-power", benchmark=True) as sandbox:  # type: ignore[arg-type]
                evaluator = Evaluator(repo, config, sandbox)
                baseline = evaluator.prepare()
                results = evaluator.evaluate([Candidate(n, n, {"geometry.py": t}) for n, t in candidates.items()])
            aa.append(baseline.aa_score)
            noises.append(baseline.noise)
            beside.append(max((r.noise or 0.0) for r in results))
            for result in results:
                accepted[result.id] += result.accepted
                undecided[result.id] += "straddles" in result.reason
            line = ", ".join(f"{r.id} {r.status} {r.score or 0:.3f}" for r in results)
            floors = f"noise {baseline.noise:.1%} before, {beside[-1]:.1%} allowed for"
            print(f"  [{label}] run {run + 1}/{runs}: {floors}; {line}", flush=True)
    print(f"{label}: accepted out of {runs} evaluations (min_speedup 1.02, 2 sizes, {kind} sandbox)")
    for name in candidates:
        print(f"  {name:15s} {accepted[name]:2d}/{runs}  (could not decide: {undecided[name]})")
    print(f"  A/A score: mean {statistics.fmean(aa):.4f}, largest deviation from 1 {max(abs(a - 1) for a in aa):.2%}; "
          f"noise floor median {statistics.median(noises):.1%}, max {max(noises):.1%}")  # fmt: skip
    print(f"  noise allowed for (the larger of that and the A/A beside the candidates): median "
          f"{statistics.median(beside):.1%}, max {max(beside):.1%}")  # fmt: skip


@contextmanager
def cpu_hog(cpus: str | None) -> Iterator[None]:
    """A busy process on the benchmark's CPU (the last one unless PERFBOT_BENCH_CPUS says otherwise)."""
    cpu = int((cpus or str((os.cpu_count() or 1) - 1)).split(",")[0].split("-")[0])
    hog = subprocess.Popen(["taskset", "-c", str(cpu), sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        hog.kill()
        hog.wait()


def overhead(kind: str, runs: int = OVERHEAD_RUNS) -> None:
    """`perfbot evaluate` and the same runs by hand (on this machine, and in the sandbox as the candidate user),
    in turn `runs` times each (one sample of either is at the mercy of the machine's drift); the medians."""
    from tests.pipelines.evaluate.candidates import FAST

    perfbot_s: list[float] = []
    by_hand_s: dict[str, list[float]] = {"here": [], "sandbox": []}
    with tempfile.TemporaryDirectory(prefix="perfbot-overhead-") as tmp:
        work = Path(tmp)
        repo = git_copy(EXAMPLE, work / "repo")
        (work / "fast.py").write_text(FAST)
        for run in range(runs):
            out = work / f"out-{run}"
            argv = [str(PERFBOT), "evaluate", str(repo), "--sandbox", kind, "--out", str(out)]
            started = time.monotonic()
            subprocess.run(
                [*argv, "--candidate", f"geometry.py={work / 'fast.py'}"],
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            perfbot_s.append(time.monotonic() - started)
            report = json.loads((out / "report.json").read_text())
            plan = by_hand_plan(repo, report)
            by_hand_s["here"].append(by_hand(repo, work / f"hand-{run}", FAST, plan))
            if kind == "docker":
                by_hand_s["sandbox"].append(by_hand_in_sandbox(repo, work / f"boxed-{run}", FAST, plan))
    mine = statistics.median(perfbot_s)
    print(f"overhead: perfbot evaluate ({kind}) {mine:.1f} s (goal: at most 1.3x the same runs by hand); medians of"
          f" {runs} runs in turn; perfbot {_seconds(perfbot_s)}")  # fmt: skip
    where = {"here": "on this machine", "sandbox": "in the sandbox, as the candidate user"}
    for key, times in by_hand_s.items():
        if times:
            theirs = statistics.median(times)
            print(f"  by hand {where[key]}: {theirs:.1f} s; {mine / theirs:.2f}x ({_seconds(times)})")


def _seconds(times: list[float]) -> str:
    return ", ".join(f"{t:.1f}" for t in times) + " s"


_TIMED = """
import time, bench_inputs, geometry
for seed in range({warmup} * {loops}):
    geometry.closest_pair_distance(*bench_inputs.make(**{params}, seed=seed + 1000))
inputs = [bench_inputs.make(**{params}, seed=seed) for seed in range({loops})]
t = time.perf_counter()
for a in inputs:
    geometry.closest_pair_distance(*a)
print((time.perf_counter() - t) / {loops})
"""

_BY_HAND = """
import json, subprocess, sys, time
plan = json.loads(sys.argv[1])
started = time.monotonic()
for directory in ("repo", "cand"):
    subprocess.run(plan["tests"], shell=True, cwd=directory, check=True, capture_output=True)
for directory, code in plan["timed"]:
    subprocess.run([sys.executable, "-c", code], cwd=directory, check=True, capture_output=True)
print(time.monotonic() - started)
"""


def by_hand_plan(repo: Path, report: dict[str, Any]) -> dict[str, Any]:
    """The tests command and the timing processes the evaluation ran (A/A rounds, then rounds of the baseline, its
    copy and the candidate), as (directory, code): the directory "repo" (the baseline) or "cand"."""
    config = load_config(repo)
    method = report["baseline"]["method"]
    [candidate] = report["candidates"]
    timed = []
    for index, params in enumerate(config.benchmark.grid()):
        base = _TIMED.format(warmup=method["warmup"], params=params, loops=method["loops"][index])
        mine = _TIMED.format(warmup=method["warmup"], params=params, loops=candidate["points"][index]["loops"])
        timed += [("repo", base), ("repo", base)] * method["rounds"]
        timed += [("repo", base), ("repo", base), ("cand", mine)] * candidate["rounds"]
    return {"tests": config.tests.command, "timed": timed}


def _by_hand_copies(repo: Path, work: Path, fast: str) -> None:
    for name in ("repo", "cand"):
        shutil.copytree(repo, work / name, ignore=shutil.ignore_patterns(".git", ".perfbot"))
    (work / "cand" / "geometry.py").write_text(fast)
    (work / "by_hand.py").write_text(_BY_HAND)


def by_hand(repo: Path, work: Path, fast: str, plan: dict[str, Any]) -> float:
    """The same tests and timing processes as the evaluation, run here with this interpreter."""
    _by_hand_copies(repo, work, fast)
    env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    argv = [sys.executable, "by_hand.py", json.dumps(plan)]
    done = subprocess.run(argv, cwd=work, check=True, capture_output=True, text=True, env=env)
    return float(done.stdout.split()[-1])


def by_hand_in_sandbox(repo: Path, work: Path, fast: str, plan: dict[str, Any]) -> float:
    """The same, in a fresh Docker sandbox as the candidate user (what the machine charges any code run there:
    the evaluator's own overhead is the rest)."""
    _by_hand_copies(repo, work, fast)
    with open_sandbox("docker", label="bench-by-hand", benchmark=True) as sandbox:
        sandbox.put_dir(work, "hand")
        done = sandbox.execute(["python3", "by_hand.py", json.dumps(plan)], timeout=1800, cwd="hand")
    if not done.ok:
        raise SystemExit(f"the runs by hand failed in the sandbox: {done.output[-2000:]}")
    return float(done.output.split()[-1])


_PYPERF = """
import importlib, os, sys
here = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(here, "lib"), os.path.join(here, VERSION)]  # pyperf's workers get a minimal environment
import pyperf
runner = pyperf.Runner(values=3, warmups=1)
runner.parse_args()
module, function = ENTRY.split(":")
import bench_inputs
arguments = bench_inputs.make(**PARAMS)
runner.bench_func(ENTRY, getattr(importlib.import_module(module), function), *arguments)
"""


def pyperf_speedups(kind: str) -> None:
    tasks = [
        ("closest-pair", EXAMPLE, "geometry.py", ROOT / "tests/pipelines/evaluate/candidates.py", {"n": 1600, "d": 2}),
        ("bytes-buffer", WARMTH / "task", "records.py", WARMTH / "fast_records.py", {"n": 12000}),
    ]
    print(
        f"pyperf: per task, the largest grid point; speedups baseline/candidate; {PYPERF_BLOCKS} blocks, each a perfbot"
        f" evaluation then {PYPERF_RUNS} pyperf runs a version (the machine drifts: both are taken at the same times)"
    )
    header = ["task", "point", "perfbot cold", "perfbot warm", "pyperf", "warm vs pyperf", "base ms p/py"]
    header += ["fast ms p/py", "transport ms", "perfbot blocks", "pyperf blocks"]
    print("  " + " ".join(f"{h:>14s}" for h in header))
    with tempfile.TemporaryDirectory(prefix="perfbot-pyperf-") as tmp:
        for label, source, target, fast_file, params in tasks:
            one_point = {"benchmark": {"params": {k: [v] for k, v in params.items()}, "weights": {}}}
            repo = git_copy(source, Path(tmp) / source.name, config=one_point)
            config, fast = load_config(repo), fast_text(fast_file)
            points, blocks = [], []
            with open_sandbox(kind, label="bench-pyperf", benchmark=True) as sandbox:  # type: ignore[arg-type]
                install_pyperf(sandbox, repo, target, fast, params, config.benchmark.entry)
                for _ in range(PYPERF_BLOCKS):
                    evaluator = Evaluator(repo, config, sandbox)
                    [result] = evaluator.evaluate([Candidate("fast", "fast", {target: fast})])
                    points.append(result.points[0])
                    blocks.append(pyperf_runs(sandbox, PYPERF_RUNS))
            print("  " + " ".join(f"{c:>14s}" for c in [label, _where(params), *_pyperf_cells(points, blocks)]))


def _pyperf_cells(points: list[Any], blocks: list[dict[str, list[float]]]) -> list[str]:
    """perfbot's medians over the blocks beside pyperf's over all its values, and each one's spread over blocks."""
    warm = statistics.median(p.ratios["time"] for p in points)
    cold = statistics.median(p.cold_ratio or math.nan for p in points)
    base_s, fast_s = (statistics.median(v for b in blocks for v in b[name]) for name in ("base", "fast"))
    reference = base_s / fast_s
    mine = [p.ratios["time"] for p in points]
    theirs = [statistics.median(b["base"]) / statistics.median(b["fast"]) for b in blocks]
    return [
        f"{cold:.1f}x",
        f"{warm:.1f}x",
        f"{reference:.1f}x",
        f"{warm / reference - 1:+.1%}",
        f"{statistics.median(p.baseline.median_s for p in points) * 1e3:.1f}/{base_s * 1e3:.1f}",
        f"{statistics.median(p.time_s for p in points) * 1e3:.2f}/{fast_s * 1e3:.2f}",
        f"{statistics.median(p.transport_s or 0.0 for p in points) * 1e3:.2f}",
        f"{min(mine):.0f}-{max(mine):.0f}x",
        f"{min(theirs):.0f}-{max(theirs):.0f}x",
    ]


def _where(params: dict[str, Any]) -> str:
    return " ".join(f"{k}={v}" for k, v in params.items())


def install_pyperf(sandbox: Any, repo: Path, target: str, fast: str, params: dict[str, Any], entry: str) -> None:
    """pyperf and one script per version (the baseline and the fast one) in the sandbox perfbot measures in."""
    import pyperf

    sandbox.put_dir(Path(pyperf.__file__).parent, "pyperf-run/lib/pyperf")
    for name, text in (("base", None), ("fast", fast)):
        script = _PYPERF.replace("PARAMS", repr(params)).replace("ENTRY", repr(entry)).replace("VERSION", repr(name))
        sandbox.put_dir(repo, f"pyperf-run/{name}")
        files = {f"pyperf-run/{name}.py": script.encode()}
        if text:
            files[f"pyperf-run/{name}/{target}"] = text.encode()
        sandbox.put_files(files)


def pyperf_runs(sandbox: Any, runs: int) -> dict[str, list[float]]:
    """pyperf's values for the baseline's and the fast version's entry: `runs` pyperf runs of one process each per
    version, alternating between the versions (so a change in the machine's load falls on both)."""
    values: dict[str, list[float]] = {"base": [], "fast": []}
    for run in range(runs):
        for name in ("base", "fast") if run % 2 == 0 else ("fast", "base"):
            command = f"python3 {name}.py -q -p 1 -o {name}-{run}.json"
            with measurement_lock(lock_key(sandbox), print):  # as perfbot's own timing: no other run on these CPUs
                result = sandbox.execute(f"rm -f {name}-{run}.json && {command}", timeout=1800, cwd="pyperf-run")
            if not result.ok:
                raise SystemExit(f"pyperf failed on {name}: {result.output[-2000:]}")
            data = json.loads(sandbox.get_file(f"pyperf-run/{name}-{run}.json"))
            values[name] += [v for r in data["benchmarks"][0]["runs"] for v in r.get("values", [])]
    return values


def fast_text(path: Path) -> str:
    if path.suffix == ".py" and path.name == "candidates.py":
        from tests.pipelines.evaluate.candidates import FAST

        return FAST
    return path.read_text()


def _cpu_times() -> dict[str, list[int]]:
    """Per CPU, its /proc/stat counters (user nice system idle iowait irq softirq steal ...); empty elsewhere."""
    try:
        lines = Path("/proc/stat").read_text().splitlines()
    except OSError:
        return {}
    return {
        ln.split()[0]: [int(x) for x in ln.split()[1:]] for ln in lines if ln.startswith("cpu") and ln[3:4].isdigit()
    }


@contextmanager
def steal_said(part: str) -> Iterator[None]:
    """After the part: the share of each CPU's time the hypervisor took for other guests (steal), the machine noise
    perfbot can measure but not remove."""
    before = _cpu_times()
    yield
    after = _cpu_times()
    shares = []
    for cpu, now in after.items():
        was = before.get(cpu)
        if was is None or len(now) < 8:
            continue
        total = sum(now[:8]) - sum(was[:8])
        shares.append(f"{cpu} {(now[7] - was[7]) / max(total, 1):.1%}")
    if shares:
        print(f"  {part}: hypervisor steal (CPU time taken by other guests): {', '.join(shares)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--sandbox", choices=["docker", "local"], default="docker")
    parser.add_argument("--skip", default="", help="comma-separated parts to skip: power, hog, overhead, pyperf")
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    if "power" not in skip:
        with steal_said("quiet"):
            power(args.runs, args.sandbox, "quiet")
    if "hog" not in skip:
        with steal_said("cpu hog"), cpu_hog(os.environ.get("PERFBOT_BENCH_CPUS")):
            power(args.runs, args.sandbox, "cpu hog")
    if "overhead" not in skip:
        with steal_said("overhead"):
            overhead(args.sandbox)
    if "pyperf" not in skip:
        with steal_said("pyperf"):
            pyperf_speedups(args.sandbox)


if __name__ == "__main__":
    main()
