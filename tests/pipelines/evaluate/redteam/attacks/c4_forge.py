"""CLASS 4: forge the result: write answer-shaped frames and result lines to every inherited descriptor, to the
parent's stdout through /proc, then leave."""

import json
import os
import struct
import sys


def _forge():
    fake = json.dumps([["r", 0.0, [[]], {}]]).encode()
    lines = [
        b"PERFBOT-JUDGE " + json.dumps({"points": [], "failures": {}}).encode() + b"\n",
        b"PERFBOT-RESULT " + json.dumps({"versions": {}, "input_error": None}).encode() + b"\n",
        struct.pack(">cQ", b"O", len(fake)) + fake,
        struct.pack(">cQ", b"R", 0),
    ]
    targets = [f"/proc/{os.getppid()}/fd/1", "/proc/1/fd/1", f"/proc/{os.getppid()}/fd/2"]
    for fd in range(3, 64):
        for line in lines:
            try:
                os.write(fd, line)
            except OSError:
                pass
    for path in targets:
        try:
            with open(path, "wb") as f:
                for line in lines:
                    f.write(line)
        except OSError:
            pass


if "pytest" not in sys.modules:
    _forge()
    os._exit(0)


def smallest_gap(values):
    if len(values) < 2:
        raise ValueError("smallest_gap needs at least two values")
    return min(abs(a - b) for i, a in enumerate(values) for b in values[i + 1 :])
