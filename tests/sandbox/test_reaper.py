"""The reaper: what counts as an orphan (unit), and a perfbot killed with SIGKILL mid-run (real engine)."""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import time

import docker
import docker.errors
import pytest

from sandbox.docker import DockerSandbox
from sandbox.reaper import EXPIRES, OWNER, is_orphan, resource_labels
from tests.conftest import ROOT


def test_a_resource_of_a_live_owner_within_its_lifetime_is_kept() -> None:
    assert not is_orphan(resource_labels("t", 60))


def test_an_expired_resource_is_an_orphan_even_when_its_owner_lives() -> None:
    labels = resource_labels("t", 60, now=time.time() - 120)
    assert is_orphan(labels)


def test_a_resource_whose_owner_process_is_gone_is_an_orphan() -> None:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    labels = resource_labels("t", 3600)
    labels[OWNER] = f"{socket.gethostname()}/{child.pid}/{_start_time(child.pid)}"
    child.wait()
    assert is_orphan(labels)


def test_a_resource_owned_on_another_host_is_kept_until_it_expires() -> None:
    labels = {**resource_labels("t", 3600), OWNER: "another-host/1/123"}
    assert not is_orphan(labels)
    assert is_orphan({**labels, EXPIRES: str(int(time.time()) - 1)})


def test_an_unreadable_expiry_is_an_orphan() -> None:
    assert is_orphan({**resource_labels("t", 3600), EXPIRES: "soon"})


def _start_time(pid: int) -> str:
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rpartition(")")[2].split()[19]


CHILD = """
import sys, time
from sandbox.docker import DockerSandbox
sandbox = DockerSandbox(label="test-sigkill", image=sys.argv[1])
sandbox.start()
sandbox.put_files({"work.txt": b"half done"})
print(sandbox.container.name, flush=True)
time.sleep(600)  # killed long before: this stands for a long agent run
"""


@pytest.mark.docker
def test_a_perfbot_killed_mid_run_leaves_a_container_that_the_next_start_reaps(
    docker_client: docker.DockerClient, sandbox_image: str
) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, sandbox_image], cwd=ROOT, stdout=subprocess.PIPE, env={**os.environ}
    )
    try:
        assert child.stdout is not None
        ready, _, _ = select.select([child.stdout], [], [], 60)
        assert ready, "the child never reported its sandbox"
        name = child.stdout.readline().decode().strip()
        container = docker_client.containers.get(name)
        assert container.status == "running"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        assert docker_client.containers.get(name).status == "running", "no finally ran: the container is left"
        with DockerSandbox(label="test-next-run", image=sandbox_image):
            pass
        with pytest.raises(docker.errors.NotFound):
            docker_client.containers.get(name)
        with pytest.raises(docker.errors.NotFound):
            docker_client.volumes.get(f"{name}-ws")
    finally:
        if child.poll() is None:
            child.kill()
