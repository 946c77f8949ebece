"""ATTACK on the result channel: answer every call ahead of doing it, with a forged output carrying the call's own
number, so the judge's clock stops before the work; the real answer follows. This module is imported into the worker
process; it reads the channel's descriptor from the worker's frames and wraps the worker's frame reader so that
every CALL frame is first answered with a forged OUTCOMES frame."""

import sys


def encode(records):
    parts = []
    for record in records:
        data = record.encode("utf-8")
        parts.append(len(data).to_bytes(4, "big"))
        parts.append(data)
    return b"".join(parts)


_frame = sys._getframe()  # up the call stack to the judge's worker (it is not in sys.modules)
while _frame is not None and "fd_out" not in _frame.f_locals:
    _frame = _frame.f_back
_worker = _frame.f_globals if _frame is not None else {}
_wire = _worker.get("wire")
if _wire is not None and hasattr(_wire, "SEQUENCE"):
    _fd_out = _frame.f_locals["fd_out"]
    _receive = _wire.receive_numbered

    def _forging(fd, *args, **kwargs):
        kind, number, payload = _receive(fd, *args, **kwargs)
        if kind == _wire.CALL:
            _wire.send(_fd_out, _wire.OUTCOMES, number + _wire.pack([["r", b"", _wire.SAME]]))
        return kind, number, payload

    _wire.receive_numbered = _forging
