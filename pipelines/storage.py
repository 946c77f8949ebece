"""Writing a run's files on a disk that may fill up: whole files or nothing, and the check that there is room.

check_free_space(out)                 # before a run starts: StorageError when the disk is nearly full
write_whole(out / "report.json", b)   # written to .report.json.partial, fsynced, renamed; nothing cut is left
write_files(out, {"report.md": text})  # several, each whole
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from pipelines.errors import StorageError, storage_error

MIN_FREE_MB = 64
"""Free space a run needs where it writes its artifacts (the trace grows with every model call); the environment
variable PERFBOT_MIN_FREE_MB overrides it."""


def write_whole(path: Path, data: bytes) -> None:
    """`data` in `path`, written to `.NAME.partial`, fsynced and renamed over `path`; never a cut or stray file."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        with open(partial, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(partial, path)
    except OSError as e:
        partial.unlink(missing_ok=True)
        raise storage_error(path, e) from e


def check_free_space(out_dir: Path) -> None:
    """Raise `StorageError` when the disk that will hold `out_dir` has less free space than a run needs."""
    need_mb = int(os.environ.get("PERFBOT_MIN_FREE_MB") or MIN_FREE_MB)
    existing = next(p for p in (out_dir, *out_dir.parents) if p.exists())
    free_mb = shutil.disk_usage(existing).free / 2**20
    if free_mb < need_mb:
        raise StorageError(
            f"only {free_mb:.1f} MiB free on the disk holding {out_dir}; a run needs {need_mb} MiB for its trace and "
            "report: free some space or pass --out DIR on another disk (PERFBOT_MIN_FREE_MB sets the minimum)"
        )


# Writing a run's artifact files so that a reader never sees half of one.


def write_files(out_dir: Path, contents: dict[str, str]) -> dict[str, Path]:
    """Write each `name: text` into `out_dir` via a temporary name, flushed to the disk, and a rename; returns the
    paths by name. A full disk raises `StorageError` and leaves no temporary file."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise storage_error(out_dir, e) from e
    paths = {}
    for name, text in contents.items():
        path = out_dir / name
        write_whole(path, text.encode("utf-8"))
        paths[name] = path
    return paths
