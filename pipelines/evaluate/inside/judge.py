"""The judge: perfbot's trusted runner inside the sandbox (root there, with only the capabilities to start and
signal the candidate user's processes). Stdlib only.

    python3 -I judge.py COMMAND SPEC.json        prints one line: PERFBOT-JUDGE <json>

    tests      the tests command on a fresh copy of a version, with pytest's per-test record
    calibrate  per grid point, how many calls make one timed value long enough for the clock
    measure    rounds of timing: per round and point, fresh inputs from secret seeds, then one fresh process per
               version (rotating order) that gets warm-up inputs and then the timed ones; every outcome is
               compared with the reference's on the same inputs; an echo process times the transport alone
    check      outputs on inputs the grid never shows: degenerate variants of the benchmark input, fresh seeds

Nothing a candidate process says is believed except its outcomes, which must equal the reference's: times are
taken here, memory is read from /proc here, and inputs exist only in this process until the clock starts.
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checks
import compare
import procs
import suite
import wire
from inputs import build, directory, given, idle_bytes, seeds, show_input

MARKER = "PERFBOT-JUDGE "
MAX_LOOPS = 100_000
ECHO = "(transport)"
ECHO_ROUNDS = 3
"""Rounds (of the batch that asks for it) in which the transport is timed: its median settles quickly."""


def main(argv):
    command, path = argv
    with open(path, encoding="utf-8") as f:
        spec = json.load(f)
    box = procs.Sandboxed(spec.get("uid"), spec["tmp"])
    result = COMMANDS[command](box, spec)
    sys.stdout.write(MARKER + json.dumps(result) + "\n")
    return 0


def tests(box, spec):
    return suite.run_tests(box, spec)


def calibrate(box, spec):
    """Per point: the loops that make one timed value last at least spec["target_s"], from the reference (one process
    for all points: an estimate is all that is needed)."""
    warmup = spec["warmup"]
    jobs = [{"params": params, "seeds": seeds(warmup + 3)} for params in spec["points"]]
    try:
        per_point, seeded = build(box, spec, jobs)
    except procs.Failure as e:
        return {"error": str(e), "stage": "inputs"}
    frames, failure, _ = _run(box, spec, spec["reference"], [p for point in per_point for p in point], [])
    if failure:
        return {"error": f"the benchmark fails on the baseline: {failure}"}
    out = {"points": [], "seeded": seeded}
    for index in range(len(spec["points"])):
        mine = frames[index * (warmup + 3) : (index + 1) * (warmup + 3)]
        call_ns = min(ns for ns, _ in mine[warmup:])
        loops = 1 if not warmup else max(1, min(MAX_LOOPS, -(-int(spec["target_s"] * 1e9) // max(call_ns, 1))))
        out["points"].append({"loops": loops, "call_ns": call_ns})
    return out


def measure(box, spec):
    versions = [v["name"] for v in spec["versions"]]
    failed: dict[str, dict] = {}
    points: list[dict] = []
    idle = idle_bytes(box, spec) if spec.get("idle", True) else None  # once per evaluation is enough
    out = {"points": points, "failures": failed, "idle_bytes": idle, "seeded": False}
    warmup = spec["warmup"]
    sizes = [warmup + (point["loops"] if warmup else 1) for point in spec["points"]]
    jobs = [
        {"params": p["params"], "seeds": seeds(spec["rounds"] * n)} for p, n in zip(spec["points"], sizes, strict=True)
    ]
    try:
        per_point, out["seeded"] = build(box, spec, jobs)
    except procs.Failure as e:
        return {"error": f"{spec['inputs']} fails: {e}", "stage": "inputs"}
    for index, point in enumerate(spec["points"]):
        rounds, per_round = [], sizes[index]
        for r in range(spec["rounds"]):
            chunk = per_point[index][r * per_round : (r + 1) * per_round]
            live = [name for name in versions if name not in failed]
            order = _order(live, spec, spec["first_round"] + r, echo=spec.get("echo") and r < ECHO_ROUNDS)
            measured = _round(box, spec, order, chunk, warmup)
            if spec["reference"] in measured.failures:
                failure = measured.failures[spec["reference"]]
                return {"error": f"the benchmark fails on the baseline at {_where(point['params'])}: {failure}"}
            for name, why in measured.failures.items():
                failed[name] = {"point": index, "round": r, "failure": why}
            for name, mismatch in _mismatches(box, spec, measured, chunk).items():
                failed[name] = {"point": index, "round": r, **mismatch}
            rounds.append(measured.values)
        points.append({"rounds": rounds})
    return out


class _Measured:
    def __init__(self):
        self.values, self.failures, self.frames = {}, {}, {}


def _round(box, spec, order, chunk, warmup):
    measured = _Measured()
    warm, timed = chunk[:warmup], chunk[warmup:]
    for name in order:
        prepared = measured.frames.get(spec["reference"], [(0, b"[]")])[-1][1] if name == ECHO else None
        frames, failure, extra = _run(box, spec, name, warm, timed, prepared)
        if failure:
            measured.failures[name] = failure
            continue
        measured.frames[name] = frames
        warm_ns = frames[-1][0] / len(timed)
        cold_ns = frames[0][0]
        if spec.get("hold") and len(warm) > 1:
            # The warm-up phase as a whole, less the steady calls in it: work shifted from the first warm-up call
            # into a later one still counts as the first call's.
            cold_ns = max(sum(ns for ns, _ in frames[: len(warm)]) - (len(warm) - 1) * warm_ns, 0)
        value = {"cold_ns": cold_ns, "warm_ns": warm_ns, **extra}
        measured.values[name] = value
    return measured


def _run(box, spec, name, warm, timed, prepared=None):
    """One fresh worker process: the warm-up inputs one frame each, then the timed ones in one frame.

    With spec["hold"] (steady-state timing) the worker keeps the warm-up calls' outcomes and sends them only after
    the timed frame: encoding them in between would change the allocator's state the timed calls run in (a
    growing `bytes` buffer ran 8x faster after one). A warm-up frame's time is then its call plus its collection,
    so nothing the worker puts off escapes the clock."""
    mode = "echo" if name == ECHO else "serve"
    worker_spec = {"entry": spec["entry"], "pythonpath": spec["pythonpath"]}
    where = directory(spec, spec["reference"] if name == ECHO else name)
    worker = procs.Worker(box, mode, worker_spec, where, spec["timeout"], spec["max_print"])
    frames, failure, extra = [], None, {}
    try:
        worker.wait_ready(f"importing {spec['entry']}")
        if prepared is not None:
            worker.prepare(prepared)
        if spec.get("hold") and timed:
            held = [worker.hold(payload) for payload in warm]
            last = worker.call(b"".join(timed), "the timed calls")
            for held_ns in held:
                collect_ns, outcomes = worker.collect()
                frames.append((held_ns + collect_ns, outcomes))
            frames.append(last)
        else:
            for payload in warm:
                frames.append(worker.call(payload, "a warm-up call"))
            if timed:
                frames.append(worker.call(b"".join(timed), "the timed calls"))
        extra = {"peak_bytes": worker.peak_bytes(), "import_ns": worker.import_ns}
    except procs.Failure as e:
        failure = str(e)
    finally:
        left = worker.close(spec["scratch"])
    if left and not failure:
        failure = f"left {left} process(es) running after its measured calls"
    return frames, failure, extra


def _mismatches(box, spec, measured, chunk):
    """Per version, the first call whose outcome differs from the reference's on the same input."""
    if not spec["compare"]:
        return {}
    reference = [wire.loads(payload) for _, payload in measured.frames[spec["reference"]]]
    found = {}
    for name, frames in measured.frames.items():
        if name in (spec["reference"], ECHO):
            continue
        try:
            mine = [wire.loads(payload) for _, payload in frames]
        except wire.DecodeError as e:
            found[name] = {"mismatch": f"its outcomes are not plain data ({e})"}
            continue
        position = 0
        for base_frame, frame in zip(reference, mine, strict=False):
            if len(frame) != len(base_frame):
                found[name] = {"mismatch": f"answered {len(frame)} calls where {len(base_frame)} were made"}
                break
            differs = _first_in_frame(box, spec, base_frame, frame, chunk[position : position + len(frame)])
            if differs:
                index, text = differs
                found[name] = _shown(box, spec, chunk[position + index], text, base_frame[index], frame[index])
                break
            position += len(frame)
        del mine
    return found


def _first_in_frame(box, spec, base_frame, frame, payloads):
    for i, (a, b) in enumerate(zip(base_frame, frame, strict=True)):
        text = compare.first_difference(a, b, spec["rel_tol"], spec["abs_tol"], given(box, spec, payloads[i]))
        if text:
            return i, text
    return None


def _shown(box, spec, payload, mismatch, base_outcome, outcome):
    return {
        "mismatch": mismatch,
        "input": show_input(box, spec, payload),
        "baseline": compare.describe(base_outcome),
        "candidate": compare.describe(outcome),
    }


def _where(params):
    return " ".join(f"{k}={v}" for k, v in params.items()) or "(no parameters)"


def _order(live, spec, shift, echo):
    """The versions in round-robin order (A B, B A, ...), with the echo right after the reference."""
    shift %= max(len(live), 1)
    order = live[shift:] + live[:shift]
    if echo:
        order.insert(order.index(spec["reference"]) + 1, ECHO)
    return order


COMMANDS = {"tests": tests, "calibrate": calibrate, "measure": measure, "check": checks.check}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
