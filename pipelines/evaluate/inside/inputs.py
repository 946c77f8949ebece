"""Inputs in the judge: built by the reference's inputs function in a fresh process from seeds only the judge
knows, held as pickles the judge never opens, and shown (for a report) by another fresh process. Stdlib only."""

import json
import secrets

import procs


def build(box, spec, params, seeds=None, kinds=None):
    """The inputs for `params` as (label, pickle) pairs, and whether the inputs function takes a seed: one per seed
    (`seeds`), or the degenerate variants of the benchmark input named in `kinds`. procs.Failure when it fails."""
    mode, extra = ("variants", {"kinds": kinds}) if kinds is not None else ("build", {"seeds": seeds})
    worker_spec = {"inputs": spec["inputs"], "params": params, "pythonpath": spec["pythonpath"], **extra}
    timeout = spec["timeout"] * (len(seeds or []) + 1)
    worker = procs.Worker(box, mode, worker_spec, directory(spec, spec["reference"]), timeout, 1 << 20, False)
    try:
        inputs, ready = worker.receive_inputs("building the inputs")
    finally:
        worker.close(spec["scratch"])
    return inputs, bool(ready.get("seeded"))


def show_input(box, spec, payload):
    """{"args": [repr...], "kwargs": {name: repr}} of one input, or None when it cannot be shown."""
    worker_spec = {"pythonpath": spec["pythonpath"]}
    worker = procs.Worker(box, "show", worker_spec, directory(spec, spec["reference"]), 60, 1 << 20, False)
    try:
        _ns, shown = worker.call(payload, "showing the input")
        return json.loads(shown)
    except (procs.Failure, ValueError):
        return None
    finally:
        worker.close(spec["scratch"])


def idle_bytes(box, spec):
    """The resident memory of a worker that started and did nothing (what every measured peak includes)."""
    worker = procs.Worker(box, "idle", {}, directory(spec, spec["reference"]), 60, 1 << 20)
    try:
        worker.wait_ready("starting")
        return worker.peak_bytes()
    except procs.Failure:
        return None
    finally:
        worker.close(spec["scratch"])


def seeds(count):
    return [secrets.randbits(31) for _ in range(count)]


def directory(spec, name):
    return next(v["dir"] for v in spec["versions"] if v["name"] == name)
