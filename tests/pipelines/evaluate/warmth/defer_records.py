"""ATTACK on first-call timing: answer the first call at once and do its real work after the answer has gone,
hoping no clock sees it. This module is imported into the worker process; it wraps the worker's function that sends
an answer so that, after the first answer of a process, it spends 0.4 s (standing for the first call's work) before
it reads the next input."""

import sys
import time


def encode(records):
    parts = []
    for record in records:
        data = record.encode("utf-8")
        parts.append(len(data).to_bytes(4, "big"))
        parts.append(data)
    return b"".join(parts)


_frame = sys._getframe()  # up the call stack to the judge's worker (it is not in sys.modules)
while _frame is not None and "_argument_check" not in _frame.f_globals:
    _frame = _frame.f_back
_worker = _frame.f_globals if _frame is not None else {}
_send = _worker.get("_answer")
if _send is not None:
    _sent = []

    def _late(*args, **kwargs):
        sent = _send(*args, **kwargs)
        _sent.append(1)
        if len(_sent) == 1:
            time.sleep(0.4)
        return sent

    _worker["_answer"] = _late
