"""Writing a run's artifact files so that a reader never sees half of one."""

from __future__ import annotations

import os
from pathlib import Path


def write_files(out_dir: Path, contents: dict[str, str]) -> dict[str, Path]:
    """Write each `name: text` into `out_dir` via a temporary name and a rename; returns the paths by name."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, text in contents.items():
        path = out_dir / name
        partial = out_dir / f".{name}.partial"
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
        paths[name] = path
    return paths
