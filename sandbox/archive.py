"""Tar archives in and out of a container's workspace, owned by the sandbox user, never held whole in memory
beyond a small spool, and never extracted outside where they belong."""

from __future__ import annotations

import posixpath
import tarfile
import tempfile
import time
from collections.abc import Iterable, Mapping
from io import BytesIO
from pathlib import Path
from typing import IO

from sandbox.base import SandboxError

SPOOL_BYTES = 16 * 1024 * 1024
MAX_FILE_BYTES = 512 * 1024 * 1024
"""The largest single file `get_file` brings back."""
IGNORED = frozenset({".git", "__pycache__", ".perfbot", ".venv", ".pytest_cache", ".mypy_cache"})


def relative(path: str) -> str:
    """`path` normalised relative to the workspace ('' for the workspace itself); refuses escapes and absolute paths."""
    clean = posixpath.normpath(path.replace("\\", "/")) if path else "."
    if clean.startswith("/") or clean == ".." or clean.startswith("../"):
        raise SandboxError(f"{path!r} is outside the workspace")
    return "" if clean == "." else clean


def files_archive(files: Mapping[str, bytes], uid: int) -> BytesIO:
    """An in-memory tar of `files` (paths relative to the workspace) with their parent directories, owned by `uid`."""
    buffer = BytesIO()
    now = time.time()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for directory in _parents(relative(rel) for rel in files):
            tar.addfile(_info(directory, uid, now, tarfile.DIRTYPE, 0o755))
        for rel, data in files.items():
            if not relative(rel):
                raise SandboxError(f"{rel!r} names the workspace itself, not a file in it")
            info = _info(relative(rel), uid, now, tarfile.REGTYPE, 0o644)
            info.size = len(data)
            tar.addfile(info, BytesIO(data))
    buffer.seek(0)
    return buffer


def dir_archive(source: Path, dest: str, uid: int) -> IO[bytes]:
    """A spooled tar of the host directory `source` placed at `dest` (relative to the workspace), skipping
    version-control and cache directories, owned by `uid` and writable by nobody else. The caller closes it."""
    if not source.is_dir():
        raise SandboxError(f"{source} is not a directory")
    dest = relative(dest)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 (the caller closes it)
    now = time.time()

    def owned(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
        if IGNORED.intersection(Path(info.name).parts):
            return None
        info.uid = info.gid = uid
        info.uname = info.gname = ""
        info.mode &= 0o755
        return info

    with tarfile.open(fileobj=spool, mode="w") as tar:
        for directory in _parents([posixpath.join(dest, "x")] if dest else []):
            tar.addfile(_info(directory, uid, now, tarfile.DIRTYPE, 0o755))
        for child in sorted(source.iterdir()):
            tar.add(child, arcname=posixpath.join(dest, child.name), filter=owned)
    spool.seek(0)
    return spool


def single_file(chunks: Iterable[bytes], name: str) -> bytes:
    """The content of the one regular file in the tar stream `chunks` (what the engine's archive endpoint returns)."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
        size = 0
        for chunk in chunks:
            size += len(chunk)
            if size > MAX_FILE_BYTES + 1024 * 1024:
                raise SandboxError(f"{name} is larger than {MAX_FILE_BYTES} bytes")
            spool.write(chunk)
        spool.seek(0)
        with tarfile.open(fileobj=spool, mode="r") as tar:
            member = tar.next()
            if member is not None and member.isdir():
                raise IsADirectoryError(f"{name} is a directory")
            if member is None or not member.isfile():
                raise SandboxError(f"{name} is not a regular file")
            extracted = tar.extractfile(member)
            assert extracted is not None
            with extracted:
                return extracted.read()


def _parents(paths: Iterable[str]) -> list[str]:
    found: set[str] = set()
    for path in paths:
        parent = posixpath.dirname(path)
        while parent and parent not in found:
            found.add(parent)
            parent = posixpath.dirname(parent)
    return sorted(found, key=lambda p: p.count("/"))


def _info(name: str, uid: int, mtime: float, kind: bytes, mode: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.uid = info.gid = uid
    info.mtime = int(mtime)
    return info
