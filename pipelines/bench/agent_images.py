"""Before a benchmark starts: the sandbox images its external agents need, built or named with the exact command.

The Aider image is built here (`aider_image.ensure_aider_image`: wheels downloaded on the host, installed without
network in the build). Images perfbot cannot build (their agent is not on PyPI: Claude Code, Cursor) stop the
benchmark before its first run with the command that builds them (`adapters.BUILD_COMMANDS`), instead of failing
every run of that agent. A local sandbox needs no image: the agent must be on the host's PATH.
"""

from __future__ import annotations

from collections.abc import Callable

from pipelines.bench.adapters import BUILD_COMMANDS
from pipelines.bench.contestants import AnyContestant, CommandContestant
from pipelines.errors import ConfigError


def prepare(contestants: list[AnyContestant], sandbox: str | None, say: Callable[[str], None]) -> None:
    images = sorted({c.image for c in contestants if isinstance(c, CommandContestant) and c.image})
    if sandbox == "local" or not images:
        return
    from pipelines.bench.aider_image import AIDER_IMAGE, ensure_aider_image
    from sandbox.docker import connect
    from sandbox.images import image_exists

    client = connect()
    for image in images:
        if image == AIDER_IMAGE:
            say(f"making sure {image} is up to date (built from PyPI wheels when missing or stale)")
            ensure_aider_image(client, log=say)
        elif not image_exists(client, image):
            users = sorted(c.name for c in contestants if isinstance(c, CommandContestant) and c.image == image)
            build = BUILD_COMMANDS.get(
                image, f"docker build -t {image} <a folder with a Dockerfile FROM perfbot/sandbox>"
            )
            raise ConfigError(
                f"contestant(s) {users} need the image {image}, which is missing; build it with:\n  {build}\n"
                "(see bench/agents/README.md), or run with --sandbox local if the agent is installed on this host"
            )
