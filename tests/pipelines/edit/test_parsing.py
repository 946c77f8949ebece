"""Parsing Python from parallel agent threads (the edit tools of several agents run at once)."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

from pipelines.edit.symbols import definitions

SOURCE = (Path(__file__).parents[3] / "examples" / "closest-pair" / "geometry.py").read_text() * 20


class _Cycle:
    """Garbage only the cycle collector frees; its finalizer runs Python code, where the GIL may change hands."""

    def __init__(self) -> None:
        self.self = self

    def __del__(self) -> None:
        sum(range(50))


def test_definitions_never_fail_spuriously_when_threads_parse_at_once() -> None:
    # Before Python 3.13 concurrent ast.parse calls could raise "SystemError: AST constructor recursion depth
    # mismatch" (CPython gh-106905): a rewrite_symbol then failed and the agent's proposal was lost. Unguarded,
    # this loop hits it within ~50 ms on 3.11.
    errors: list[BaseException] = []
    expected = definitions(SOURCE)
    deadline = time.monotonic() + 1.0

    def parse_until_deadline() -> None:
        while time.monotonic() < deadline and not errors:
            for _ in range(20):
                _Cycle()
            try:
                assert definitions(SOURCE) == expected
            except BaseException as e:  # any failure in a worker is the test's failure
                errors.append(e)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=parse_until_deadline) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
