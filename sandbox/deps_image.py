"""A repository's dependencies in the sandbox, without network inside it: an image layered on the sandbox image.

The wheels are built on this host (`pip wheel`, which honours PIP_INDEX_URL and pip's other settings, so an
internal mirror works) into a wheelhouse that goes into the build context; the image build installs them with
`--no-index --no-deps` (the wheelhouse already holds the whole resolved set), with the image's own pip or, in the
offline Debian image, the pip wheel Debian ships. The image is tagged `perfbot/deps:<key>`, the key hashing the base
image's id, this recipe and the requirements (specifiers and the bytes of each requirements file), so a second run
with the same dependencies finds it and starts at once. Candidate code never has network: only this host's pip does.

    InstallError(SandboxError)    the wheelhouse or the install failed; `package` names the culprit when pip did
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import docker
import docker.errors

from sandbox.base import SandboxError
from sandbox.images import Log, build_image, image_exists, image_python, print_to_stderr

REPOSITORY = "perfbot/deps"
KEY_LABEL = "perfbot.deps.key"
RECIPE = "1"
"""Bump when the Dockerfile below changes meaning, so images built by the old recipe are not reused."""
DOCKERFILE = """\
FROM {base}
USER root
COPY wheelhouse/ /tmp/perfbot-wheelhouse/
RUN set -eu; \\
    if python3 -m pip --version >/dev/null 2>&1; then pip="python3 -m pip"; \\
    else wheel=$(ls /usr/share/python-wheels/pip-*.whl 2>/dev/null | head -n 1); \\
      if [ -z "$wheel" ]; then echo "perfbot: this image has no pip to install the wheelhouse with"; exit 3; fi; \\
      pip="python3 $wheel/pip"; fi; \\
    PIP_BREAK_SYSTEM_PACKAGES=1 $pip install --no-index --no-deps --no-cache-dir --disable-pip-version-check \\
      /tmp/perfbot-wheelhouse/*.whl; \\
    rm -rf /tmp/perfbot-wheelhouse
USER 1000:1000
"""
_NO_MATCH = re.compile(r"No matching distribution found for ([^\s;]+)")
_FAILED_BUILD = re.compile(r"Failed (?:to build|building wheel for) ([^\s;]+)")
_UNSUPPORTED = re.compile(r"([A-Za-z0-9_.]+)-[^\s/]*\.whl is not a supported wheel")


class InstallError(SandboxError):
    def __init__(self, message: str, package: str | None = None) -> None:
        super().__init__(message)
        self.package = package


@dataclass(frozen=True)
class Requirements:
    specifiers: tuple[str, ...] = ()
    """Requirement specifiers as pip takes them (`sortedcontainers>=2`)."""
    files: tuple[Path, ...] = ()
    """Requirements files on this host (`pip wheel -r FILE`)."""


@dataclass(frozen=True)
class DepsImage:
    tag: str
    built: bool
    """False when an image with the same key was already there."""


def ensure_deps_image(
    client: docker.DockerClient, base: str, requirements: Requirements, *, log: Log = print_to_stderr
) -> DepsImage:
    """The dependency image for `requirements` on `base`, built only when no image has its key."""
    key = deps_key(client, base, requirements)
    tag = f"{REPOSITORY}:{key}"
    if image_exists(client, tag):
        return DepsImage(tag, built=False)
    _warn_other_python(client, base, log)
    with tempfile.TemporaryDirectory(prefix="perfbot-deps-") as work:
        wheelhouse = Path(work) / "wheelhouse"
        log(f"building the dependencies' wheels on this host (pip wheel): {describe(requirements)}")
        pip_wheel(requirements, wheelhouse)
        dockerfile = Path(work) / "Dockerfile"
        dockerfile.write_text(DOCKERFILE.format(base=base), encoding="utf-8")
        log(f"installing {len(list(wheelhouse.glob('*.whl')))} wheel(s) into {tag} (on {base}, no network)")
        try:
            build_image(
                client, {"Dockerfile": dockerfile, "wheelhouse": wheelhouse}, tag=tag, what=tag, labels={KEY_LABEL: key}
            )
        except SandboxError as e:
            raise InstallError(f"installing the wheelhouse into {tag} failed: {e}", _culprit(str(e))) from e
    return DepsImage(tag, built=True)


def deps_key(client: docker.DockerClient, base: str, requirements: Requirements) -> str:
    try:
        base_id = str(client.images.get(base).id)
    except docker.errors.ImageNotFound as e:
        raise SandboxError(f"the sandbox image {base} is missing: build it with `perfbot sandbox build`") from e
    digest = hashlib.sha256(f"{RECIPE}\n{base_id}\n".encode())
    for spec in requirements.specifiers:
        digest.update(f"spec {spec}\n".encode())
    for path in requirements.files:
        digest.update(f"file {path.name}\n".encode() + path.read_bytes())
    return digest.hexdigest()[:16]


def pip_wheel(requirements: Requirements, wheelhouse: Path) -> None:
    """`pip wheel` of everything into `wheelhouse`, with this interpreter's pip; InstallError naming the package."""
    argv = [sys.executable, "-m", "pip", "wheel", "--disable-pip-version-check", "--wheel-dir", str(wheelhouse)]
    for path in requirements.files:
        argv += ["--requirement", str(path)]
    argv += list(requirements.specifiers)
    result = subprocess.run(argv, capture_output=True, text=True, errors="replace", check=False)
    if result.returncode != 0:
        output = f"{result.stdout}\n{result.stderr}"
        package = _culprit(output)
        what = f"'{package}' could not be built or found" if package else "pip wheel failed"
        tail = "\n".join(output.strip().splitlines()[-8:])
        raise InstallError(
            f"building the dependencies' wheels on this host failed: {what} (package index: PIP_INDEX_URL, else "
            f"PyPI):\n{tail}",
            package,
        )


def describe(requirements: Requirements) -> str:
    parts = [f"-r {path.name}" for path in requirements.files] + list(requirements.specifiers)
    return " ".join(parts) or "nothing"


def _culprit(output: str) -> str | None:
    for pattern in (_NO_MATCH, _FAILED_BUILD, _UNSUPPORTED):
        found = pattern.findall(output)
        if found:
            return str(found[-1]).strip("'\"")
    return None


def _warn_other_python(client: docker.DockerClient, base: str, log: Log) -> None:
    inside = image_python(client, base)
    here = "{}.{}".format(*sys.version_info[:2])
    if inside != here:
        log(
            f"note: {base} has Python {inside} and this host {here}: pure-Python wheels fit both, compiled ones only "
            "fit this host's (the install then fails naming the package)"
        )
