"""Fixtures of the sandbox tests: the sandbox image (built through the same code path as `perfbot sandbox build`,
so the tests work on a fresh machine) and one container shared by the tests whose behaviour allows it."""

from __future__ import annotations

from collections.abc import Iterator

import docker
import pytest

from sandbox.docker import DockerSandbox, connect
from sandbox.images import ensure_sandbox_image
from tests.conftest import docker_available


@pytest.fixture(scope="session")
def docker_client() -> docker.DockerClient:
    if not docker_available():
        pytest.skip("no Docker Engine is reachable (start Docker or set DOCKER_HOST)")
    return connect()


@pytest.fixture(scope="session")
def sandbox_image(docker_client: docker.DockerClient) -> str:
    return ensure_sandbox_image(docker_client).sandbox


@pytest.fixture(scope="session")
def shared_sandbox(sandbox_image: str) -> Iterator[DockerSandbox]:
    """One container for the tests that leave it usable; each works in its own directory or only reads."""
    with DockerSandbox(label="test-shared", image=sandbox_image) as sandbox:
        yield sandbox
