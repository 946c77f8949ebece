"""The one image for the bot server and the CI job builds here from the offline base image, and the commands a
CI job runs (`perfbot ci`, `perfbot publish`) with their templates are inside it."""

from __future__ import annotations

import pytest

from tests.conftest import docker_available

TAG = "perfbot/perfbot:test-ci"
pytestmark = pytest.mark.docker


def test_the_perfbot_image_builds_from_the_offline_base_and_runs_the_ci_commands() -> None:
    if not docker_available():
        pytest.skip("no Docker Engine is reachable (start Docker or set DOCKER_HOST)")
    from sandbox.docker import connect
    from sandbox.images import BASE_IMAGE, ensure_sandbox_image
    from sandbox.perfbot_image import build_perfbot_image

    client = connect()
    ensure_sandbox_image(client)  # builds the offline base first when it is missing
    build_perfbot_image(client, base=BASE_IMAGE, tag=TAG, log=lambda message: None)

    def run(*argv: str) -> str:
        output: bytes = client.containers.run(TAG, list(argv), remove=True, network_mode="none")
        return output.decode()

    assert "usage: perfbot" in run("perfbot", "--help")
    ci_help = run("perfbot", "ci", "--help")
    assert "--shard" in ci_help and "--gather" in ci_help and "--scheduled" in ci_help
    assert "ARTIFACTS_DIR" in run("perfbot", "publish", "--help")
    probe = (
        "from importlib.resources import files; t = files('templates'); "
        "print(all(t.joinpath(*p).is_file() for p in "
        "[('report', 'report.md.j2'), ('notes', 'nothing.md.j2'), ('perfbot', 'template.yml')]))"
    )
    assert run("python", "-c", probe).strip() == "True"
