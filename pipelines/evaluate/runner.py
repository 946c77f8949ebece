"""The measuring driver that runs INSIDE the sandbox. Standard library only; copied there with its helpers.

    python3 runner.py drive SPEC.json        one grid point: inputs, outputs, comparisons, interleaved timing runs

Each step is a fresh child process (`perfbot_child.py`, from child.py) doing one thing.

`drive` prints a single line `PERFBOT-RESULT <json>` and nothing else: every child's own output goes to a
pipe that is counted and capped, so a candidate that prints cannot corrupt the result. A child that hangs
is killed with its process group; one that dies, raises or floods its output fails its version, which is
then skipped for the rest of the point. Timing and memory are measured in separate processes
(tracemalloc slows code down), each on a freshly built input, with the garbage collector off during the call.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading

MARKER = "PERFBOT-RESULT "
CHILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "perfbot_child.py")
KEEP_OUTPUT = 2000


def main(argv):
    if argv[:1] == ["drive"]:
        with open(argv[1], encoding="utf-8") as f:
            spec = json.load(f)
        result = drive(spec)
        sys.stdout.write(MARKER + json.dumps(result) + "\n")
        return 0
    sys.stderr.write("usage: runner.py drive SPEC\n")
    return 2


# ---------------------------------------------------------------- the driver: one grid point


def drive(spec):
    """Run the steps of `spec` for one grid point; returns {version name: {...}} plus `input_error`."""
    versions: dict = {
        v["name"]: {"times": [], "peak_bytes": None, "failure": None, "mismatch": None} for v in spec["versions"]
    }
    # Children run in their version's directory: every path they get must be absolute.
    dirs = {v["name"]: os.path.abspath(v["dir"]) for v in spec["versions"]}
    spec["input_pickle"] = os.path.abspath(spec["input_pickle"])
    spec["dumps"] = {name: os.path.abspath(path) for name, path in spec.get("dumps", {}).items()}
    os.makedirs(os.path.dirname(spec["input_pickle"]), exist_ok=True)
    if spec.get("make_input"):
        out = _run(spec, dirs[spec["versions"][0]["name"]], "inputs", {"out": spec["input_pickle"]})
        if out["failure"]:
            return {"versions": versions, "input_error": out["failure"]}
    for name in spec.get("outputs", []):
        out = _run(spec, dirs[name], "output", {"input": spec["input_pickle"], "out": spec["dumps"][name]})
        versions[name]["failure"] = out["failure"]
    for name in spec.get("compare", []):
        if versions[name]["failure"]:
            continue
        args = {"baseline": spec["dumps"][spec["reference"]], "candidate": spec["dumps"][name]}
        args.update(rel_tol=spec["rel_tol"], abs_tol=spec["abs_tol"])
        out = _run(spec, dirs[spec["reference"]], "compare", args)
        versions[name]["failure"] = out["failure"]
        versions[name]["mismatch"] = out["result"].get("mismatch") if out["result"] else None
    names = [v["name"] for v in spec["versions"]]
    for round_ in range(spec.get("repeat", 0)):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            _measure(spec, dirs[name], versions[name], "time")
    if spec.get("memory"):
        for name in names:
            _measure(spec, dirs[name], versions[name], "memory")
    return {"versions": versions, "input_error": None}


def _measure(spec, directory, state, mode):
    if state["failure"] or state["mismatch"]:
        return
    out = _run(spec, directory, mode, {})
    if out["failure"]:
        state["failure"] = out["failure"]
    elif mode == "time":
        state["times"].append(out["result"]["time_s"])
    else:
        state["peak_bytes"] = out["result"]["peak_bytes"]


def _run(spec, directory, mode, extra):
    """One fresh child process; returns {"result": dict|None, "failure": str|None}."""
    args = {"entry": spec["entry"], "inputs": spec["inputs"], "params": spec["params"], **extra}
    command = [sys.executable, CHILD, mode, json.dumps(args)]
    proc = subprocess.Popen(
        command,
        cwd=directory,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    result_reader = _Reader(proc.stdout, 1 << 20, None)
    printed = _Reader(proc.stderr, spec["max_print"], proc.pid)
    result_reader.start()
    printed.start()
    # Popen.wait(timeout=...) polls with sleeps of up to 50 ms, which would add to every run's wall time;
    # a timer that kills the group lets the plain blocking wait return the moment the child exits.
    expired = threading.Event()
    timer = threading.Timer(spec["timeout"], _expire, (proc.pid, expired))
    timer.start()
    proc.wait()
    timer.cancel()
    _kill_group(proc.pid)
    result_reader.join()
    printed.join()
    timed_out = expired.is_set()
    return _interpret(spec, mode, proc.returncode, timed_out, printed, result_reader.text())


def _interpret(spec, mode, returncode, timed_out, printed, raw):
    tail = printed.text()[-KEEP_OUTPUT:].strip()
    if printed.flooded:
        return _fail(f"printed more than {spec['max_print']} bytes during the {mode} run (it was stopped)")
    if timed_out:
        return _fail(f"did not finish within the {spec['timeout']:g} s timeout of a {mode} run (killed)")
    if returncode < 0:
        return _fail(f"the interpreter crashed with {_signal_name(-returncode)} during the {mode} run", tail)
    try:
        result = json.loads(raw)
    except ValueError:
        result = None
    if returncode != 0 or not isinstance(result, dict):
        return _fail(f"the interpreter exited with status {returncode} during the {mode} run", tail)
    if "error" in result:
        return _fail(result["error"], tail)
    return {"result": result, "failure": None}


def _fail(message, tail=""):
    text = message + (f"; its last output: {tail[-500:]}" if tail else "")
    return {"result": None, "failure": text}


def _signal_name(number):
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _expire(pid, expired):
    expired.set()
    _kill_group(pid)


def _kill_group(pid):
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


class _Reader(threading.Thread):
    """Drains a pipe, keeping at most `cap` bytes; past the cap it sets `flooded` and kills `kill_pid`'s group."""

    def __init__(self, stream, cap, kill_pid):
        super().__init__(daemon=True)
        self._stream = stream
        self._cap = cap
        self._kill_pid = kill_pid
        self._chunks = []
        self._size = 0
        self.flooded = False

    def run(self):
        while True:
            chunk = self._stream.read1(65536)
            if not chunk:
                return
            self._size += len(chunk)
            if self._size <= self._cap:
                self._chunks.append(chunk)
            elif not self.flooded:
                self.flooded = True
                if self._kill_pid is not None:
                    _kill_group(self._kill_pid)

    def text(self):
        return b"".join(self._chunks).decode("utf-8", errors="replace")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
