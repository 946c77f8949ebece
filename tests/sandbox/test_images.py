"""`ensure_sandbox_image`: builds only what is missing or stale."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import docker
import docker.errors
import pytest

from sandbox.images import BASE_IMAGE, dockerfile_path, ensure_sandbox_image, is_stale

pytestmark = pytest.mark.docker

TAG = "perfbot/sandbox:test-staleness"


@pytest.fixture
def scratch_tag(docker_client: docker.DockerClient, sandbox_image: str) -> Iterator[str]:
    yield TAG
    with contextlib.suppress(docker.errors.ImageNotFound):
        docker_client.images.remove(TAG, force=True)


def test_a_changed_dockerfile_makes_the_image_stale_and_it_is_rebuilt_once(
    docker_client: docker.DockerClient, scratch_tag: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    logged: list[str] = []
    first = ensure_sandbox_image(docker_client, tag=scratch_tag, log=logged.append)
    assert (first.base, first.built) == (BASE_IMAGE, (scratch_tag,))
    assert ensure_sandbox_image(docker_client, tag=scratch_tag, log=logged.append).built == ()

    changed = tmp_path / "Dockerfile"
    changed.write_text(dockerfile_path().read_text() + "\n# a change\n")
    monkeypatch.setenv("PERFBOT_DOCKERFILE", str(changed))
    assert is_stale(docker_client, scratch_tag)
    assert ensure_sandbox_image(docker_client, tag=scratch_tag, log=logged.append).built == (scratch_tag,)
    assert not is_stale(docker_client, scratch_tag)
