"""The bot's durable memory: deliveries and jobs in SQLite, touched from one thread off the event loop.

A *delivery* is one POST from GitLab, keyed by `Idempotency-Key` (else `X-Gitlab-Event-UUID`, else a hash of
the body). A *job* is the work a delivery asks for, keyed by its business key (e.g. `note:PROJECT:NOTE`), so
a repeated delivery and a re-sent event with a new delivery id both land on the same job. Jobs move through

    pending ─► starting ─► running ─► finished            (optimize requests)
       │          ▲                                       starting = intent recorded, pipeline maybe created
       └► waiting ┘   (per-project run limit reached)      rejected / failed: terminal, with `detail`
    pending ─► done                                        (pipeline and job events)

Everything not terminal is resumed by the worker after a restart.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from bot.forge import StoreError
from bot.server.events import JobFinished, OptimizeRequested, PipelineFinished, StoredEvent

OPEN_STATES = ("pending", "waiting", "starting")
ACTIVE_STATES = ("starting", "running")
Stored = OptimizeRequested | PipelineFinished | JobFinished
_EVENT: TypeAdapter[Stored] = TypeAdapter(StoredEvent)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS deliveries (
    key TEXT PRIMARY KEY, event TEXT NOT NULL, job_id INTEGER, received_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, business_key TEXT NOT NULL UNIQUE, delivery TEXT NOT NULL,
    kind TEXT NOT NULL, project_id INTEGER NOT NULL, payload TEXT NOT NULL, state TEXT NOT NULL, request_id TEXT,
    pipeline_id INTEGER, pipeline_url TEXT, detail TEXT, created_at REAL NOT NULL, updated_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state);
CREATE INDEX IF NOT EXISTS jobs_pipeline ON jobs (project_id, pipeline_id);
CREATE INDEX IF NOT EXISTS jobs_request ON jobs (request_id);
"""


def open_database(path: Path) -> sqlite3.Connection:
    """The store's connection, its tables created if new. `StoreError` (exit 2) when the file is damaged or is not
    a SQLite database: it names the file and how to start again."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    try:
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable across a process crash
        db.execute("PRAGMA busy_timeout=5000")
        problems = [row[0] for row in db.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError("; ".join(problems[:3]))
        db.executescript(_SCHEMA)
    except sqlite3.DatabaseError as e:
        db.close()
        raise StoreError(
            f"{path} is not a valid perfbot database ({e}). Stop perfbot serve, move the file aside "
            f"(`mv {path} {path}.damaged`) and start again with an empty one (PERFBOT_DB names it): the jobs it "
            "recorded are lost, so /optimize requests still running will not be answered; or restore it from a backup"
        ) from e
    return db


@dataclass(frozen=True)
class Job:
    id: int
    business_key: str
    delivery: str
    project_id: int
    event: Stored
    state: str
    request_id: str | None
    pipeline_id: int | None
    pipeline_url: str | None
    detail: str | None
    updated_at: float


@dataclass(frozen=True)
class Slot:
    id: int
    state: str
    pipeline_id: int | None
    updated_at: float


@dataclass(frozen=True)
class Recorded:
    """The outcome of `record`: the job to run (None: nothing new to do) and whether anything was a repeat."""

    job_id: int | None
    duplicate_delivery: bool
    duplicate_job: bool


class Store:
    """All methods are coroutines; they run in the store's single thread, one at a time."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="perfbot-store")
        self._db: sqlite3.Connection | None = None

    async def open(self) -> None:
        await self._run(self._open)

    async def close(self) -> None:
        if self._db is not None:
            await self._run(self._db.close)
            self._db = None
        self._pool.shutdown(wait=True)

    async def record(self, delivery: str, event_name: str, event: Stored) -> Recorded:
        return await self._run(self._record, delivery, event_name, event)

    async def get(self, job_id: int) -> Job:
        rows = await self._query("SELECT * FROM jobs WHERE id = ?", (job_id,))
        if not rows:
            raise KeyError(f"no job {job_id}")
        return rows[0]

    async def update(self, job_id: int, **fields: Any) -> None:
        columns = ", ".join(f"{name} = ?" for name in fields)
        await self._run(
            self._execute,
            f"UPDATE jobs SET {columns}, updated_at = ? WHERE id = ?",
            (*fields.values(), time.time(), job_id),
        )

    async def advance(self, job_id: int, from_state: str, to_state: str) -> bool:
        """Move the job to `to_state` only if it is still in `from_state`; False if something else moved it."""
        sql = "UPDATE jobs SET state = ?, updated_at = ? WHERE id = ? AND state = ?"
        return bool(await self._run(self._execute, sql, (to_state, time.time(), job_id, from_state)))

    async def open_jobs(self) -> list[Job]:
        marks = ",".join("?" * len(OPEN_STATES))
        return await self._query(f"SELECT * FROM jobs WHERE state IN ({marks}) ORDER BY id", OPEN_STATES)

    async def active_runs(self, project_id: int) -> list[Slot]:
        """The project's runs holding a slot (`starting` or `running`), without their payloads: this is asked
        on every admission, so it must stay cheap however many runs are going."""
        marks = ",".join("?" * len(ACTIVE_STATES))
        sql = (
            "SELECT id, state, pipeline_id, updated_at FROM jobs"
            f" WHERE kind = 'optimize' AND project_id = ? AND state IN ({marks}) ORDER BY id"
        )
        rows = await self._run(self._fetch, sql, (project_id, *ACTIVE_STATES))
        return [Slot(row["id"], row["state"], row["pipeline_id"], row["updated_at"]) for row in rows]

    async def waiting(self, project_id: int) -> list[Job]:
        return await self._query(
            "SELECT * FROM jobs WHERE project_id = ? AND state = 'waiting' ORDER BY id", (project_id,)
        )

    async def run_for(self, project_id: int, pipeline_id: int, request_id: str | None = None) -> Job | None:
        """The optimize job that started this pipeline (by pipeline id, else by the request id it carried)."""
        sql = (
            "SELECT * FROM jobs WHERE kind = 'optimize' AND project_id = ? AND (pipeline_id = ? OR request_id = ?) "
            "ORDER BY id LIMIT 1"
        )
        rows = await self._query(sql, (project_id, pipeline_id, request_id))
        return rows[0] if rows else None

    async def requests_on(self, project_id: int, kind: str, iid: int) -> list[Job]:
        """The optimize requests made on one issue or merge request, newest first."""
        sql = (
            "SELECT * FROM jobs WHERE kind = 'optimize' AND project_id = ?"
            " AND json_extract(payload, '$.origin.kind') = ? AND json_extract(payload, '$.origin.iid') = ?"
            " ORDER BY id DESC"
        )
        return await self._query(sql, (project_id, kind, iid))

    async def request_by_prefix(self, project_id: int, prefix: str) -> Job | None:
        """The optimize request whose id starts with `prefix` (a perfbot branch ends with one)."""
        sql = "SELECT * FROM jobs WHERE kind = 'optimize' AND project_id = ? AND request_id LIKE ? ORDER BY id LIMIT 1"
        rows = await self._query(sql, (project_id, prefix.replace("%", "").replace("_", "") + "%"))
        return rows[0] if rows else None

    def _open(self) -> None:
        self._db = open_database(self._path)

    def _record(self, delivery: str, event_name: str, event: Stored) -> Recorded:
        db = self._conn()
        now = time.time()
        with _transaction(db):
            seen = db.execute("SELECT job_id FROM deliveries WHERE key = ?", (delivery,)).fetchone()
            if seen is not None:
                return Recorded(job_id=None, duplicate_delivery=True, duplicate_job=False)
            existing = db.execute("SELECT id FROM jobs WHERE business_key = ?", (event.business_key,)).fetchone()
            job_id = None
            if existing is None:
                project = event.origin.project_id if isinstance(event, OptimizeRequested) else event.project_id
                cursor = db.execute(
                    "INSERT INTO jobs (business_key, delivery, kind, project_id, payload, state, created_at,"
                    " updated_at) VALUES (?, ?, ?, ?, ?, 'pending', ?, ?)",
                    (event.business_key, delivery, event.type, project, event.model_dump_json(), now, now),
                )
                job_id = cursor.lastrowid
            db.execute(
                "INSERT INTO deliveries (key, event, job_id, received_at) VALUES (?, ?, ?, ?)",
                (delivery, event_name, job_id or existing[0], now),
            )
        return Recorded(job_id=job_id, duplicate_delivery=False, duplicate_job=existing is not None)

    async def _query(self, sql: str, params: tuple[Any, ...]) -> list[Job]:
        rows = await self._run(self._fetch, sql, params)
        return [_job(row) for row in rows]

    def _fetch(self, sql: str, params: tuple[Any, ...]) -> list[sqlite3.Row]:
        return self._conn().execute(sql, params).fetchall()

    def _execute(self, sql: str, params: tuple[Any, ...]) -> int:
        return self._conn().execute(sql, params).rowcount

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("the store is not open")
        return self._db

    async def _run(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)


class _transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, *_: object) -> None:
        self._db.execute("ROLLBACK" if kind else "COMMIT")


def _job(row: sqlite3.Row) -> Job:
    return Job(
        id=row["id"],
        business_key=row["business_key"],
        delivery=row["delivery"],
        project_id=row["project_id"],
        event=_EVENT.validate_json(row["payload"]),
        state=row["state"],
        request_id=row["request_id"],
        pipeline_id=row["pipeline_id"],
        pipeline_url=row["pipeline_url"],
        detail=row["detail"],
        updated_at=row["updated_at"],
    )
