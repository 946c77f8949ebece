"""X (the judge's zygote, the root process every worker is forked from): from inside a worker, make it work for the
candidate. Stop or kill it (the worker's parent), read its memory, environment and descriptors through /proc, reopen
its control socket through /proc/<parent>/fd or find it among the worker's own descriptors, and ask it for a worker
that keeps root. Whatever works is printed at import with "ESCAPED", and the worker exits, so the judge's reason
shows it; nothing should: then it does the baseline's work, and is no faster."""

import json
import os
import signal
import socket
import stat
import sys


def _escapes():
    done = []
    parent = os.getppid()
    if os.getuid() == 0 or os.geteuid() == 0:
        done.append("runs as root")
    for sig in (signal.SIGSTOP, signal.SIGKILL):
        try:
            os.kill(parent, sig)
            done.append(f"sent {sig.name} to its parent")
        except OSError:
            pass
    for path in (f"/proc/{parent}/mem", f"/proc/{parent}/environ"):
        try:
            with open(path, "rb") as f:
                f.read(1)
            done.append(f"read {path}")
        except OSError:
            pass
    sockets = []
    try:
        for name in os.listdir(f"/proc/{parent}/fd"):
            try:
                sockets.append(os.open(f"/proc/{parent}/fd/{name}", os.O_RDWR))
            except OSError:
                pass
    except OSError:
        pass
    for name in os.listdir("/proc/self/fd"):
        try:
            if stat.S_ISSOCK(os.fstat(int(name)).st_mode):
                sockets.append(os.dup(int(name)))
        except OSError:
            pass
    request = {"mode": "idle", "spec": {}, "cwd": "/", "uid": None}
    for fd in sockets:
        try:
            with socket.socket(fileno=fd) as control:
                socket.send_fds(control, [json.dumps(request).encode()], [0, 1, 2])
                done.append(f"sent the zygote a request for a root worker on descriptor {fd}")
        except OSError:
            pass
    return done


if "pytest" not in sys.modules:  # the tests' parent is the candidate user's own shell
    _done = _escapes()
    if _done:
        print("ESCAPED: " + "; ".join(_done), file=sys.stderr)
        sys.exit(3)


def smallest_gap(values):
    if len(values) < 2:
        raise ValueError("smallest_gap needs at least two values")
    gap = float("inf")
    for i in range(len(values)):
        for j in range(i + 1, len(values)):
            d = abs(values[i] - values[j])
            if d < gap:
                gap = d
    return gap
