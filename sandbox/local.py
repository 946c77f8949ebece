"""The `local` backend: a temp directory and a process group per command. No isolation.

Used only when asked for explicitly (`--sandbox local`); reports then say that no container isolated the
code. It still scrubs the environment, enforces timeouts by killing the whole process group, and caps
output, so a hang or a flood of output cannot take perfbot down with it. There is one user: `trusted` changes
nothing here, which is why a local sandbox is not `isolated` and the judge's guarantees do not hold in it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from sandbox.base import DEFAULT_MAX_OUTPUT, SAFE_ENV, ExecResult, SandboxError

_IGNORE = shutil.ignore_patterns(".git", "__pycache__", ".perfbot", ".venv", ".pytest_cache", ".mypy_cache")


class LocalSandbox:
    kind = "local"
    isolated = False

    def __init__(self, *, label: str = "perfbot") -> None:
        self._label = label
        self._root: Path | None = None
        self.workspace = ""
        self._running: set[int] = set()
        """Process groups of the commands under way, ended by `close()` (e.g. from another thread on Ctrl-C)."""

    def start(self) -> None:
        if self._root is None:
            self._root = Path(tempfile.mkdtemp(prefix=f"{self._label}-ws-"))
            self.workspace = str(self._root)

    def execute(
        self,
        command: str | Sequence[str],
        timeout: float,
        *,
        cwd: str | None = None,
        env: Mapping[str, str] | None = None,
        max_output: int = DEFAULT_MAX_OUTPUT,
        trusted: bool = False,
    ) -> ExecResult:
        root = self._require_root()
        argv = ["sh", "-c", command] if isinstance(command, str) else list(command)
        started = time.monotonic()
        try:
            proc = subprocess.Popen(
                argv,
                cwd=root / (cwd or "."),
                env=self._environment(env),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as e:
            return ExecResult(output=f"cannot start {argv[0]!r}: {e}", returncode=127)
        assert proc.stdout is not None
        self._running.add(proc.pid)
        reader = _CappedReader(proc.stdout, max_output)
        reader.start()
        timed_out = False
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            _kill_group(proc.pid)
            self._running.discard(proc.pid)  # before the wait: until it is reaped, the pid cannot be reused
            proc.wait()
            reader.join()
        return ExecResult(
            output=reader.text(),
            returncode=proc.returncode,
            timed_out=timed_out,
            truncated=reader.truncated,
            duration_s=time.monotonic() - started,
        )

    def put_files(self, files: Mapping[str, bytes], *, trusted: bool = False) -> None:
        for rel, data in files.items():
            path = self._resolve(rel)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)

    def put_dir(self, source: Path, dest: str, *, trusted: bool = False) -> None:
        shutil.copytree(source, self._resolve(dest), ignore=_IGNORE, symlinks=True, dirs_exist_ok=True)

    def get_file(self, path: str) -> bytes:
        return self._resolve(path).read_bytes()

    def close(self) -> None:
        for pid in list(self._running):
            _kill_group(pid)
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
            self._root = None

    def __enter__(self) -> LocalSandbox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _require_root(self) -> Path:
        if self._root is None:
            raise SandboxError("the sandbox is not started")
        return self._root

    def _resolve(self, rel: str) -> Path:
        root = self._require_root()
        path = (root / rel).resolve()
        if not path.is_relative_to(root.resolve()):
            raise SandboxError(f"{rel!r} is outside the workspace")
        return path

    def _environment(self, extra: Mapping[str, str] | None) -> dict[str, str]:
        # The interpreter running perfbot comes first on PATH, so `python` in a tests command means
        # the environment perfbot was installed into (where the repo's test dependencies are).
        path = os.pathsep.join([os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"])
        return {**SAFE_ENV, "PATH": path, "HOME": str(self._require_root()), **(extra or {})}


class _CappedReader(threading.Thread):
    """Drains a pipe to the end (so the writer never blocks) while keeping only the first `cap` bytes."""

    def __init__(self, stream: object, cap: int) -> None:
        super().__init__(daemon=True)
        self._stream = stream
        self._cap = cap
        self._chunks: list[bytes] = []
        self._kept = 0
        self.truncated = False

    def run(self) -> None:
        read = self._stream.read1  # type: ignore[attr-defined]
        while chunk := read(65536):
            room = self._cap - self._kept
            if room > 0:
                self._chunks.append(chunk[:room])
                self._kept += min(room, len(chunk))
            if len(chunk) > room:
                self.truncated = True

    def text(self) -> str:
        return b"".join(self._chunks).decode("utf-8", errors="replace")


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
