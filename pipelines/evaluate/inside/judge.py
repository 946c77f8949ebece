"""The judge: perfbot's trusted runner inside the sandbox (root there, with only the capabilities to start and
signal the candidate user's processes). Stdlib only.

    python3 -I judge.py COMMAND SPEC.json        prints one line: PERFBOT-JUDGE <json>

    tests      the tests command on a fresh copy of a version, with pytest's per-test record
    calibrate  per grid point, how many calls make one timed value long enough for the clock (the reference's)
    measure    rounds of timing: per round and point, fresh inputs from secret seeds, then one fresh process per
               version (rotating order) that gets warm-up inputs and then its own number of timed ones; outcomes
               are compared with the reference's on the same inputs; echo processes time the transport alone
    check      outputs on inputs the grid never shows: degenerate variants of the benchmark input, fresh seeds

Nothing a candidate process says is believed except its outcomes, which must equal the reference's: times are
taken here, memory is read from /proc here, and inputs exist only in this process until the clock starts.
"""

import json
import os
import random
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checks
import compare
import procs
import suite
import wire
from inputs import build, directory, given, idle_bytes, seeds, show_input

MARKER = "PERFBOT-JUDGE "
_random = random.SystemRandom()
"""Which inputs are compared and in what order each version gets them: nothing in the sandbox can predict it."""
MAX_LOOPS = 100_000
CANDIDATE_LOOPS = 64
"""The most calls a version gets per timed value beyond the baseline's own number: enough for a fast version's
steady state and for the clock, without a thousand calls per process for a function of a few microseconds."""
CALIBRATION_INPUTS = 8
"""Inputs per point a calibration calls in turn."""
ECHO = "(transport)"
ECHO_VALUES = 3
"""Timed values an echo process gives (one process per point and number of calls, in the first round of the batch
that needs it): the transport's median settles quickly, and a process costs as much as the calls it times."""


def main(argv):
    command, path = argv
    with open(path, encoding="utf-8") as f:
        spec = json.load(f)
    box = procs.Sandboxed(spec.get("uid"), spec["tmp"])
    try:
        result = COMMANDS[command](box, spec)
    finally:
        box.close()
    sys.stdout.write(MARKER + json.dumps(result) + "\n")
    return 0


def tests(box, spec):
    return suite.run_tests(box, spec)


def calibrate(box, spec):
    """Per point: the calls that make one timed value last at least spec["target_s"], for the reference."""
    points = [{"params": params} for params in spec["points"]]
    try:
        loops, seeded, failures = _calibration(box, {**spec, "points": points}, [spec["reference"]])
    except procs.Failure as e:
        return {"error": str(e), "stage": "inputs"}
    if failures:
        return {"error": f"the benchmark fails on the baseline: {failures[spec['reference']]}"}
    return {"points": [{"loops": n} for n in loops[spec["reference"]]], "seeded": seeded}


def _calibration(box, spec, names):
    """({name: loops per point}, seeded, {name: failure}): per version one process over all points. Each version
    gets its own (as pyperf calibrates each benchmark), so a fast one is timed over enough calls to reach its steady
    state and the clock's resolution. procs.Failure when the inputs cannot be built."""
    warmup = spec["warmup"]
    jobs = [{"params": point["params"], "seeds": seeds(warmup + CALIBRATION_INPUTS)} for point in spec["points"]]
    per_point, seeded = build(box, spec, jobs)
    loops, failures = {}, {}
    for name in names:
        worker = _started(box, spec, directory(spec, name))
        try:
            worker.wait_ready(f"importing {spec['entry']}")
            loops[name] = [_loops(worker, inputs, warmup, spec["target_s"]) if warmup else 1 for inputs in per_point]
        except procs.Failure as e:
            failures[name] = str(e)
        finally:
            left = worker.close(spec["scratch"])
        if left and name not in failures:
            failures[name] = f"left {left} process(es) running after its calibration calls"
    return loops, seeded, failures


def _loops(worker, inputs, warmup, target_s):
    """How many calls make one timed value last `target_s`: after the warm-up calls, the fastest of three single
    calls (of one, when it lasts four times the target) gives a first estimate; then values of 1, 2, 4... calls (the
    calibration inputs in turn) until one lasts the target (as pyperf calibrates) or has 2 * CANDIDATE_LOOPS calls
    (the rest extrapolated), which also lets a function whose first calls are slow (its heap still growing) show
    its steady speed. A version that is fast only on inputs it has seen in this process gains at most 4 times the
    first estimate's calls, each then on a fresh input."""
    target = int(target_s * 1e9)
    for payload in inputs[:warmup]:
        worker.call(payload, "a calibration call")
    mine, singles = inputs[warmup:], []
    for payload in mine[:3]:
        singles.append(worker.call(payload, "a calibration call")[0])
        if singles[-1] >= 4 * target:  # one call a value, unless the next were four times as fast: not worth a call
            break
    single = max(min(singles), 1)
    first = -(-target // single)
    count, elapsed = 1, single
    while elapsed < target and count < min(4 * first, 2 * CANDIDATE_LOOPS):  # beyond that, extrapolated
        count *= 2
        elapsed, _answers = worker.calls([mine[i % len(mine)] for i in range(count)], "calibration calls")
    return max(1, min(MAX_LOOPS, 4 * first, -(-target * count // max(elapsed, 1))))


def measure(box, spec):
    """Rounds of timing. Each version's timed calls per point come from its own calibration (done here for those
    the spec gives none, reported back in "loops"); per round and point one pool of fresh inputs: the warm-up
    ones, which every version gets, then the timed ones, of which the reference's are a random subset; a version
    timed over more calls gets the reference's among others, one over fewer a subset of the reference's, in a
    random order, so no version can tell which of its outputs are compared (see `_plan`)."""
    reference = spec["reference"]
    versions = [v["name"] for v in spec["versions"]]
    failed: dict[str, dict] = {}
    points: list[dict] = []
    idle = idle_bytes(box, spec) if spec.get("idle", True) else None  # once per evaluation is enough
    out = {"points": points, "failures": failed, "idle_bytes": idle, "seeded": False, "loops": {}}
    loops = {v["name"]: v["loops"] for v in spec["versions"] if v.get("loops")}
    loops.setdefault(reference, [point["loops"] for point in spec["points"]])
    missing = [name for name in versions if name not in loops]
    if missing:
        try:
            found, _seeded, failures = _calibration(box, spec, missing)
        except procs.Failure as e:
            return {"error": f"{spec['inputs']} fails: {e}", "stage": "inputs"}
        base = loops[reference]
        found = {
            name: [min(n, max(CANDIDATE_LOOPS, base[i])) for i, n in enumerate(mine)] for name, mine in found.items()
        }
        loops.update(found)
        out["loops"] = found
        failed.update({name: {"point": 0, "round": 0, "failure": why} for name, why in failures.items()})
    most = [max(loops[name][i] for name in versions if name in loops) for i in range(len(spec["points"]))]
    widest = [_warm_calls(spec, n) + n for n in most]
    jobs = [
        {"params": p["params"], "seeds": seeds(spec["rounds"] * n)} for p, n in zip(spec["points"], widest, strict=True)
    ]
    try:
        per_point, out["seeded"] = build(box, spec, jobs)
    except procs.Failure as e:
        return {"error": f"{spec['inputs']} fails: {e}", "stage": "inputs"}
    known = spec.get("transports_known") or [[] for _ in spec["points"]]
    for index, point in enumerate(spec["points"]):
        rounds, size, start = [], widest[index], _warm_calls(spec, most[index])
        for r in range(spec["rounds"]):
            pool = per_point[index][r * size : (r + 1) * size]
            live = [name for name in versions if name not in failed]
            plan = _plan(live, reference, {name: loops[name][index] for name in live}, start, size)
            echoes = {}
            if r == 0:
                for name in live:
                    count = len(plan[name])
                    if count not in known[index] and echo_name(count) not in echoes:
                        echoes[echo_name(count)] = plan[name]
            order = _order(live, reference, spec["first_round"] + r, list(echoes))
            measured = _round(box, spec, order, pool, {**plan, **echoes})
            if reference in measured.failures:
                failure = measured.failures[reference]
                return {"error": f"the benchmark fails on the baseline at {_where(point['params'])}: {failure}"}
            for name, why in measured.failures.items():
                failed[name] = {"point": index, "round": r, "failure": why}
            for name, mismatch in _mismatches(box, spec, measured, pool).items():
                failed[name] = {"point": index, "round": r, **mismatch}
            rounds.append(measured.values)
        points.append({"rounds": rounds})
    return out


def _warm_calls(spec, loops):
    """How many warm-up calls a process timed over `loops` calls makes: in steady-state mode `warmup` whole values
    (as pyperf warms up), else `warmup` calls."""
    return spec["warmup"] * (loops if spec.get("measure", "warm") == "warm" else 1)


def echo_name(loops):
    """The echo process that times the transport of `loops` calls (the same name as pipelines.evaluate.score's)."""
    return f"{ECHO} x{loops}"


def _plan(live, reference, loops, start, size):
    """Per version, the pool positions of its timed inputs, in the order it gets them. The pool holds the warm-up
    inputs, then from `start` the timed ones: the reference takes a random choice of them; a version with more
    calls gets the reference's and others, one with fewer a random choice among the reference's, shuffled."""
    timed = list(range(start, size))
    chosen = _random.sample(timed, loops[reference])
    taken = set(chosen)
    others = [i for i in timed if i not in taken]
    plan = {}
    for name in live:
        count = loops[name]
        mine = (
            _random.sample(chosen, count)
            if count <= len(chosen)
            else chosen + _random.sample(others, count - len(chosen))
        )
        _random.shuffle(mine)
        plan[name] = mine
    return plan


class _Measured:
    def __init__(self):
        self.values, self.failures, self.outcomes = {}, {}, {}


def _round(box, spec, order, pool, plan):
    measured = _Measured()
    for name in order:
        prepared = None
        if name.startswith(ECHO):
            first = next(iter(measured.outcomes.get(spec["reference"], {}).values()), None)
            prepared = first if first is not None else b"[]"
        values, outcomes, failure = _run(box, spec, name, pool, plan[name], prepared)
        if failure:
            measured.failures[name] = failure
            continue
        measured.outcomes[name] = outcomes
        measured.values[name] = values
    return measured


def _run(box, spec, name, pool, timed, prepared=None):
    """One fresh worker process: the first input alone (the first call, `cold_ns`), the rest of the first `warmup`
    calls, in steady-state mode more warm-up calls up to `warmup` values' worth (as pyperf warms up with whole
    values), then the timed ones (`warm_ns`, per call). Outcomes by pool position.

    Outputs are sent as each call returns, so the state the timed calls run in is a loop's: the previous call's
    output gone, its encoding made and freed. Work put off from the first call into the rest of the first `warmup`
    calls still counts as the first call's (whatever they take beyond steady calls)."""
    warmup, calls = spec["warmup"], _warm_calls(spec, len(timed))
    mode = "echo" if prepared is not None else "serve"
    where = directory(spec, spec["reference"] if prepared is not None else name)
    worker = _started(box, spec, where, mode)
    outcomes: dict[int, memoryview] = {}
    failure, values = None, {}
    try:
        worker.wait_ready(f"importing {spec['entry']}")
        if prepared is not None:
            worker.prepare(prepared)
        spans = {"first": (0, min(warmup, 1)), "rest": (1, warmup), "more": (max(warmup, 1), calls)}
        took = dict.fromkeys(spans, 0)
        for part, (start, end) in spans.items():
            if end > start:
                what = "the first call" if part == "first" else "the warm-up calls"
                took[part], answers = worker.calls(pool[start:end], what)
                outcomes.update(zip(range(start, end), answers, strict=True))
        cold_ns, rest_ns = took["first"], took["rest"]
        timed_ns, answers = worker.calls([pool[i] for i in timed], "the timed calls")
        outcomes.update(zip(timed, answers, strict=True))
        if prepared is not None:  # the echo: more values of the same calls, and their median
            more = [worker.calls([pool[i] for i in timed], "the timed calls")[0] for _ in range(ECHO_VALUES - 1)]
            timed_ns = statistics.median([timed_ns, *more])
        warm_ns = timed_ns / len(timed)
        cold_ns = cold_ns + max(rest_ns - (warmup - 1) * warm_ns, 0) if warmup else timed_ns
        values = {"cold_ns": cold_ns, "warm_ns": warm_ns, "loops": len(timed)}
        values.update(peak_bytes=worker.peak_bytes(), import_ns=worker.import_ns)
    except procs.Failure as e:
        failure = str(e)
    finally:
        left = worker.close(spec["scratch"])
    if left and not failure:
        failure = f"left {left} process(es) running after its measured calls"
    return values, outcomes, failure


def _started(box, spec, where, mode="serve"):
    worker_spec = {"entry": spec["entry"], "pythonpath": spec["pythonpath"]}
    return procs.Worker(box, mode, worker_spec, where, spec["timeout"], spec["max_print"])


def _mismatches(box, spec, measured, pool):
    """Per version, the first call (in its order) whose outcome differs from the reference's on the same input."""
    if not spec["compare"] or spec["reference"] not in measured.outcomes:
        return {}
    reference = {i: wire.loads_one(p) for i, p in measured.outcomes[spec["reference"]].items()}
    found = {}
    for name, outcomes in measured.outcomes.items():
        if name == spec["reference"] or name.startswith(ECHO):
            continue
        for index, payload in outcomes.items():
            if index not in reference:
                continue
            try:
                mine = wire.loads_one(payload)
            except wire.DecodeError as e:
                found[name] = {"mismatch": f"its outcomes are not plain data ({e})"}
                break
            text = compare.first_difference(
                reference[index], mine, spec["rel_tol"], spec["abs_tol"], given(box, spec, pool[index])
            )
            if text:
                found[name] = _shown(box, spec, pool[index], text, reference[index], mine)
                break
    return found


def _shown(box, spec, payload, mismatch, base_outcome, outcome):
    return {
        "mismatch": mismatch,
        "input": show_input(box, spec, payload),
        "baseline": compare.describe(base_outcome),
        "candidate": compare.describe(outcome),
    }


def _where(params):
    return " ".join(f"{k}={v}" for k, v in params.items()) or "(no parameters)"


def _order(live, reference, shift, echoes):
    """The versions in round-robin order (A B, B A, ...), with the echo processes right after the reference."""
    shift %= max(len(live), 1)
    order = live[shift:] + live[:shift]
    at = order.index(reference) + 1
    return order[:at] + echoes + order[at:]


COMMANDS = {"tests": tests, "calibrate": calibrate, "measure": measure, "check": checks.check}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
