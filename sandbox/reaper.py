"""Labels on every container and volume perfbot creates, and the reaper that removes the ones left behind.

A resource is an orphan when its expiry (creation + lifetime) has passed, or when the process that created it ran
on this host and is gone (perfbot killed with SIGKILL never reaches its `finally`). The owner is named by host name,
pid and the process's start time, so a recycled pid is not mistaken for the owner. Resources created on another
host (another CI job container sharing the daemon) are left alone until they expire.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time
from dataclasses import dataclass, field

import docker
import docker.errors
import structlog

MANAGED = "perfbot.managed"
EXPIRES = "perfbot.expires"
OWNER = "perfbot.owner"
LABEL = "perfbot.label"

log = structlog.get_logger(__name__)


def resource_labels(label: str, lifetime_s: float, *, now: float | None = None) -> dict[str, str]:
    """The labels to put on a container or volume that lives at most `lifetime_s` seconds from `now`."""
    expires = (time.time() if now is None else now) + lifetime_s
    return {MANAGED: "1", EXPIRES: str(int(expires) + 1), OWNER: owner_id(), LABEL: label}


def owner_id(pid: int | None = None) -> str:
    """`host/pid/start-time` of a process (this one by default)."""
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}/{pid}/{_start_time(pid)}"


def is_orphan(labels: dict[str, str], *, now: float | None = None) -> bool:
    """True when the resource carrying `labels` has expired or its owning process on this host is gone."""
    now = time.time() if now is None else now
    try:
        if float(labels.get(EXPIRES, "0")) < now:
            return True
    except ValueError:
        return True
    host, _, rest = labels.get(OWNER, "").partition("/")
    if host != socket.gethostname():
        return False
    pid, _, started = rest.partition("/")
    if not pid.isdigit() or started == "?":
        return False  # the owner could not be identified (no /proc): only the expiry applies
    return owner_id(int(pid)) != labels[OWNER]


@dataclass
class Reaped:
    containers: list[str] = field(default_factory=list)
    volumes: list[str] = field(default_factory=list)


def reap(client: docker.DockerClient, *, now: float | None = None) -> Reaped:
    """Remove orphaned perfbot containers (running or not), then orphaned perfbot volumes. Best effort: a resource
    that vanishes meanwhile or cannot be removed is skipped (it is tried again next time)."""
    reaped = Reaped()
    selector = {"label": f"{MANAGED}=1"}
    for container in client.containers.list(all=True, filters=selector, ignore_removed=True):
        if is_orphan(container.labels, now=now) and _remove(container.remove, force=True, v=True):
            reaped.containers.append(container.name)
    for volume in client.volumes.list(filters=selector):
        if is_orphan(volume.attrs.get("Labels") or {}, now=now) and _remove(volume.remove, force=True):
            reaped.volumes.append(volume.name)
    if reaped.containers or reaped.volumes:
        log.info("sandbox.reaped", containers=reaped.containers, volumes=reaped.volumes)
    return reaped


def _remove(remove: object, **kwargs: bool) -> bool:
    with contextlib.suppress(docker.errors.NotFound):
        try:
            remove(**kwargs)  # type: ignore[operator]
        except docker.errors.APIError as e:
            log.warning("sandbox.reap_failed", error=str(e))
            return False
    return True


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (field 22 of /proc/PID/stat); '?' when unknown."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return "?"
    return fields[19] if len(fields) > 19 else "?"
