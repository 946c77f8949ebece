"""`trace.jsonl`: one JSON line per event of a run, written as it happens (a crash keeps what came before).

Events have a `type` and the `agent` they belong to (`a0`, `a1`, ... or none for the run itself):

    agent_start   system prompt, tool definitions, round, starting point
    model_call    the messages sent since the previous call, the reply's content, stop reason and usage
    tool_call     name, input, result text, ok, whether files changed
    evaluation    candidate id, status, score, the table the agent saw
    agent_end     why the agent stopped, steps, usage

Each event is one line written by one `write(2)` on a file opened for appending: a full disk or a killed perfbot
leaves whole lines only (a line the disk could not take is cut off again, and the run stops with `StorageError`).

Together they rebuild every conversation exactly (`export_messages`), so a run can be inspected, replayed or
turned into training data. Secrets are never written: every value of an environment variable whose name looks
like a credential is replaced by `[redacted]` before a line reaches the file.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pipelines.errors import StorageError, storage_error

_SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)", re.IGNORECASE)
_MIN_SECRET_LEN = 8


def secret_values(environ: dict[str, str] | None = None) -> list[str]:
    """The values of credential-like environment variables, longest first (so overlaps redact fully)."""
    env = os.environ if environ is None else environ
    values = {v for k, v in env.items() if _SECRET_NAME.search(k) and len(v) >= _MIN_SECRET_LEN}
    return sorted(values, key=len, reverse=True)


class Trace:
    """Appends events to a JSONL file; safe to share between agent threads. `Trace(None)` records nothing.

    A write the disk cannot take raises `StorageError`, is kept in `failed`, and makes every later write raise it
    again: the run stops instead of going on with a trace that misses events."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._secrets = secret_values()
        self._fd: int | None = None
        self.failed: StorageError | None = None
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            except OSError as e:
                raise storage_error(path, e) from e

    def write(self, type: str, **fields: Any) -> None:
        if self._fd is None:
            return
        line = json.dumps({"type": type, "time": round(time.time(), 3), **fields}, default=str, ensure_ascii=False)
        for secret in self._secrets:
            line = line.replace(secret, "[redacted]")
        data = (line + "\n").encode("utf-8")
        with self._lock:
            if self.failed is not None:
                raise self.failed
            self._append(self._fd, data)

    def _append(self, fd: int, data: bytes) -> None:
        """One whole line or none: a short or failed write is cut off again."""
        size = os.fstat(fd).st_size
        try:
            written = _write(fd, data)
            if written != len(data):
                raise OSError(28, os.strerror(28))  # ENOSPC: the disk took part of the line
        except OSError as e:
            with contextlib.suppress(OSError):
                os.ftruncate(fd, size)
            self.failed = storage_error(self.path, e)
            raise self.failed from e

    def close(self) -> None:
        with self._lock:
            if self._fd is not None:
                with contextlib.suppress(OSError):
                    os.close(self._fd)
                self._fd = None


def _write(fd: int, data: bytes) -> int:
    """`os.write`, one call (a test replaces it to fill the disk)."""
    return os.write(fd, data)


def read_trace(path: Path) -> Iterator[dict[str, Any]]:
    """The events of a trace file; a line that is not JSON raises ValueError naming the line number."""
    with path.open(encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{number}: not a JSON line: {e}") from e


def export_messages(events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per agent, in the Messages API form: `{agent, round, model, system, tools, messages, outcome}`."""
    sessions: dict[str, dict[str, Any]] = {}
    for event in events:
        agent = str(event.get("agent"))
        if event["type"] == "agent_start":
            sessions[agent] = {
                "agent": agent,
                "round": event.get("round"),
                "model": event.get("model"),
                "system": event["system"],
                "tools": event["tools"],
                "messages": [],
                "outcome": None,
            }
        elif event["type"] == "model_call" and agent in sessions:
            messages = sessions[agent]["messages"]
            messages.extend(event["sent"])
            messages.append({"role": "assistant", "content": event["reply"]})
        elif event["type"] == "agent_end" and agent in sessions:
            sessions[agent]["outcome"] = event.get("reason")
    return list(sessions.values())


# What a command shows while it runs: live lines on stderr (stdout stays for the command's result).


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
