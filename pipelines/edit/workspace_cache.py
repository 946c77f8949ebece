"""What the Workspaces of one sandbox remember of file contents, so a tool call does not fetch a file again.

Each `get_file`/`put_files` on a Docker sandbox is an engine round trip (30–60 ms); the edit tools read a file,
then write it, then the model views it again. `FileCache` keeps the bytes a Workspace read or wrote, keyed by
their path in the sandbox workspace, and must never serve content that is not what the sandbox holds:

- one cache per sandbox (`for_sandbox`), shared by every Workspace on it, so one Workspace's write or command is
  seen by the others; a new Workspace clears it (files may have been put in directly before it was made);
- a command that may change files (`command()`: the bash tool, `restore`) clears it before and after, and while
  one runs nothing is served or stored; a read is stored only if no command started or ended during it;
- a write of a path drops the other entries, unless the last walk of the repo (`observe`) listed both and found
  no symlink or hard link there: otherwise a write through a link could change another path;
- a walk also checks the entries against what it found (a missing file, another hash) and clears the cache on a
  mismatch: a change made behind the Workspaces' backs is not served.

Code that changes a sandbox's files other than through a Workspace while one is in use calls `forget()`.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

MAX_ENTRY_BYTES = 4 * 1024 * 1024
"""Files larger than this are not kept (a data file viewed once should not sit in memory)."""
MAX_TOTAL_BYTES = 64 * 1024 * 1024

_CACHES: weakref.WeakKeyDictionary[object, FileCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def for_sandbox(sandbox: object) -> FileCache:
    """The cache shared by every Workspace on `sandbox`."""
    with _CACHES_LOCK:
        cache = _CACHES.get(sandbox)
        if cache is None:
            cache = _CACHES[sandbox] = FileCache()
        return cache


class FileCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._files: dict[str, bytes] = {}
        self._plain: frozenset[str] = frozenset()
        """Paths the last walk listed in a repo free of symlinks and hard links (a write there changes only itself)."""
        self._generation = 0
        self._running = 0

    def get(self, key: str) -> bytes | None:
        with self._lock:
            return None if self._running else self._files.get(key)

    def token(self) -> int:
        """Taken before reading or writing the sandbox; `store` keeps the result only if it is still current."""
        with self._lock:
            return self._generation

    def store(self, key: str, data: bytes, token: int) -> None:
        with self._lock:
            if token != self._generation or self._running or len(data) > MAX_ENTRY_BYTES:
                return
            if sum(map(len, self._files.values())) + len(data) > MAX_TOTAL_BYTES:
                self._files.clear()
            self._files[key] = data

    def before_write(self, key: str) -> int:
        """Call before writing `key`; returns the token for `store`ing what was written."""
        with self._lock:
            if key in self._plain:
                self._files = {k: v for k, v in self._files.items() if k in self._plain and k != key}
            else:
                self._files.clear()
                self._plain = frozenset()
            return self._generation

    @contextmanager
    def command(self) -> Iterator[None]:
        """Held while something that may change any file runs in the sandbox."""
        with self._lock:
            self._running += 1
            self._reset()
        try:
            yield
        finally:
            with self._lock:
                self._running -= 1
                self._reset()

    def observe(self, prefix: str, listing: Mapping[str, str], hashed: bool, plain: bool, token: int) -> None:
        """What a walk of the paths under `prefix` ('' for the whole workspace) found: `listing` maps each file's
        path in the sandbox to its sha256 (when `hashed`); `plain` when no symlink or hard link was there."""
        with self._lock:
            if token != self._generation or self._running:
                return
            for key, data in self._files.items():
                if not key.startswith(prefix):
                    continue
                if key not in listing or (hashed and hashlib.sha256(data).hexdigest() != listing[key]):
                    self._reset()
                    return
            self._plain = frozenset(listing) if plain else frozenset()

    def forget(self) -> None:
        """Drop everything (the sandbox's files were changed some other way)."""
        with self._lock:
            self._reset()

    def _reset(self) -> None:
        self._generation += 1
        self._files.clear()
        self._plain = frozenset()
