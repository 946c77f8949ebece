"""A repository's dependencies: what `sandbox.install` asks for, as pip requirements, and what `perfbot init` finds.

`requirements(repo, install)` turns the config into what pip on the host builds the wheelhouse from: requirements
files (read from `repo`, so a committed tree gives the committed files) and specifiers, the latter taken from
`sandbox.install.packages` and, with `project: true`, from the static `[project]` table of pyproject.toml (its
`dependencies` and the named `optional-dependencies`). The project itself is never installed: every version perfbot
measures must import its own copy of the code.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pipelines.config_sections import InstallConfig
from pipelines.errors import ConfigError
from sandbox.deps_image import Requirements

TEST_EXTRAS = ("test", "tests", "testing")
_REQUIREMENTS = re.compile(r"^(requirements|test-requirements|requirements[-_.].*)\.txt$")


def requirements(repo: Path, install: InstallConfig, source: str) -> Requirements | None:
    """What to build into the dependency image; None when `install` asks for nothing. ConfigError (naming `source`
    and the key) for a missing requirements file or a project whose dependencies are not declared statically."""
    if install.empty:
        return None
    files = []
    for name in install.requirements:
        path = repo / name
        if not path.is_file():
            raise ConfigError(
                f"{source}: sandbox.install.requirements: no file {name!r} in the repository as committed: "
                "fix the path, or commit the file"
            )
        files.append(path)
    specifiers = list(install.packages)
    if install.project:
        specifiers += project_dependencies(repo, install.extras, source)
    elif install.extras:
        raise ConfigError(f"{source}: sandbox.install.extras: extras need `project: true` (they are the project's)")
    return Requirements(specifiers=tuple(specifiers), files=tuple(files))


def project_dependencies(repo: Path, extras: list[str], source: str) -> list[str]:
    """The `[project]` dependencies of pyproject.toml, plus those of each of `extras`."""
    project = _project_table(repo)
    if project is None or "dependencies" in project.get("dynamic", []):
        raise ConfigError(
            f"{source}: sandbox.install.project: perfbot reads the dependencies from the [project] table of "
            "pyproject.toml, and this repository declares none there (a setup.py, or dynamic dependencies): list them "
            "in a requirements file under sandbox.install.requirements, or under sandbox.install.packages"
        )
    declared = project.get("optional-dependencies", {})
    unknown = [extra for extra in extras if extra not in declared]
    if unknown:
        known = ", ".join(declared) or "none"
        raise ConfigError(
            f"{source}: sandbox.install.extras: {unknown} not among the project's optional-dependencies ({known})"
        )
    found = list(project.get("dependencies", []))
    for extra in extras:
        found += declared[extra]
    return [str(spec) for spec in found]


def detect_install(repo: Path) -> InstallConfig:
    """What `perfbot init` proposes: the project's static dependencies (with its test extra) when pyproject.toml
    declares them, else the requirements files at the root."""
    project = _project_table(repo)
    if project is not None and "dependencies" not in project.get("dynamic", []):
        declared = project.get("optional-dependencies", {})
        extras = [extra for extra in TEST_EXTRAS if extra in declared]
        if project.get("dependencies") or extras:
            return InstallConfig(project=True, extras=extras)
    files = sorted(p.name for p in repo.iterdir() if p.is_file() and _REQUIREMENTS.match(p.name))
    return InstallConfig(requirements=files)


def _project_table(repo: Path) -> dict[str, Any] | None:
    path = repo / "pyproject.toml"
    if not path.is_file():
        return None
    try:
        project = tomllib.loads(path.read_text(encoding="utf-8")).get("project")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from e
    return project if isinstance(project, dict) else None
