"""The evaluator's side of the sandbox: the judge's files, the versions' copies, one judge command at a time.

The sandbox's workspace, as the judge sees it (everything here is the trusted user's):

    harness/            the judge (pipelines/evaluate/inside/), read-only to candidate code
    harness/plugins/    pytest's record plugin, the only thing put on the tests' PYTHONPATH
    judge/              specs, private to the trusted user
    v/<name>/           each version's code, read-only to candidate code
    scratch/            where the judge makes the writable-but-not-replaceable copies the tests run in

Every judge command holds the machine's measurement lock for the sandbox's CPUs, so two perfbot runs never time
each other (a wait longer than a second is said in the progress).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import posixpath
import re
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any

from pipelines.errors import EvaluationError
from sandbox.base import Sandbox

PYTHON = "python3"
"""The interpreter of the judge and its workers: the Docker image's Debian python3, or the one on PATH locally."""
MARKER = "PERFBOT-JUDGE "
CANDIDATE_UID = 1000
"""The candidate user of a Docker sandbox (sandbox.docker.UID); a local sandbox has no second user."""
MAX_PRINT = 1 << 20
"""Bytes a measured process may print before it is stopped and rejected."""
_INSIDE = ("judge", "procs", "wire", "compare", "guard", "worker", "inputs", "checks", "suite")
_WAIT_SAID_S = 1.0
_LOCK_POLL_S = 0.05


class Harness:
    def __init__(
        self, sandbox: Sandbox, say: Callable[[str], None] = lambda _: None, stop: threading.Event | None = None
    ) -> None:
        """`stop`, once set (the run was interrupted), makes every later judge command raise instead of running."""
        self.sandbox = sandbox
        self._say = say
        self.stop = stop or threading.Event()
        self.waited_s = 0.0
        """How long judge commands waited, in all, for another perfbot run's measurements."""
        self._specs = 0
        root = sandbox.workspace
        self.root = root
        self.uid = CANDIDATE_UID if sandbox.isolated else None
        self.tmp = "/tmp" if sandbox.isolated else posixpath.join(root, "tmp")

    def install(self) -> None:
        package = files("pipelines.evaluate.inside")
        placed = {f"harness/{name}.py": package.joinpath(f"{name}.py").read_bytes() for name in _INSIDE}
        placed["harness/plugins/perfbot_testrecord.py"] = package.joinpath("testrecord.py").read_bytes()
        placed["scratch/.perfbot"] = b""
        placed["judge/.perfbot"] = b""
        self.sandbox.put_files(placed, trusted=True)
        if self.uid is None:
            self.sandbox.put_files({"tmp/.perfbot": b""})
        # Bytecode compiled once here: a worker (the candidate user, who cannot write the harness) would otherwise
        # compile its modules from source at every start.
        compiled = f"chmod 700 judge && exec {PYTHON} -I -m compileall -q harness"
        self.sandbox.execute(["sh", "-c", compiled], timeout=60, trusted=True)

    def stage(self, repo: Path, name: str, changed: dict[str, str] | None = None) -> str:
        """Copy `repo` to v/<name> with the `changed` files; returns the directory as the judge sees it."""
        relative = f"v/{name}"
        self.sandbox.put_dir(repo, relative, trusted=True)
        if changed:
            placed = {f"{relative}/{rel}": text.encode("utf-8") for rel, text in changed.items()}
            self.sandbox.put_files(placed, trusted=True)
        return posixpath.join(self.root, relative)

    def discard(self, name: str) -> None:
        self.sandbox.execute(["rm", "-rf", f"v/{name}"], timeout=120, trusted=True)

    def run(self, command: str, spec: dict[str, Any], timeout: float) -> dict[str, Any]:
        """Run one judge command; its JSON answer. EvaluationError when the judge itself fails."""
        self._specs += 1
        path = f"judge/spec-{self._specs}.json"
        full = {**spec, "uid": self.uid, "tmp": self.tmp}
        self.sandbox.put_files({path: json.dumps(full).encode("utf-8")}, trusted=True)
        judge = posixpath.join(self.root, "harness", "judge.py")
        argv = [PYTHON, "-I", judge, command, posixpath.join(self.root, path)]
        self._check_stop()
        with measurement_lock(lock_key(self.sandbox), self._say) as waited:
            self.waited_s += waited()
            self._check_stop()
            result = self.sandbox.execute(argv, timeout=timeout, max_output=16 << 20, trusted=True)
        line = next((ln for ln in reversed(result.output.splitlines()) if ln.startswith(MARKER)), None)
        if line is None:
            why = "timed out" if result.timed_out else f"exited with status {result.returncode}"
            raise EvaluationError(f"the judge ({command}) {why} without a result: {_clip(result.output, 1500)}")
        answer: dict[str, Any] = json.loads(line[len(MARKER) :])
        return answer

    def _check_stop(self) -> None:
        if self.stop.is_set():
            raise EvaluationError("the run was interrupted: the measurement was abandoned")

    def directory(self, name: str) -> str:
        return posixpath.join(self.root, "v", name)

    def scratch(self, name: str) -> str:
        return posixpath.join(self.root, "scratch", name)


def lock_key(sandbox: Sandbox) -> str:
    """The measurement lock's name for `sandbox`: its kind and the CPUs it is pinned to."""
    cpus = getattr(sandbox, "cpus", None)
    return re.sub(r"[^0-9A-Za-z,-]", "_", f"{sandbox.kind}-cpus-{cpus}" if cpus else sandbox.kind)


@contextlib.contextmanager
def measurement_lock(key: str, say: Callable[[str], None]) -> Iterator[Callable[[], float]]:
    """One perfbot process at a time measures on these CPUs of this machine (an flock, released if it dies).
    Gives a function returning how long this holder waited (0 when the wait was too short to be said)."""
    path = Path(tempfile.gettempdir()) / f"perfbot-measure-{key}.lock"
    with open(path, "a") as handle:
        started = time.monotonic()
        while True:  # not one blocking flock: the main thread must run Python code to handle SIGINT or SIGTERM
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                time.sleep(_LOCK_POLL_S)
        waited = time.monotonic() - started
        if waited > _WAIT_SAID_S:
            say(f"waited {waited:.0f} s for another perfbot run's measurements on the same CPUs ({key})")
        else:
            waited = 0.0
        try:
            yield lambda: waited
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _clip(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."
