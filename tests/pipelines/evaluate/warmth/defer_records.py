"""ATTACK on steady-state timing: the worker keeps warm-up outputs and sends them after the timed calls, so put the
first call's work off until then, hoping the first-call figure misses it. This module is imported into the worker
process; it wraps the worker's function that sends outputs so that the second sending in a process (the warm-up's,
after the timed call's) first spends 0.4 s, standing for the first call's real work."""

import sys
import time


def encode(records):
    parts = []
    for record in records:
        data = record.encode("utf-8")
        parts.append(len(data).to_bytes(4, "big"))
        parts.append(data)
    return b"".join(parts)


_worker = sys.modules.get("__main__")
_send = getattr(_worker, "_answer", None)
if _send is not None:
    _sent = []

    def _late(fd_out, outcomes):
        _sent.append(1)
        if len(_sent) == 2:
            time.sleep(0.4)
        return _send(fd_out, outcomes)

    _worker._answer = _late
