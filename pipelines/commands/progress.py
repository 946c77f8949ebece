"""What a command shows while it runs: live lines on stderr (stdout stays for the command's result)."""

from __future__ import annotations

import sys
import threading
import time
from typing import Any


class LiveProgress:
    """Live lines on stderr: agents' steps, measurements with the best score so far, and the cost."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self._lock = threading.Lock()

    def say(self, text: str) -> None:
        line = f"[{self._clock()}] {text}\n"
        with self._lock:  # agents report from their own threads: one whole line at a time
            sys.stderr.write(line)
            sys.stderr.flush()

    def evaluator(self, text: str) -> None:
        self.say(f"  evaluate: {text}")

    def __call__(self, event: str, **f: Any) -> None:
        best = f"best {f['best']:.2f}x" if f.get("best") else "no accepted candidate yet"
        if event == "step":
            self.say(f"{f['agent']} step {f['step']}/{f['steps']} · {best} · ${f['cost']:.4f}")
        elif event == "evaluated":
            score = f"score {f['score']:.2f}" if f.get("score") is not None else "no score"
            self.say(f"{f['candidate']}: {f['status'].upper()} ({score}) · {best}")
        elif event == "agent_failed":
            self.say(f"{f['agent']} failed: {f['detail']}")

    def _clock(self) -> str:
        elapsed = int(time.monotonic() - self.started)
        return f"{elapsed // 60:02d}:{elapsed % 60:02d}"
