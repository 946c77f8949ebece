"""The agent's copy of the repository inside a sandbox.

`Workspace` speaks only the `Sandbox` protocol (`execute`, `put_files`, `get_file`), so it works the same on
every backend. Paths given to it are repo-relative POSIX paths; anything that would leave the repo root is a
`ValueError` naming the path. Files are read and written as UTF-8 bytes with no newline translation, so a CRLF
file stays CRLF.

Besides reading and writing, it keeps a *checkpoint*: a copy of the repo beside it in the sandbox that
`checkpoint()` brings up to date (copying only files that changed) and `restore()` puts back. The bash tool
uses it to undo what a command did to files the agent may not edit.

File contents a Workspace read or wrote are remembered (`pipelines.edit.workspace_cache`, shared by the Workspaces of
one sandbox) until a command may have changed them: reading a file again costs no sandbox round trip. Code that
changes the sandbox's files other than through a Workspace while one is in use must call `forget()`.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Iterable, Sequence

from pipelines.config import matches_globs
from pipelines.edit import workspace_cache
from sandbox.base import ExecResult, Sandbox, SandboxError

SKIPPED_DIRS = (
    ".git",
    "__pycache__",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".hypothesis",
    ".venv",
    ".perfbot",
    ".perfbot-edit",
)
"""Directories never listed, hashed, checkpointed or reverted: VCS data, caches, perfbot's runs and checkpoints."""

_SNAPSHOT_LIMIT = 64 * 1024 * 1024
CHECKPOINT_MAX_FILE = 16 * 1024 * 1024
"""Bytes above which a file is not copied into the checkpoint (a change to it cannot be undone, only reported)."""
_FS_TIMEOUT = 120.0

# One walk of the repo, run inside the sandbox with its own python. Prints {"files": {path: sha256}, "plain": bool}
# as JSON ({path: ""} when argv[3] is "list"); "plain" when no symlink or hard link is in the repo (nor above it).
# With argv[5] (a checkpoint dir) it also mirrors the repo there, copying only files
# whose hash changed since the last checkpoint: one full copy the first time, almost nothing afterwards.
# Files over argv[4] bytes are listed in the manifest but not copied.
_WALK = r"""
import hashlib, json, os, shutil, stat, sys
root, skip, hashing = sys.argv[1], set(json.loads(sys.argv[2])), sys.argv[3] == "hash"
CAP = int(sys.argv[4])
mirror = sys.argv[5] if len(sys.argv) > 5 else None
def digest(p):
    if not hashing:
        return ""
    if os.path.islink(p):
        return "link:" + os.readlink(p)
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()
out = {}
plain = os.path.realpath(root) == os.path.abspath(root)  # os.getcwd() is already physical
for d, dirs, files in os.walk(root):
    dirs[:] = [x for x in dirs if x not in skip and not x.endswith(".egg-info")]
    plain = plain and not any(os.path.islink(os.path.join(d, x)) for x in dirs)
    for name in files:
        p = os.path.join(d, name)
        try:
            st = os.lstat(p)
            plain = plain and not stat.S_ISLNK(st.st_mode) and st.st_nlink == 1
            out[os.path.relpath(p, root).replace(os.sep, "/")] = digest(p)
        except OSError:
            plain = False
            continue
if mirror is not None:
    manifest = os.path.join(mirror, ".manifest.json")
    try:
        old = json.load(open(manifest))
    except (OSError, ValueError):
        old = {}
    files_dir = os.path.join(mirror, "files")
    for rel in set(old) - set(out):
        try:
            os.remove(os.path.join(files_dir, rel))
        except OSError:
            pass
    for rel, h in out.items():
        if old.get(rel) != h:
            src, dst = os.path.join(root, rel), os.path.join(files_dir, rel)
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            if os.path.lexists(dst):
                os.remove(dst)
            if os.path.islink(src) or os.path.getsize(src) <= CAP:
                shutil.copy2(src, dst, follow_symlinks=False)
    os.makedirs(mirror, exist_ok=True)
    json.dump(out, open(manifest, "w"))
print(json.dumps({"files": out, "plain": plain}))
"""

# Puts listed paths back from the checkpoint (argv[3]: JSON list); paths the checkpoint lacks are removed.
# Files too big to have been copied are left alone (the caller sees they were not restored), as is any path
# that cannot be put back (e.g. the command made a directory of it); one failure does not stop the others.
_RESTORE = r"""
import json, os, shutil, sys
root, mirror = sys.argv[1], sys.argv[2]
try:
    manifest = json.load(open(os.path.join(mirror, ".manifest.json")))
except (OSError, ValueError):
    sys.exit("the checkpoint is gone")
for rel in json.loads(sys.argv[3]):
    src, dst = os.path.join(mirror, "files", rel), os.path.join(root, rel)
    if rel in manifest and not os.path.lexists(src):
        continue
    try:
        if os.path.isdir(dst) and not os.path.islink(dst):
            shutil.rmtree(dst)
        elif os.path.lexists(dst):
            os.remove(dst)
        if os.path.lexists(src):
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            shutil.copy2(src, dst, follow_symlinks=False)
    except OSError as e:
        print(rel, e)
"""


class Workspace:
    """The agent's copy of the repo inside a Sandbox, at `root` relative to the sandbox workspace."""

    def __init__(self, sandbox: Sandbox, *, root: str = "repo", target_globs: Sequence[str]) -> None:
        if not target_globs:
            raise ValueError("a workspace needs at least one target glob (target.files)")
        self.sandbox = sandbox
        self.root = root.strip("/") or "."
        self.target_globs = tuple(target_globs)
        self._checkpoint_dir = posixpath.join(".perfbot-edit", "checkpoint", self.root.replace("/", "_"))
        self._cache = workspace_cache.for_sandbox(sandbox)
        self._cache.forget()  # files may have been put into the sandbox directly before this Workspace existed

    def normalize(self, path: str) -> str:
        """The canonical repo-relative form of `path` (`./a//b.py` → `a/b.py`). An absolute path inside the
        repo as the sandbox sees it is accepted; one that leaves the repo raises ValueError."""
        raw = path.strip()
        prefix = posixpath.join(self.sandbox.workspace, self.root) + "/"
        if raw.startswith(prefix):
            raw = raw[len(prefix) :]
        if not raw or raw.startswith("/"):
            raise ValueError(f"{path!r} is not a path relative to the repo root (e.g. 'src/module.py')")
        norm = posixpath.normpath(raw)
        if norm == "." or norm == ".." or norm.startswith("../"):
            raise ValueError(f"{path!r} is outside the repo")
        return norm

    def read_text(self, path: str) -> str:
        """The file's text, decoded as UTF-8 exactly (no newline translation). FileNotFoundError if missing;
        UnicodeDecodeError if it is not UTF-8 text."""
        return self._read(self.normalize(path)).decode("utf-8")

    def write_text(self, path: str, text: str) -> None:
        rel = self.normalize(path)
        key, data = self._in_sandbox(rel), text.encode("utf-8")
        token = self._cache.before_write(key)
        self.sandbox.put_files({key: data})
        if _cacheable(rel):
            self._cache.store(key, data, token)

    def exists(self, path: str) -> bool:
        """True when a regular file (not a directory) is at `path`."""
        try:
            self._read(self.normalize(path))
        except (FileNotFoundError, ValueError):
            return False
        return True

    def forget(self) -> None:
        """Forget remembered file contents: the sandbox's files were changed other than through a Workspace."""
        self._cache.forget()

    def is_target(self, path: str) -> bool:
        """True when `path` matches one of the target globs (`*` within a directory, `**` across them)."""
        try:
            rel = self.normalize(path)
        except ValueError:
            return False
        return matches_globs(rel, self.target_globs)

    def target_paths(self) -> list[str]:
        """The existing files that match the target globs, sorted."""
        return [path for path in self.paths() if self.is_target(path)]

    def paths(self) -> list[str]:
        """Every file of the repo (skipping `SKIPPED_DIRS`), sorted; cheaper than `snapshot` (nothing is hashed)."""
        return sorted(self._walk(hashing=False))

    def snapshot(self) -> dict[str, str]:
        """Repo-relative path → sha256 of every file, skipping `SKIPPED_DIRS` (one sandbox command)."""
        return self._walk()

    def checkpoint(self) -> dict[str, str]:
        """Like `snapshot`, and also records the current content of every file so `restore` can put it back."""
        return self._walk(self._checkpoint_dir)

    def read_checkpoint(self, path: str) -> str:
        """A file's text at the last `checkpoint`; FileNotFoundError if it had none then."""
        data = self.sandbox.get_file(posixpath.join(self._checkpoint_dir, "files", self.normalize(path)))
        return data.decode("utf-8")

    def restore(self, paths: Iterable[str]) -> None:
        """Put `paths` back as they were at the last `checkpoint`; a path that did not exist then is removed.
        Best effort: what cannot be put back (a file too big to checkpoint, a checkpoint the command deleted)
        stays as it is — compare a `snapshot` afterwards to know."""
        rels = [self.normalize(p) for p in paths]
        if not rels:
            return
        with self._cache.command():
            self._python(_RESTORE, self.root, self._checkpoint_dir, json.dumps(rels))

    def run(self, command: str, timeout: float) -> ExecResult:
        """Run `command` through `sh -c` with the repo root as working directory, inside the sandbox."""
        with self._cache.command():
            return self.sandbox.execute(command, timeout, cwd=self.root)

    def _walk(self, mirror: str | None = None, hashing: bool = True) -> dict[str, str]:
        mode = "hash" if hashing else "list"
        args = [self.root, json.dumps(SKIPPED_DIRS), mode, str(CHECKPOINT_MAX_FILE)] + ([mirror] if mirror else [])
        token = self._cache.token()
        result = self._python(_WALK, *args)
        if not result.ok or result.truncated:
            raise SandboxError(f"listing the workspace failed: {result.output.strip()[-500:]}")
        walked = json.loads(result.output)
        listing: dict[str, str] = walked["files"]
        prefix = "" if self.root == "." else self.root + "/"
        in_sandbox = {prefix + rel: digest for rel, digest in listing.items()}
        self._cache.observe(prefix, in_sandbox, hashing, bool(walked["plain"]), token)
        return listing

    def _read(self, rel: str) -> bytes:
        key = self._in_sandbox(rel)
        data = self._cache.get(key)
        if data is not None:
            return data
        token = self._cache.token()
        try:
            data = self.sandbox.get_file(key)
        except (IsADirectoryError, NotADirectoryError) as e:
            raise FileNotFoundError(f"{rel} is not a file") from e
        if _cacheable(rel):
            self._cache.store(key, data, token)
        return data

    def _python(self, script: str, *args: str) -> ExecResult:
        return self.sandbox.execute(["python3", "-c", script, *args], _FS_TIMEOUT, max_output=_SNAPSHOT_LIMIT)

    def _in_sandbox(self, rel: str) -> str:
        return rel if self.root == "." else posixpath.join(self.root, rel)


def _cacheable(rel: str) -> bool:
    """Only files a walk lists are remembered (a walk can check them; the checkpoint is never among them)."""
    return not any(part in SKIPPED_DIRS or part.endswith(".egg-info") for part in rel.split("/"))
