"""Which image a run's sandboxes start from: `sandbox.image` (default perfbot's sandbox image), with the repository's
dependencies (`sandbox.install`) layered on it when there are any (sandbox/deps_image.py).

`with_sandbox_image(repo, config, kind)` resolves it once per run and returns the config carrying it (`run_image`),
which every `open_sandbox` of the run passes on: the benchmark sandbox, each agent's, the profiler's. A local
sandbox uses this machine's Python as it is and installs nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from pipelines.config import Config
from pipelines.dependencies import requirements
from pipelines.errors import ConfigError
from sandbox.deps_image import InstallError, ensure_deps_image
from sandbox.images import sandbox_image_name

Say = Callable[[str], None]


def with_sandbox_image(repo: Path, config: Config, kind: str | None, say: Say = lambda _: None) -> Config:
    """`config` with `run_image` set (unchanged when it already is, or for a local sandbox). Builds the dependency
    image when none with the same key exists; ConfigError naming the package when its install fails."""
    if config.run_image or kind == "local":
        return config
    base = config.sandbox.image or sandbox_image_name()
    wanted = requirements(repo, config.sandbox.install, config.source)
    if wanted is None:
        return config.model_copy(update={"run_image": base})
    from sandbox.docker import connect

    started = time.monotonic()
    try:
        image = ensure_deps_image(connect(), base, wanted, log=say)
    except InstallError as e:
        raise ConfigError(f"{config.source}: sandbox.install: {e}{_fix(e.package)}") from e
    took = time.monotonic() - started
    say(f"dependency image {image.tag}: {'built' if image.built else 'reused'} in {took:.1f} s")
    return config.model_copy(update={"run_image": image.tag})


def _fix(package: str | None) -> str:
    named = f"'{package}'" if package else "the failing requirement"
    return (
        f"\nfix: correct or remove {named} in sandbox.install (or in the requirements file that lists it); for a "
        "private index set PIP_INDEX_URL; or name an image that already has the dependencies in sandbox.image and "
        "set sandbox.install: none"
    )
