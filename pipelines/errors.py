"""The exception family of the optimization workflow.

    PerfbotError                 base of everything perfbot raises on purpose
    ├── UsageError               bad command-line usage (exit code 2)
    ├── ConfigError              a bad `.perfbot.yml` / `[tool.perfbot]` (exit code 2)
    │   └── PreflightError       the checks before a run found problems (pipelines/preflight/); `findings` lists them
    ├── EvaluationError          the evaluation could not be carried out (e.g. the baseline fails its tests)
    │   └── BaselineError        the baseline itself fails (its tests, or the benchmark on it)
    ├── RunFilesError            a run's artifacts directory is missing a file or holds a malformed one
    └── StorageError             the disk is full (or too full to start): nothing half-written is left behind

Messages are written for the person (or model) who has to act on them: they name the file, the key
and what was expected.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipelines.evaluate.results import TestsResult


class PerfbotError(Exception):
    """Base class; `exit_code` is what the CLI exits with when this escapes a command."""

    exit_code = 1


class UsageError(PerfbotError):
    exit_code = 2


class ConfigError(PerfbotError):
    exit_code = 2


class PreflightError(ConfigError):
    """The checks before a run found problems; `findings` are their JSON form (file, key, problem, fix, level)."""

    def __init__(self, message: str, findings: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.findings = findings


class EvaluationError(PerfbotError):
    exit_code = 1


class BaselineError(EvaluationError):
    """The baseline cannot be measured; `tests` is its tests' result (failed, or passed when the benchmark or its
    inputs are what failed), for the report to show which test failed and what it printed."""

    def __init__(self, message: str, tests: TestsResult) -> None:
        super().__init__(message)
        self.tests = tests


class RunFilesError(PerfbotError):
    """A run's artifacts directory cannot be used as it stands (pipelines/runfiles.py): the text names the file."""


class StorageError(PerfbotError):
    """A run's files cannot be written: the disk holding them is full, or too full to start a run. The text names
    the file or directory and what to do; files being written are removed, never left cut."""


def storage_error(path: object, error: OSError) -> StorageError:
    """The `StorageError` for a failed write of `path`."""
    return StorageError(
        f"cannot write {path}: {error.strerror or error} (the disk holding it is full?): free some space or "
        "pass --out DIR on another disk, and run perfbot again"
    )
