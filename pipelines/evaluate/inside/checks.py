"""Outputs where the grid never looks: degenerate variants of the benchmark inputs (empty, one element, all equal,
every value twice, sorted, reversed, short prefixes) and inputs from fresh seeds. Stdlib only; run by judge.py.

Each input goes to the reference and to every candidate in a fresh process per version, one call per frame
(each with its own timeout). An input the reference itself cannot handle in time is skipped and named. For each
candidate the smallest input (by its pickled size) on which it differs is reported, shown, with both outcomes.
"""

import compare
import procs
import wire
from inputs import build, directory, given, seeds, show_input, variants


def check(box, spec):
    inputs, skipped = _inputs(box, spec)
    reference = _outcomes(box, spec, spec["reference"], inputs, stop_at_failure=False)
    usable = [i for i, outcome in enumerate(reference) if not isinstance(outcome, str)]
    skipped += [f"{inputs[i][0]} (the baseline {reference[i]})" for i in range(len(inputs)) if i not in usable]
    failures = {}
    for name in spec["candidates"]:
        chosen = [inputs[i] for i in usable]
        found = _first_failure(box, spec, name, chosen, [reference[i] for i in usable])
        if found:
            failures[name] = found
    return {"inputs": len(inputs), "skipped": skipped, "failures": failures}


def _inputs(box, spec):
    inputs, skipped = [], []
    for point in spec["points"]:
        where = _where(point["params"])
        try:
            made = variants(box, spec, point["params"], point["kinds"])
        except procs.Failure as e:
            skipped.append(f"the variants at {where} ({e})")
            continue
        inputs += [(f"{where}, {label}", payload) for label, payload in made]
    fresh = spec.get("seeds") or {}
    if fresh.get("count"):
        where = _where(fresh["params"])
        try:
            [made], seeded = build(box, spec, [{"params": fresh["params"], "seeds": seeds(fresh["count"])}])
        except procs.Failure as e:
            return inputs, [*skipped, f"the fresh seeds at {where} ({e})"]
        if seeded:
            inputs += [(f"{where}, a fresh seed", payload) for payload in made]
    return inputs, skipped


def _outcomes(box, spec, name, inputs, stop_at_failure):
    """Per input, the decoded outcome, or a str saying how the call failed."""
    results = []
    worker = None
    try:
        for label, payload in inputs:
            if worker is None:
                worker = _started(box, spec, name)
            if isinstance(worker, str):
                results.append(worker)
                if stop_at_failure:
                    break
                worker = None
                continue
            try:
                _ns, answer = worker.call(payload, f"the call at {label}")
                outcome = wire.loads_one(answer)
                results.append(outcome)
            except (procs.Failure, wire.DecodeError) as e:
                results.append(str(e))
                worker.close(spec["scratch"])
                worker = None
                if stop_at_failure:
                    break
    finally:
        if worker is not None and not isinstance(worker, str):
            worker.close(spec["scratch"])
    return results


def _started(box, spec, name):
    worker_spec = {"entry": spec["entry"], "pythonpath": spec["pythonpath"]}
    worker = procs.Worker(box, "serve", worker_spec, directory(spec, name), spec["timeout"], spec["max_print"])
    try:
        worker.wait_ready(f"importing {spec['entry']}")
    except procs.Failure as e:
        worker.close(spec["scratch"])
        return str(e)
    return worker


def _first_failure(box, spec, name, inputs, reference):
    outcomes = _outcomes(box, spec, name, inputs, stop_at_failure=True)
    differing = []
    for (label, payload), base, mine in zip(inputs, reference, outcomes, strict=False):
        if isinstance(mine, str):
            return {"label": label, "failure": mine, "input": show_input(box, spec, payload)}
        text = compare.first_difference(base, mine, spec["rel_tol"], spec["abs_tol"], given(box, spec, payload))
        if text:
            differing.append((len(payload), label, payload, text, base, mine))
    if not differing:
        return None
    _size, label, payload, text, base, mine = min(differing, key=lambda d: d[0])
    return {
        "label": label,
        "mismatch": text,
        "input": show_input(box, spec, payload),
        "baseline": compare.describe(base),
        "candidate": compare.describe(mine),
    }


def _where(params):
    return " ".join(f"{k}={v}" for k, v in params.items()) or "(no parameters)"
