"""Building the image that runs perfbot itself (the bot server and the CI job): the Dockerfile's `perfbot` target.

perfbot and its dependencies are built into a wheelhouse on this host (`pip wheel`, from PyPI or whatever index pip
is configured with) and copied into the build context, so the image build itself needs no network. Binary wheels
only fit the Python they were built for, so the host's Python must match the base image's.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import docker
import docker.errors

from sandbox.base import SandboxError
from sandbox.images import Log, build_image, dockerfile_path, image_python, print_to_stderr

PERFBOT_IMAGE = "perfbot/perfbot:latest"
_NOT_SOURCE = (
    ".git",
    ".venv",
    "build",
    "*.egg-info",
    "tests",
    "examples",
    "bench",
    ".perfbot",
    "__pycache__",
    "*_cache",
)


def build_perfbot_image(
    client: docker.DockerClient, *, base: str, tag: str = PERFBOT_IMAGE, log: Log = print_to_stderr
) -> None:
    """Build `tag` from the Dockerfile's `perfbot` target on `base`, then check `perfbot --help` runs in it."""
    dockerfile = dockerfile_path()
    project = dockerfile.parent
    if not (project / "pyproject.toml").is_file():
        raise SandboxError(
            f"no perfbot source checkout at {project}: build-perfbot needs pyproject.toml beside the Dockerfile"
        )
    _require_same_python(client, base)
    with tempfile.TemporaryDirectory(prefix="perfbot-wheels-") as work:
        wheelhouse = Path(work) / "wheelhouse"
        log(f"building the wheelhouse of {project} with {sys.executable}")
        _pip_wheel(project, wheelhouse)
        log(f"building {tag} from {base}")
        files = {"Dockerfile": dockerfile, "wheelhouse": wheelhouse}
        build_image(client, files, tag=tag, what=tag, target="perfbot", buildargs={"BASE_IMAGE": base})
    output = client.containers.run(tag, ["perfbot", "--help"], remove=True, network_mode="none")
    if b"usage: perfbot" not in output:
        raise SandboxError(f"{tag} was built but `perfbot --help` printed:\n{output.decode(errors='replace')}")
    log(f"built {tag}; `perfbot --help` runs in it")


def _require_same_python(client: docker.DockerClient, base: str) -> None:
    inside = image_python(client, base)
    here = "{}.{}".format(*sys.version_info[:2])
    if inside != here:
        raise SandboxError(
            f"{base} has Python {inside} but this perfbot runs on {here}: the wheelhouse would not "
            f"fit; run `perfbot sandbox build-perfbot` with a Python {inside} interpreter"
        )


def _pip_wheel(project: Path, wheelhouse: Path) -> None:
    # pip builds in the source tree (build/, *.egg-info); a copy keeps the checkout untouched.
    source = wheelhouse.parent / "source"
    shutil.copytree(project, source, ignore=shutil.ignore_patterns(*_NOT_SOURCE))
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--wheel-dir", str(wheelhouse), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SandboxError(f"pip wheel failed:\n{result.stderr.strip()[-2000:]}")
