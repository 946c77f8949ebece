"""Inputs in the judge: built by the reference's inputs function in a fresh process from seeds only the judge
knows, held as pickles the judge never opens, and shown (for a report) by another fresh process. Stdlib only."""

import functools
import json
import secrets

import procs
import wire


def build(box, spec, jobs):
    """Inputs for each job ({"params", "seeds"}): a list of pickles per job, built in one fresh process by the
    reference's inputs function, and whether it takes a seed. procs.Failure when it fails."""
    worker_spec = {"inputs": spec["inputs"], "jobs": jobs, "pythonpath": spec["pythonpath"]}
    timeout = spec["timeout"] * (sum(len(job["seeds"]) for job in jobs) + 1)
    made, seeded = _built(box, spec, "build", worker_spec, timeout)
    per_job: list[list[bytes]] = [[] for _ in jobs]
    for index, payload in made:
        per_job[index].append(payload)
    return per_job, seeded


def variants(box, spec, params, kinds):
    """(label, pickle) for each degenerate variant named in `kinds` of the benchmark input at `params`."""
    worker_spec = {"inputs": spec["inputs"], "params": params, "kinds": kinds, "pythonpath": spec["pythonpath"]}
    made, _seeded = _built(box, spec, "variants", worker_spec, spec["timeout"] * 2)
    return made


def _built(box, spec, mode, worker_spec, timeout):
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
        return json.loads(bytes(shown))
    except (procs.Failure, ValueError):
        return None
    finally:
        worker.close(spec["scratch"])


def given(box, spec, payload):
    """A function that returns one input as decoded data ([args, kwargs]), unpickled by a fresh process of the
    reference's (as the builder's were), or None when it cannot be had; asked at most once."""

    @functools.cache
    def fetch():
        worker_spec = {"pythonpath": spec["pythonpath"]}
        worker = procs.Worker(box, "given", worker_spec, directory(spec, spec["reference"]), 60, 1 << 20, False)
        try:
            return wire.loads_one(worker.call(payload, "decoding an input")[1])
        except (procs.Failure, wire.DecodeError):
            return None
        finally:
            worker.close(spec["scratch"])

    return fetch


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
