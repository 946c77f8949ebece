"""A perfbot job's artifacts: streamed from GitLab to a temporary file (never more than `MAX_ARTIFACTS_BYTES`), then
the run directory in them extracted, or the reason a failed job's report gives read out.

Only perfbot's own jobs are fetched: the final job (`perfbot-gather`) for a run to publish, a failed perfbot job
for its reason. An archive is refused when it is larger than the cap, expands to more than `MAX_EXTRACTED_BYTES`,
or is not a zip; a member whose path would leave the target directory is skipped.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import IO

from bot.forge import Forge, PublishError
from bot.retry import Retry
from pipelines.runfiles import REPORT_FILE, REQUEST_FILE

MAX_ARTIFACTS_BYTES = 200 * 1024 * 1024
MAX_EXTRACTED_BYTES = 1024 * 1024 * 1024
MAX_REASON_CHARS = 2000


def fetch_run(forge: Forge, retry: Retry, project_id: int, job_id: int, into: Path) -> Path | None:
    """The run directory (request.json beside report.json) of the job's artifacts, extracted under `into`; None
    when the job has no artifacts or no run among them."""
    with tempfile.TemporaryFile(prefix="perfbot-artifacts-") as file:
        if not _download(forge, retry, project_id, job_id, file):
            return None
        archive = _open(file, job_id)
        top = _run_top(archive.namelist())
        if top is None:
            return None
        prefix = "" if top == "." else f"{top}/"
        for name in archive.namelist():
            rel = PurePosixPath(name[len(prefix) :])
            if name.startswith(prefix) and not name.endswith("/") and ".." not in rel.parts and not rel.is_absolute():
                target = into / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(name))
        return into


def failure_reason(forge: Forge, retry: Retry, project_id: int, job_id: int) -> str | None:
    """The `error.message` of the report the failed job left (its own run's, or its shard's), if it left one."""
    with tempfile.TemporaryFile(prefix="perfbot-artifacts-") as file:
        if not _download(forge, retry, project_id, job_id, file):
            return None
        archive = _open(file, job_id)
        reports = sorted((n for n in archive.namelist() if PurePosixPath(n).name == REPORT_FILE), key=len)
        for name in reports:
            try:
                error = json.loads(archive.read(name)).get("error")
            except (ValueError, AttributeError):
                continue
            if isinstance(error, dict) and error.get("message"):
                return str(error["message"])[:MAX_REASON_CHARS]
    return None


def _download(forge: Forge, retry: Retry, project_id: int, job_id: int, file: IO[bytes]) -> bool:
    def attempt() -> bool:
        file.seek(0)
        file.truncate()
        return forge.job_artifacts(project_id, job_id, file, MAX_ARTIFACTS_BYTES)

    return retry.read(attempt)


def _open(file: IO[bytes], job_id: int) -> zipfile.ZipFile:
    file.seek(0)
    try:
        archive = zipfile.ZipFile(file)
    except zipfile.BadZipFile as e:
        raise PublishError(f"the artifacts of job {job_id} are not a zip archive: {e}") from e
    if sum(info.file_size for info in archive.infolist()) > MAX_EXTRACTED_BYTES:
        raise PublishError(f"the artifacts of job {job_id} expand to more than {MAX_EXTRACTED_BYTES} bytes")
    return archive


def _run_top(names: list[str]) -> str | None:
    """The shallowest directory holding both request.json and report.json ("." for the archive's root)."""
    found = (PurePosixPath(n).parent for n in names if PurePosixPath(n).name == REQUEST_FILE)
    tops = sorted(found, key=lambda p: len(p.parts))
    for top in tops:
        if str(top / REPORT_FILE) in names or (str(top) == "." and REPORT_FILE in names):
            return str(top)
    return None
