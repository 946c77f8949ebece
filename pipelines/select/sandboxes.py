"""The agents' sandboxes of a search, known while they are open, so an interrupted search can remove them at once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sandbox.base import Sandbox
from sandbox.factory import SandboxKind, open_sandbox


class AgentSandboxes:
    def __init__(self, kind: SandboxKind | None, image: str | None, stop: threading.Event) -> None:
        self._kind = kind
        self._image = image
        self._stop = stop
        self._open: set[Sandbox] = set()
        self._lock = threading.Lock()

    @contextmanager
    def open(self, name: str) -> Iterator[Sandbox]:
        """Agent `name`'s sandbox, removed on exit; refused once `stop` is set."""
        with open_sandbox(self._kind, label=f"perfbot-{name}", image=self._image) as sandbox:
            with self._lock:
                self._open.add(sandbox)
            try:
                if self._stop.is_set():
                    raise RuntimeError("the run was interrupted before this agent started")
                yield sandbox
            finally:
                with self._lock:
                    self._open.discard(sandbox)

    def close_all(self) -> None:
        """Remove every open sandbox now: a command running in one ends with it (the agent's thread then ends)."""
        with self._lock:
            sandboxes = list(self._open)
        for sandbox in sandboxes:
            sandbox.close()
