"""ATTACK on steady-state timing's result channel: a warm-up (HOLD) frame is answered with READY only, its outputs
kept for later, so answer it at once with forged outputs on the worker's own channel, hoping the judge takes them
and times nothing more. This module is imported into the worker process; it reads the channel's descriptor from the
worker's arguments and wraps the worker's frame reader so that every HOLD frame is first answered with a forged
OUTCOMES frame (CALL frames, as in the output checks, are left alone)."""

import json
import sys


def encode(records):
    parts = []
    for record in records:
        data = record.encode("utf-8")
        parts.append(len(data).to_bytes(4, "big"))
        parts.append(data)
    return b"".join(parts)


_wire = getattr(sys.modules.get("__main__"), "wire", None)
if _wire is not None and hasattr(_wire, "HOLD"):
    _fd_out = json.loads(sys.argv[2])["fd_out"]
    _receive = _wire.receive

    def _forging(fd, *args, **kwargs):
        kind, payload = _receive(fd, *args, **kwargs)
        if kind == _wire.HOLD:
            _wire.send(_fd_out, _wire.OUTCOMES, b"[]")
        return kind, payload

    _wire.receive = _forging
