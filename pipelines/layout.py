"""What a repository looks like to perfbot: where its code is imported from (a `src/` layout or the root), which
packages and modules it has, and how its tests run.

`import_paths(repo, config)` is the one answer to "what goes first on sys.path" for the benchmark, the output
check, the profiler and the tests: `benchmark.pythonpath` when set, else `src` when the repository has one, else the
root. Paths are repository-relative, '' being the root (the judge resolves them in each version's own copy).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pipelines.config import Config

SKIPPED = {".git", ".venv", "venv", "env", "node_modules", "build", "dist", ".perfbot", ".tox", ".nox", "__pycache__"}
TEST_DIRS = ("tests", "test", "testing")
_NOT_CODE = ("setup.py", "conftest.py", "noxfile.py", "tasks.py", "manage.py")


def default_pythonpath(repo: Path) -> list[str]:
    """`src` when the repository has a src/ directory, else the root ('')."""
    return ["src"] if (repo / "src").is_dir() else [""]


def import_paths(repo: Path, config: Config) -> list[str]:
    """The directories put first on sys.path, repository-relative ('' is the root)."""
    return list(config.benchmark.pythonpath or default_pythonpath(repo))


def module_name(path: str, roots: list[str]) -> str | None:
    """The dotted module a repository file is imported as under `roots` ('src/pkg/mod.py' -> 'pkg.mod'), or None."""
    if not path.endswith(".py"):
        return None
    for root in roots:
        prefix = f"{root}/" if root else ""
        if path.startswith(prefix):
            parts = path[len(prefix) : -3].split("/")
            if parts[-1] == "__init__":
                parts = parts[:-1]
            if parts and all(part.isidentifier() for part in parts):
                return ".".join(parts)
    return None


def module_files(module: str, roots: list[str]) -> list[str]:
    """The repository files `module` could be under `roots` (a module file or a package's __init__.py)."""
    rel = module.replace(".", "/")
    found = []
    for root in roots:
        prefix = f"{root}/" if root else ""
        found += [f"{prefix}{rel}.py", f"{prefix}{rel}/__init__.py"]
    return found


def code_files(repo: Path, roots: list[str]) -> list[str]:
    """The repository's own Python files under `roots`, outside tests and tooling, sorted."""
    found = set()
    for root in roots:
        base = repo / root if root else repo
        for path in base.rglob("*.py") if base.is_dir() else []:
            rel = path.relative_to(repo)
            folders = set(rel.parts[:-1])
            if folders & SKIPPED or folders & set(TEST_DIRS) or _is_tooling(rel.name):
                continue
            found.add(rel.as_posix())
    return sorted(found)


def packages(repo: Path, roots: list[str]) -> list[str]:
    """Top-level importable names under `roots` (packages with an __init__.py, and modules)."""
    names = set()
    for rel in code_files(repo, roots):
        name = module_name(rel, roots)
        if name:
            names.add(name.split(".")[0])
    return sorted(names)


def command_for_tests(repo: Path) -> str:
    """`python -m pytest -q` when the repository uses pytest (or has tests at all), else unittest discovery."""
    pytest_config = (repo / "pytest.ini").is_file() or (repo / "conftest.py").is_file()
    pyproject = repo / "pyproject.toml"
    if pyproject.is_file():
        try:
            tool = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {})
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            tool = {}
        pytest_config = pytest_config or "pytest" in tool
    if pytest_config or any((repo / d).is_dir() for d in TEST_DIRS) or any(repo.glob("test_*.py")):
        return "python -m pytest -q"
    return "python -m unittest discover -q"


def _is_tooling(name: str) -> bool:
    return name in _NOT_CODE or name.startswith(("test_", "bench_", "perfbot_")) or name.endswith("_test.py")
