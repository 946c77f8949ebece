"""The sandbox image with Aider installed (`perfbot/aider:latest`), built without any network inside Docker.

Aider and its dependencies are downloaded as wheels on the host (`pip download`, from whatever index pip is
configured with) for the Python of the sandbox image, cached in `~/.cache/perfbot/aider-<version>-py<X.Y>/`,
then copied into the build context of `bench/agents/Dockerfile.aider`, which installs them with `--no-index`.
The image is rebuilt when the Dockerfile, the Aider version or the sandbox image changes (a label fingerprint).
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import docker
import docker.errors

from sandbox.base import SandboxError
from sandbox.images import Log, build_image, image_label, image_python, print_to_stderr, sandbox_image_name

AIDER_IMAGE = "perfbot/aider:latest"
AIDER_VERSION = "0.86.2"
DOCKERFILE = Path(__file__).resolve().parents[2] / "bench" / "agents" / "Dockerfile.aider"
FINGERPRINT_LABEL = "perfbot.aider.fingerprint"


def ensure_aider_image(
    client: docker.DockerClient, *, base: str | None = None, tag: str = AIDER_IMAGE, log: Log = print_to_stderr
) -> str:
    """The tag of an up-to-date Aider image, built first if it is missing or stale."""
    base = base or sandbox_image_name()
    try:
        base_id = client.images.get(base).id
    except docker.errors.ImageNotFound as e:
        raise SandboxError(f"the sandbox image {base} is missing: build it with `perfbot sandbox build`") from e
    if not DOCKERFILE.is_file():
        raise SandboxError(f"no {DOCKERFILE}: building the Aider image needs a perfbot source checkout")
    fingerprint = hashlib.sha256(DOCKERFILE.read_bytes() + f"{AIDER_VERSION} {base_id}".encode()).hexdigest()[:32]
    if image_label(client, tag, FINGERPRINT_LABEL) == fingerprint:
        return tag
    wheelhouse = download_wheels(image_python(client, base), log)
    log(f"building {tag} from {base} with aider-chat {AIDER_VERSION}")
    build_image(
        client,
        {"Dockerfile": DOCKERFILE, "wheelhouse": wheelhouse},
        tag=tag,
        what=tag,
        buildargs={"BASE": base},
        labels={FINGERPRINT_LABEL: fingerprint},
        network_mode="none",
    )
    log(f"built {tag}")
    return tag


def download_wheels(python: str, log: Log = print_to_stderr) -> Path:
    """A folder of wheels of aider-chat and all its dependencies for CPython `python` ('3.11'), cached."""
    folder = Path.home() / ".cache" / "perfbot" / f"aider-{AIDER_VERSION}-py{python}"
    done = folder / ".complete"
    if done.is_file():
        return folder
    log(f"downloading aider-chat {AIDER_VERSION} and its dependencies for Python {python} into {folder}")
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--only-binary=:all:", "--python-version", python]
    command += ["--dest", str(folder), f"aider-chat=={AIDER_VERSION}"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-10:])
        raise SandboxError(f"pip download of aider-chat {AIDER_VERSION} failed:\n{tail}")
    done.write_text(AIDER_VERSION)
    return folder
