"""The Docker sandbox when the engine stops answering: a proxy socket in front of the real one, cut and restored.

A blip of two seconds is retried and nobody notices; an engine that stays away is named, with what to do; `close()`
tries the container and the volume whatever happens, and a blip while closing leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import docker
import docker.errors
import pytest
from structlog.testing import capture_logs

from sandbox.docker import DockerSandbox
from sandbox.engine import EngineUnreachable
from tests.conftest import needs_docker
from tests.sandbox.socket_proxy import SocketProxy

pytestmark = needs_docker()

BLIP_S = 2.0


@pytest.fixture(scope="module")
def proxy() -> Iterator[SocketProxy]:
    proxy = SocketProxy()
    proxy.restore()
    yield proxy
    proxy.close()


@pytest.fixture(scope="module")
def through_proxy(proxy: SocketProxy, sandbox_image: str) -> Iterator[DockerSandbox]:
    """One sandbox for the module, talking to the engine through `proxy`; what it leaves is removed directly."""
    sandbox = DockerSandbox(label="test-engine-faults", image=sandbox_image, client=docker.DockerClient(proxy.url))
    sandbox.start()
    assert sandbox.container is not None and sandbox._volume is not None
    names = [sandbox.container.name, sandbox._volume.name]
    yield sandbox
    sandbox.close()
    remove_everything_named(names)


def remove_everything_named(names: list[str]) -> None:
    client = docker.from_env()
    for get, options in ((client.containers.get, {"force": True, "v": True}), (client.volumes.get, {"force": True})):
        for name in names:
            with contextlib.suppress(docker.errors.NotFound):
                get(name).remove(**options)


def existing(names: list[str]) -> list[str]:
    client = docker.from_env()
    found = []
    for name in names:
        for get in (client.containers.get, client.volumes.get):
            try:
                get(name)
                found.append(name)
            except docker.errors.NotFound:
                pass
    return found


def blip(proxy: SocketProxy) -> threading.Timer:
    """Cut the engine's socket now and give it back after `BLIP_S` seconds."""
    proxy.cut()
    timer = threading.Timer(BLIP_S, proxy.restore)
    timer.start()
    return timer


def test_a_two_second_blip_is_retried_and_the_command_runs(through_proxy: DockerSandbox, proxy: SocketProxy) -> None:
    assert through_proxy.execute(["echo", "before"], timeout=30).output.strip() == "before"
    started = time.monotonic()
    timer = blip(proxy)
    result = through_proxy.execute(["echo", "after"], timeout=30)
    timer.join()
    assert result.ok and result.output.strip() == "after"
    assert time.monotonic() - started >= BLIP_S * 0.9  # it waited the blip out, it did not miss it


def test_an_engine_that_stays_away_is_named_with_what_to_do_and_close_still_tries_the_container_and_the_volume(
    through_proxy: DockerSandbox, proxy: SocketProxy
) -> None:
    assert through_proxy.container is not None and through_proxy._volume is not None
    names = [through_proxy.container.name, through_proxy._volume.name]
    through_proxy.retry_s = 1.0
    proxy.cut()
    started = time.monotonic()
    with pytest.raises(EngineUnreachable) as raised:
        through_proxy.execute(["echo", "lost"], timeout=30)
    assert time.monotonic() - started < 10
    message = str(raised.value)
    assert "the Docker Engine stopped answering while starting a command in the sandbox" in message
    assert "docker info" in message and "perfbot sandbox reap" in message
    assert "Traceback" not in message
    with capture_logs() as logs:
        through_proxy.close()  # raises nothing
    failed = [e["resource"] for e in logs if e["event"] == "sandbox.remove_failed"]
    assert failed == names
    proxy.restore()
    assert existing(names) == names  # left to the reaper, labelled with their owner; the fixture removes them


def test_a_blip_while_closing_is_waited_out_and_nothing_is_left(sandbox_image: str) -> None:
    proxy = SocketProxy()
    proxy.restore()
    try:
        sandbox = DockerSandbox(label="test-engine-close", image=sandbox_image, client=docker.DockerClient(proxy.url))
        sandbox.start()
        assert sandbox.container is not None and sandbox._volume is not None
        names = [sandbox.container.name, sandbox._volume.name]
        timer = blip(proxy)
        sandbox.close()
        timer.join()
        assert existing(names) == []
    finally:
        proxy.close()
