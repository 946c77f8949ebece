"""The `docker` backend, the default: one hardened, labelled container per sandbox.

The container has no network, a read-only root with the workspace on a labelled, size-limited in-memory volume
(tmpfs: nosuid, nodev) and a tmpfs /tmp, no-new-privileges, pids and memory limits (no swap), and `sleep <lifetime>`
as its main process under an init, so a container whose perfbot died stops by itself when its lifetime is over.

Two users (see sandbox.base): candidate code runs as user 1000 with no capabilities at all; the trusted user is
root *inside* the container, holding nothing but what the judge needs to start and signal user 1000's processes
(SETUID, SETGID, KILL, in a benchmark sandbox only; none otherwise). The main process is root's, so killing every
process of user 1000 after each command never stops the container. Commands of one sandbox run one at a time.

Every call to the engine goes through `sandbox.engine.call`: a connection that drops is retried for `retry_s` seconds,
then `EngineUnreachable` says the Docker Engine stopped answering and what to do.

Each command runs through `docker exec` under a wrapper that enforces the timeout inside the container (see
`execution`); the host waits a little longer and kills the container if even that fails. Containers and volumes are
removed in `close()`, and the reaper removes what a killed perfbot left behind every time a sandbox starts.

A benchmark sandbox (`benchmark=True`) is pinned to CPUs with a cpuset and has no CPU quota, so timings are not
distorted by CFS throttling; `ExecResult.throttled_s` still reports any throttling the cgroup saw.
"""

from __future__ import annotations

import os
import posixpath
import re
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any

import docker
import docker.errors
import structlog
from docker.models.containers import Container
from docker.models.volumes import Volume
from docker.types import Ulimit

from sandbox.archive import dir_archive, files_archive, relative, single_file
from sandbox.base import DEFAULT_MAX_OUTPUT, SAFE_ENV, ExecResult, SandboxError, SandboxUnavailable
from sandbox.engine import RETRY_S, EngineUnreachable, call
from sandbox.execution import KILL_AFTER_S, CappedStream, counters, wrap
from sandbox.images import image_exists, sandbox_image_name
from sandbox.reaper import reap, resource_labels

UID = 1000
"""The candidate user."""
TRUSTED_UID = 0
"""The trusted user: root inside the container, with only the capabilities in `JUDGE_CAPABILITIES`."""
JUDGE_CAPABILITIES = ["SETUID", "SETGID", "KILL"]
DEFAULT_LIFETIME_S = 3 * 3600
BACKSTOP_S = 15.0
"""How long the host waits beyond a command's timeout before it kills the whole container."""
SIGNAL_POLL_S = 0.2
"""The longest a wait of the main thread lasts before it runs Python code again (and so the handler of a signal)."""
_WAYS_OUT = "or run with --sandbox local to run without isolation"

log = structlog.get_logger(__name__)


def connect(timeout: float = 60) -> docker.DockerClient:
    """A client of the engine named by DOCKER_HOST (else the local socket); `SandboxUnavailable` when unreachable."""
    try:
        client = docker.from_env(timeout=int(timeout))
        client.ping()
    except Exception as e:  # docker-py raises DockerException or a bare requests error depending on where it fails
        raise SandboxUnavailable(
            f"no Docker Engine is reachable ({type(e).__name__}: {e}): start Docker or set DOCKER_HOST, {_WAYS_OUT}"
        ) from e
    return client


class DockerSandbox:
    kind = "docker"
    isolated = True
    workspace = "/workspace"

    def __init__(
        self,
        label: str = "perfbot",
        benchmark: bool = False,
        image: str | None = None,
        *,
        mem_limit: str = "2g",
        pids_limit: int = 256,
        tmp_size: str = "512m",
        workspace_size: str = "2g",
        cpus: str | None = None,
        lifetime_s: int = DEFAULT_LIFETIME_S,
        backstop_s: float = BACKSTOP_S,
        client: docker.DockerClient | None = None,
        retry_s: float = RETRY_S,
        network: str = "none",
    ) -> None:
        """`cpus` is the cpuset of a benchmark sandbox (default `PERFBOT_BENCH_CPUS`, else the engine's last CPU).
        `backstop_s` is how long the host waits past a command's timeout before it kills the container. `retry_s` is
        how long a call keeps trying while the engine does not answer. `network` is "none" (the default) or the
        Docker network of an external agent's research run (`perfbot bench --network`); a benchmark sandbox never
        has one, since candidate code is measured there."""
        if benchmark and network != "none":
            raise ValueError("a benchmark sandbox has no network: candidate code is measured there")
        self.network = network
        self.label = label
        self.benchmark = benchmark
        self.image = image or sandbox_image_name()
        self.mem_limit = mem_limit
        self.pids_limit = pids_limit
        self.tmp_size = tmp_size
        self.workspace_size = workspace_size
        self.cpus = cpus or os.environ.get("PERFBOT_BENCH_CPUS") or None
        self.lifetime_s = lifetime_s
        self.backstop_s = backstop_s
        self.retry_s = retry_s
        self._client = client
        self.container: Container | None = None
        self._volume: Volume | None = None
        self._expires_at = 0.0
        self._one_at_a_time = threading.Lock()

    def start(self) -> None:
        if self.container is not None:
            return
        client = self._client = self._client or connect()
        try:
            self._call(reap, client, what="removing the containers of earlier runs")
        except docker.errors.DockerException as e:  # leftovers of other runs must not stop this one
            log.warning("sandbox.reap_failed", error=str(e))
        if not self._call(image_exists, client, self.image, what="looking for the sandbox image"):
            raise SandboxUnavailable(
                f"the sandbox image {self.image} is missing: build it with `perfbot sandbox build` "
                f"(offline, from Debian packages), {_WAYS_OUT}"
            )
        name = f"perfbot-{re.sub(r'[^a-zA-Z0-9_.-]', '-', self.label)[:40]}-{uuid.uuid4().hex[:10]}"
        labels = resource_labels(self.label, self.lifetime_s + 60)
        try:
            self._volume = self._call(
                client.volumes.create,
                name=f"{name}-ws",
                labels=labels,
                driver="local",
                driver_opts=self._workspace_options(),
                what="creating the sandbox's workspace volume",
            )
            self.container = self._call(
                client.containers.create,
                self.image,
                ["sleep", str(self.lifetime_s)],
                name=name,
                labels=labels,
                what="creating the sandbox container",
                **self._hardening(client),
            )
            self._call(self.container.start, what="starting the sandbox container")
        except EngineUnreachable:
            self.close()
            raise
        except docker.errors.DockerException as e:
            self.close()
            raise SandboxUnavailable(f"cannot start a sandbox container from {self.image}: {e}") from e
        self._expires_at = time.time() + self.lifetime_s

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
        argv = ["sh", "-c", command] if isinstance(command, str) else list(command)
        workdir = posixpath.join(self.workspace, relative(cwd or ""))
        timeout = max(timeout, 0.01)  # `timeout 0` would mean no limit at all
        environment = {**SAFE_ENV, "HOME": "/tmp", **(env or {})}
        user = TRUSTED_UID if trusted else UID
        with self._one_at_a_time:  # the wrapper ends every process of the candidate user: no two commands at once
            started = time.monotonic()
            exec_id = self._exec_create(wrap(argv, timeout, max_output), workdir, environment, user)
            stream = self._exec_start(exec_id, max_output)
            _join(stream, timeout + KILL_AFTER_S + self.backstop_s)
            backstop = stream.is_alive()
            if backstop:
                self._kill(f"a command outlived its {timeout} s timeout")
                _join(stream, 30)
            code = 137 if backstop else self._exit_code(exec_id)
            return self._result(stream, code, time.monotonic() - started, timeout, backstop)

    def put_files(self, files: Mapping[str, bytes], *, trusted: bool = False) -> None:
        self._put_archive(files_archive(files, TRUSTED_UID if trusted else UID), "files")

    def put_dir(self, source: Path, dest: str, *, trusted: bool = False) -> None:
        with dir_archive(source, dest, TRUSTED_UID if trusted else UID) as archive:
            self._put_archive(archive, str(source))

    def get_file(self, path: str) -> bytes:
        rel = relative(path)
        if not rel:
            raise IsADirectoryError(f"{path!r} is the workspace itself")
        try:
            chunks, _stat = self._call(
                self._require().get_archive, posixpath.join(self.workspace, rel), what=f"reading {path}"
            )
        except docker.errors.NotFound as e:
            raise FileNotFoundError(f"no file {path!r} in the sandbox workspace") from e
        return single_file(chunks, path)

    def close(self) -> None:
        """Remove the container, then the volume: each is tried (and retried while the engine does not answer)
        whatever happened to the other; what cannot be removed is logged and left to the reaper."""
        container, volume, self.container, self._volume = self.container, self._volume, None, None
        for resource, options in ((container, {"force": True, "v": True}), (volume, {"force": True})):
            if resource is None:
                continue
            try:
                self._call(resource.remove, what=f"removing {resource.name}", **options)
            except docker.errors.NotFound:
                pass
            except Exception as e:  # the reaper removes it once this process is gone: its labels name the owner
                log.warning("sandbox.remove_failed", resource=resource.name, error=str(e))

    def __enter__(self) -> DockerSandbox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _hardening(self, client: docker.DockerClient) -> dict[str, Any]:
        assert self._volume is not None
        options: dict[str, Any] = {
            "init": True,
            "user": f"{TRUSTED_UID}:{TRUSTED_UID}",
            "working_dir": self.workspace,
            "hostname": "sandbox",
            "environment": {**SAFE_ENV, "HOME": "/tmp"},
            "network_mode": self.network,
            "read_only": True,
            "tmpfs": {"/tmp": f"rw,nosuid,nodev,size={self.tmp_size}"},
            "volumes": {self._volume.name: {"bind": self.workspace, "mode": "rw"}},
            "cap_drop": ["ALL"],
            "cap_add": JUDGE_CAPABILITIES if self.benchmark else [],
            "security_opt": ["no-new-privileges:true"],
            "pids_limit": self.pids_limit,
            "mem_limit": self.mem_limit,
            "memswap_limit": self.mem_limit,
            "ulimits": [Ulimit(name="nofile", soft=4096, hard=4096)],
        }
        if self.benchmark:
            self.cpus = self.cpus or str(
                int(self._call(client.info, what="counting the engine's CPUs").get("NCPU", 1)) - 1
            )
            options["cpuset_cpus"] = self.cpus
        return options

    def _workspace_options(self) -> dict[str, str]:
        """An in-memory volume of bounded size, no setuid, no devices; the workspace root is the trusted user's in a
        benchmark sandbox (the judge decides what candidate code may write), the candidate user's otherwise."""
        owner = TRUSTED_UID if self.benchmark else UID
        options = f"size={self.workspace_size},nosuid,nodev,mode=0755,uid={owner},gid={owner}"
        return {"type": "tmpfs", "device": "tmpfs", "o": options}

    def _call(self, fn: Any, *args: Any, what: str, **kwargs: Any) -> Any:
        return call(fn, *args, what=what, retry_s=self.retry_s, **kwargs)

    def _require(self) -> Container:
        if self.container is None:
            raise SandboxError("the sandbox is not started (or already closed)")
        return self.container

    def _api(self) -> docker.APIClient:
        assert self._client is not None
        return self._client.api

    def _exec_create(self, argv: list[str], workdir: str, env: dict[str, str], uid: int) -> str:
        container = self._require()
        for attempt in (1, 2):
            try:
                created = self._call(
                    self._api().exec_create,
                    container.id,
                    argv,
                    stdout=True,
                    stderr=True,
                    workdir=workdir,
                    environment=env,
                    user=f"{uid}:{uid}",
                    what="starting a command in the sandbox",
                )
                return str(created["Id"])
            except docker.errors.APIError as e:
                if attempt == 2 or e.status_code != 409 or not self._revive():
                    raise SandboxError(f"cannot run a command in the sandbox container: {e}") from e
        raise AssertionError("unreachable")

    def _exec_start(self, exec_id: str, max_output: int) -> CappedStream:
        try:
            chunks = self._call(
                self._api().exec_start, exec_id, stream=True, demux=True, what="starting a command in the sandbox"
            )
        except docker.errors.APIError as e:
            raise SandboxError(f"cannot run a command in the sandbox container: {e}") from e
        stream = CappedStream(chunks, max_output)
        stream.start()
        return stream

    def _revive(self) -> bool:
        """A container that stopped (the backstop killed it) cannot be revived: its workspace lived in memory.
        Raises SandboxError saying so; False when it is merely past its lifetime."""
        container = self._require()
        if time.time() >= self._expires_at:
            return False
        self._call(container.reload, what="checking the sandbox container")
        if container.status != "running":
            raise SandboxError(
                f"the sandbox container stopped ({container.status}) after a command outlived its timeout; "
                "its workspace was kept in memory and is gone: start a new sandbox"
            )
        return True

    def _kill(self, reason: str) -> None:
        container = self._require()
        log.warning("sandbox.killed", container=container.name, reason=reason)
        try:
            self._call(container.kill, what="killing the sandbox container")
        except (docker.errors.APIError, EngineUnreachable) as e:
            log.warning("sandbox.kill_failed", container=container.name, error=str(e))

    def _result(self, stream: CappedStream, code: int, duration: float, timeout: float, backstop: bool) -> ExecResult:
        measured = counters(stream.meta.decode("utf-8", errors="replace"))
        oom_killed = bool(measured.oom_kills)
        output = stream.output.decode("utf-8", errors="replace")
        if oom_killed:
            output += f"\n[perfbot] killed: the command used more than the sandbox's {self.mem_limit} of memory\n"
        if measured.pids_limit_hits:
            output += f"\n[perfbot] the command hit the sandbox's limit of {self.pids_limit} processes\n"
        if backstop:
            output += (
                "\n[perfbot] the command outlived its timeout (a process escaped it): the sandbox container was "
                "killed, and its workspace with it\n"
            )
        return ExecResult(
            output=output,
            returncode=code,
            timed_out=backstop or (code in (124, 137) and duration >= timeout),
            truncated=stream.truncated,
            duration_s=duration,
            oom_killed=oom_killed,
            throttled_s=measured.throttled_s,
        )

    def _put_archive(self, archive: IO[bytes], what: str) -> None:
        try:
            self._call(self._put_from_start, archive, what=f"copying {what} into the sandbox")
        except docker.errors.APIError as e:
            raise SandboxError(f"cannot copy {what} into the sandbox workspace: {e}") from e

    def _put_from_start(self, archive: IO[bytes]) -> None:
        archive.seek(0)  # a retried copy sends the whole archive again
        self._require().put_archive(self.workspace, archive)

    def _exit_code(self, exec_id: str) -> int:
        deadline = time.monotonic() + 10
        while True:
            try:
                state = self._call(self._api().exec_inspect, exec_id, what="reading a command's exit status")
            except docker.errors.APIError as e:  # e.g. the container was removed meanwhile (an interrupted run)
                raise SandboxError(f"cannot read the exit status of a command in the sandbox: {e}") from e
            if not state.get("Running") or time.monotonic() > deadline:
                code = state.get("ExitCode")
                return int(code) if code is not None else -1
            time.sleep(0.01)  # the engine records the exit code just after the stream ends


def _join(thread: threading.Thread, seconds: float) -> None:
    """`thread.join(seconds)` in short waits: a SIGINT or SIGTERM delivered to another thread is only handled when the
    main thread runs Python code, so it must not sit in one long wait (pipelines/interrupt.py)."""
    deadline = time.monotonic() + seconds
    while thread.is_alive() and (left := deadline - time.monotonic()) > 0:
        thread.join(min(left, SIGNAL_POLL_S))
