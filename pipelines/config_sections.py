"""The `.perfbot.yml` sections about where code runs and what a model costs: `sandbox`, `agent.price`, and the
validation of `benchmark.pythonpath`. Part of the config (pipelines/config.py imports them); kept apart so each
file stays one screen of keys.

```yaml
sandbox:
  image: perfbot/sandbox:latest    # the image code runs in: yours needs python3 at /usr/bin/python3 and user 1000
  install:                         # the repository's dependencies, built into an image layered on `image`
    requirements: [requirements.txt]
    project: true                  # the dependencies of pyproject.toml / setup.py (never the project itself)
    extras: [test]
    packages: ["sortedcontainers>=2"]
agent:
  price: {input: 3, output: 15}    # USD per million tokens (cache_read, cache_write optional)
```
"""

from __future__ import annotations

import posixpath
from pathlib import PurePosixPath
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


class Section(BaseModel):
    """A config section: unknown keys are errors, values never change once read."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class InstallConfig(Section):
    """What goes into the dependency image: built on the host into a wheelhouse (`pip wheel`, honouring
    PIP_INDEX_URL), installed with `--no-index` into an image layered on `sandbox.image`."""

    requirements: list[str] = Field(default_factory=list)
    """Requirements files, relative to the repository root."""
    project: bool = False
    """The dependencies the project declares (pyproject.toml or setup.py); the project itself is never installed,
    so every version perfbot measures imports its own copy of the code."""
    extras: list[str] = Field(default_factory=list)
    """Optional-dependency groups of the project to include too (e.g. `test`); needs `project: true`."""
    packages: list[str] = Field(default_factory=list)
    """More requirement specifiers, as pip takes them (`sortedcontainers>=2`)."""

    @property
    def empty(self) -> bool:
        return not (self.requirements or self.project or self.packages)

    @field_validator("requirements")
    @classmethod
    def _relative_files(cls, value: list[str]) -> list[str]:
        return [repo_relative(path) for path in value]


class SandboxConfig(Section):
    image: str | None = None
    """The image candidate code runs in; None: perfbot's (`perfbot/sandbox:latest`, or PERFBOT_SANDBOX_IMAGE)."""
    install: InstallConfig = InstallConfig()

    @field_validator("install", mode="before")
    @classmethod
    def _none_is_nothing(cls, value: Any) -> Any:
        if value is None or value == "none":
            return {}
        if isinstance(value, str):
            raise ValueError(
                f"expected 'none' or a mapping with requirements, project, extras, packages; got {value!r}"
            )
        return value


class PriceConfig(Section):
    """USD per million tokens; cache reads default to a tenth of `input`, cache writes to 1.25 × `input`."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cache_read: float | None = Field(default=None, ge=0)
    cache_write: float | None = Field(default=None, ge=0)


def repo_relative(path: str) -> str:
    """`path` as a normalized POSIX path inside the repository ('' for its root); ValueError otherwise."""
    pure = PurePosixPath(path.strip())
    if pure.is_absolute() or ".." in pure.parts:
        raise ValueError(f"{path!r} is not a path inside the repository (relative, without '..')")
    normalized = posixpath.normpath(str(pure))
    return "" if normalized == "." else normalized


def pythonpath_entries(value: list[str] | None) -> list[str] | None:
    """`benchmark.pythonpath` normalized: repository-relative directories, '' for the root ('.' in the file)."""
    if value is None:
        return None
    if not value:
        raise ValueError("expected at least one directory (use [.] for the repository root)")
    return [repo_relative(entry) for entry in value]
