"""The run files: a finished run's artifacts directory as the CI job writes it and the publisher reads it.

    report.json     the run's results (DESIGN §3.4; required)
    request.json    who asked, where to reply, the commit the run measured, links (`write_run_files`)
    selected.json   the selected candidate's files in full, when a candidate was selected (`write_run_files`)

`load_run(dir)` reads and checks them; every problem is a `RunFilesError` naming the file and the key.

From its start a run directory holds a placeholder report.json (`"status": "running"`, with the process id) and
report.md saying so (`mark_running`); the run's real report replaces both when it ends, however it ends (finished,
failed, interrupted). A directory still saying "running" with no such process was killed (SIGKILL, power loss).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from pipelines.errors import RunFilesError
from pipelines.storage import write_whole

REQUEST_FILE = "request.json"
SELECTED_FILE = "selected.json"
REPORT_FILE = "report.json"


@dataclass(frozen=True)
class Origin:
    """Where a request came from; the reply goes there. `kind` None: nobody to reply to (a scheduled run).

    The bot fills every field from the webhook; a CI job knows the first four, from the `PERFBOT_*` variables."""

    kind: Literal["merge_request", "issue"] | None = None
    iid: int | None = None
    note_id: int | None = None
    requester: str | None = None
    requester_id: int | None = None
    project_id: int | None = None
    project_path: str | None = None
    project_url: str | None = None
    default_branch: str | None = None
    source_branch: str | None = None
    source_project_id: int | None = None


@dataclass(frozen=True)
class Request:
    request_id: str
    project_id: int | None = None
    base_sha: str | None = None
    target_branch: str | None = None
    target: str | None = None
    """What was asked for (`PATH[::SYMBOL]`), None for the configured target files."""
    origin: Origin = field(default_factory=Origin)
    pipeline_url: str | None = None
    report_url: str | None = None
    """Where the full report page can be opened (the job's browsable artifact)."""
    runner: str | None = None
    """The machine the run was measured on (in CI: the runner's description and tags)."""
    supersedes: int | None = None
    """The iid of an earlier perfbot merge request the one published for this run replaces."""

    def to_json(self) -> dict[str, Any]:
        data = {k: v for k, v in self.__dict__.items() if k != "origin"}
        return {**data, "origin": dict(self.origin.__dict__)}

    @classmethod
    def from_json(cls, data: Any, source: str) -> Request:
        if not isinstance(data, dict) or not isinstance(data.get("request_id"), str) or not data["request_id"]:
            raise RunFilesError(f"{source}: expected an object with a non-empty 'request_id'")
        origin = data.get("origin") or {}
        if not isinstance(origin, dict) or origin.get("kind") not in (None, "merge_request", "issue"):
            raise RunFilesError(f"{source}: origin.kind must be 'merge_request', 'issue' or null")
        known = set(cls.__dataclass_fields__) - {"origin"}
        return cls(
            **{k: v for k, v in data.items() if k in known},
            origin=Origin(**{k: v for k, v in origin.items() if k in Origin.__dataclass_fields__}),
        )


@dataclass(frozen=True)
class Run:
    directory: Path
    report: dict[str, Any]
    request: Request
    files: dict[str, str] | None
    """Repo-relative path -> full new text of the selected candidate's files; None when nothing was selected."""

    @property
    def selected(self) -> dict[str, Any] | None:
        return next((c for c in self.report["candidates"] if c["id"] == self.report.get("selected")), None)


def mark_running(out: Path, run_id: str, repo: Path) -> None:
    """The placeholder report of a run that has started; replaced by the real one when it ends."""
    started = time.strftime("%Y-%m-%d %H:%M:%S %Z")
    pid = os.getpid()
    write_json(
        out / REPORT_FILE,
        {"status": "running", "run_id": run_id, "repo": str(repo), "started_at": started, "pid": pid},
    )
    text = (
        f"## perfbot: run {run_id} is running\n\nStarted {started} by process {pid} on {repo}. This file is replaced "
        "by the run's report when it ends. If no such process is running, the run was killed before it could "
        "write one (SIGKILL, or the machine stopped).\n"
    )
    write_whole(out / "report.md", text.encode("utf-8"))


def load_run(directory: Path, request: Request | None = None) -> Run:
    """The run in `directory`; `request` (e.g. from the bot's hand-over) wins over request.json."""
    if not directory.is_dir():
        raise RunFilesError(f"{directory}: no such artifacts directory")
    report = _read_json(directory / REPORT_FILE)
    if report.get("status") == "running":
        raise RunFilesError(
            f"{directory / REPORT_FILE}: the run never finished (it still says running, started "
            f"{report.get('started_at')} by process {report.get('pid')}): it was killed before writing its report"
        )
    for key in ("candidates", "benchmark", "baseline", "selected"):
        if key not in report:
            raise RunFilesError(f"{directory / REPORT_FILE}: required key {key!r} is missing")
    if request is None:
        path = directory / REQUEST_FILE
        request = Request.from_json(_read_json(path), str(path)) if path.is_file() else Request(report["run_id"])
    files = None
    if report["selected"] is not None:
        files = _selected_files(directory / SELECTED_FILE, report["selected"])
    return Run(directory, report, request, files)


def _selected_files(path: Path, selected: str) -> dict[str, str]:
    data = _read_json(path) if path.is_file() else None
    if data is None:
        raise RunFilesError(f"{path}: missing; it holds the files of the selected candidate {selected!r}")
    files = data.get("files")
    if data.get("candidate") != selected or not isinstance(files, dict) or not files:
        raise RunFilesError(f"{path}: expected the files of candidate {selected!r} under 'files'")
    for rel, text in files.items():
        parts = PurePosixPath(rel).parts
        if not isinstance(text, str) or PurePosixPath(rel).is_absolute() or ".." in parts or not parts:
            raise RunFilesError(f"{path}: {rel!r} is not a repository path with text content")
    return dict(files)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunFilesError(f"{path}: missing") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise RunFilesError(f"{path}: cannot read it as JSON: {e}") from e
    if not isinstance(data, dict):
        raise RunFilesError(f"{path}: expected a JSON object")
    return data


def write_run_files(out: Path, request: Request, selected: str | None, files: dict[str, str] | None) -> None:
    """request.json, and selected.json when a candidate was selected (what `perfbot publish` needs)."""
    if selected is not None and files:
        write_json(out / SELECTED_FILE, {"candidate": selected, "files": files})
    else:
        (out / SELECTED_FILE).unlink(missing_ok=True)
    write_json(out / REQUEST_FILE, request.to_json())


def write_json(path: Path, data: Any) -> None:
    """`data` as indented JSON in `path`, written atomically."""
    write_whole(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
