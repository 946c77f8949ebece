"""Writing a run's artifact files so that a reader never sees half of one."""

from __future__ import annotations

from pathlib import Path

from pipelines.errors import storage_error
from pipelines.storage import write_whole


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
