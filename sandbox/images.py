"""Building the sandbox images without any container registry.

    perfbot/base:bookworm     a Debian root filesystem made by debootstrap from Debian packages, then `docker import`
    perfbot/sandbox:latest    the top-level Dockerfile, target `sandbox`, built FROM that base (or any BASE_IMAGE)

`ensure_sandbox_image()` is what `perfbot sandbox build`, `scripts/bootstrap` and the test fixtures call: it builds
only what is missing or stale, so it is quick when everything is up to date. Staleness is a fingerprint (the
Dockerfile's bytes and the base image's id) stored as a label on the sandbox image.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker
import docker.errors

from sandbox.base import SandboxError

BASE_IMAGE = "perfbot/base:bookworm"
SANDBOX_IMAGE = "perfbot/sandbox:latest"
DEFAULT_MIRROR = "http://deb.debian.org/debian"
BASE_PACKAGES = (
    "python3",
    "python3-pytest",
    "python3-numpy",
    "python3-venv",
    "python-is-python3",
    "git",
    "bash",
    "coreutils",
    "procps",
    "findutils",
    "ca-certificates",
)
FINGERPRINT_LABEL = "perfbot.fingerprint"
BASE_LABEL = "perfbot.base"
_BASE_CHANGES = [
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "ENV LANG=C.UTF-8",
    'CMD ["bash"]',
]
# Package caches and indexes: useless without a network inside the sandbox, and hundreds of megabytes.
_ROOTFS_JUNK = (
    "var/lib/apt/lists",
    "var/cache/apt",
    "var/cache/debconf/templates.dat-old",
    "usr/share/doc",
    "usr/share/man",
)

Log = Callable[[str], None]


def print_to_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def sandbox_image_name() -> str:
    """The sandbox image to run: `PERFBOT_SANDBOX_IMAGE` when set, else `perfbot/sandbox:latest`."""
    return os.environ.get("PERFBOT_SANDBOX_IMAGE") or SANDBOX_IMAGE


def dockerfile_path() -> Path:
    """The top-level Dockerfile: `PERFBOT_DOCKERFILE` when set (the perfbot image sets it), else the checkout's."""
    explicit = os.environ.get("PERFBOT_DOCKERFILE")
    path = Path(explicit) if explicit else Path(__file__).resolve().parent.parent / "Dockerfile"
    if not path.is_file():
        raise SandboxError(f"no Dockerfile at {path}: set PERFBOT_DOCKERFILE to perfbot's Dockerfile")
    return path


def image_exists(client: docker.DockerClient, name: str) -> bool:
    try:
        client.images.get(name)
    except docker.errors.ImageNotFound:
        return False
    return True


@dataclass(frozen=True)
class BuildOutcome:
    base: str
    sandbox: str
    built: tuple[str, ...]
    """The images (re)built by this call; empty when everything was up to date."""


def ensure_sandbox_image(
    client: docker.DockerClient,
    *,
    base_image: str | None = None,
    tag: str | None = None,
    force: bool = False,
    mirror: str = DEFAULT_MIRROR,
    log: Log = print_to_stderr,
) -> BuildOutcome:
    """Make sure the sandbox image exists and matches the Dockerfile and its base; build what is missing.

    Without `base_image`, the offline base `perfbot/base:bookworm` is used and built with debootstrap first when
    absent. With `base_image` (e.g. `python:3.12-slim` where a registry exists) that image is the base as is."""
    tag = tag or sandbox_image_name()
    built: list[str] = []
    base = base_image or BASE_IMAGE
    if base_image is None and not image_exists(client, BASE_IMAGE):
        build_base_image(client, mirror=mirror, log=log)
        built.append(BASE_IMAGE)
    fingerprint = _fingerprint(client, base)
    if (
        force
        or image_label(client, tag, FINGERPRINT_LABEL) != fingerprint
        or image_label(client, tag, BASE_LABEL) != base
    ):
        build_sandbox_image(client, base=base, tag=tag, fingerprint=fingerprint, log=log)
        built.append(tag)
    return BuildOutcome(base=base, sandbox=tag, built=tuple(built))


def is_stale(client: docker.DockerClient, image: str) -> bool:
    """True when `image` was built from another Dockerfile or base than the ones here now (False when there is no
    Dockerfile to compare with, as in an installed perfbot without `PERFBOT_DOCKERFILE`)."""
    base = image_label(client, image, BASE_LABEL)
    try:
        return base is None or image_label(client, image, FINGERPRINT_LABEL) != _fingerprint(client, base)
    except SandboxError:
        return False


def build_sandbox_image(
    client: docker.DockerClient, *, base: str, tag: str, fingerprint: str | None = None, log: Log = print_to_stderr
) -> None:
    """`docker build --target sandbox --build-arg BASE_IMAGE=base` with a context holding only the Dockerfile
    (the sandbox target copies nothing in), so it works from an installed perfbot and needs no network."""
    dockerfile = dockerfile_path()
    log(f"building {tag} from {base} ({dockerfile})")
    build_image(
        client,
        {"Dockerfile": dockerfile},
        tag=tag,
        what=f"{tag} from {base}",
        target="sandbox",
        buildargs={"BASE_IMAGE": base},
        labels={FINGERPRINT_LABEL: fingerprint or _fingerprint(client, base), BASE_LABEL: base},
    )
    _prune_replaced(client)
    log(f"built {tag}")


def build_image(client: docker.DockerClient, files: Mapping[str, Path], *, tag: str, what: str, **options: Any) -> None:
    """`docker build -t tag` of a context holding only `files` (name in the context -> host file or folder), never
    pulling, intermediate containers removed; `options` go to docker-py's `images.build` (target, buildargs,
    labels...). A failed build raises SandboxError "building <what> failed: ..." with the tail of the build log."""
    with tempfile.TemporaryFile() as context:  # on disk: a wheelhouse can be hundreds of megabytes
        with tarfile.open(fileobj=context, mode="w") as tar:
            for name, path in files.items():
                tar.add(path, arcname=name)
        context.seek(0)
        try:
            client.images.build(
                fileobj=context, custom_context=True, tag=tag, pull=False, rm=True, forcerm=True, **options
            )
        except (docker.errors.BuildError, docker.errors.APIError) as e:
            raise SandboxError(f"building {what} failed: {_build_log_tail(e)}") from e


def image_python(client: docker.DockerClient, image: str) -> str:
    """'3.11' for an image whose python3 is 3.11 (wheels built or downloaded on the host must fit it)."""
    probe = "import sys; print('%d.%d' % sys.version_info[:2])"
    try:
        output = client.containers.run(image, ["python3", "-c", probe], remove=True, network_mode="none")
    except docker.errors.DockerException as e:
        raise SandboxError(f"cannot run python3 in {image} to ask its version: {e}") from e
    return bytes(output).decode().strip()


def image_label(client: docker.DockerClient, image: str, key: str) -> str | None:
    """The value of label `key` on `image`; None when the image or the label is missing."""
    try:
        labels = client.images.get(image).labels or {}
    except docker.errors.ImageNotFound:
        return None
    return labels.get(key)


def build_base_image(
    client: docker.DockerClient,
    *,
    tag: str = BASE_IMAGE,
    suite: str = "bookworm",
    mirror: str = DEFAULT_MIRROR,
    packages: tuple[str, ...] = BASE_PACKAGES,
    log: Log = print_to_stderr,
) -> None:
    """Debootstrap a minimal Debian `suite` with `packages` from `mirror` (any Debian mirror or apt proxy; no
    container registry) and `docker import` it as `tag`. Needs root (debootstrap chroots); installs debootstrap
    with apt-get when it is missing."""
    if os.geteuid() != 0:
        raise SandboxError("building the base image needs root (debootstrap uses chroot): run it with sudo")
    _ensure_debootstrap(log)
    with tempfile.TemporaryDirectory(prefix="perfbot-rootfs-", dir="/var/tmp") as work:
        rootfs = Path(work) / "rootfs"
        log(f"debootstrap {suite} from {mirror} (a few minutes)")
        _run(
            ["debootstrap", "--variant=minbase", f"--include={','.join(packages)}", suite, str(rootfs), mirror],
            "debootstrap",
        )
        for junk in _ROOTFS_JUNK:
            _empty_dir(rootfs / junk)
        archive = Path(work) / "rootfs.tar"
        _run(["tar", "--numeric-owner", "--xattrs", "-C", str(rootfs), "-cf", str(archive), "."], "tar")
        log(f"importing {tag}")
        repository, _, version = tag.partition(":")
        try:
            client.api.import_image(
                src=str(archive), repository=repository, tag=version or "latest", changes=_BASE_CHANGES
            )
        except docker.errors.APIError as e:
            raise SandboxError(f"docker import of {tag} failed: {e}") from e
    log(f"built {tag}")


def _ensure_debootstrap(log: Log) -> None:
    if shutil.which("debootstrap"):
        return
    log("debootstrap is missing: installing it with apt-get")
    _run(["apt-get", "update", "-q"], "apt-get update")
    _run(["apt-get", "install", "-y", "-q", "--no-install-recommends", "debootstrap"], "apt-get install debootstrap")


def _run(argv: list[str], what: str) -> None:
    result = subprocess.run(argv, capture_output=True, text=True, errors="replace", check=False)
    if result.returncode != 0:
        tail = (result.stderr or result.stdout).strip().splitlines()[-15:]
        raise SandboxError(f"{what} failed (exit {result.returncode}):\n" + "\n".join(tail))


def _empty_dir(path: Path) -> None:
    if not path.is_dir():
        return
    for child in path.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()


def _fingerprint(client: docker.DockerClient, base: str) -> str:
    try:
        base_id = client.images.get(base).id
    except docker.errors.ImageNotFound:
        base_id = base  # a registry image not pulled yet: the build pulls it; its name stands in for its id
    digest = hashlib.sha256(dockerfile_path().read_bytes())
    digest.update(str(base_id).encode())
    return digest.hexdigest()[:32]


def _prune_replaced(client: docker.DockerClient) -> None:
    """Drop sandbox images that rebuilds left untagged; one still used by a running sandbox stays until next time."""
    with contextlib.suppress(docker.errors.APIError):
        client.images.prune(filters={"dangling": True, "label": FINGERPRINT_LABEL})


def _build_log_tail(error: Exception) -> str:
    """The error, then the last 15 lines the build printed."""
    entries = getattr(error, "build_log", None) or []
    printed = [str(e["stream"]).rstrip() for e in entries if isinstance(e, dict) and e.get("stream")]
    return "\n".join([str(error), *printed[-15:]])
