"""The harness: every (task, contestant, repeat) run, in parallel, resumable.

    OUT/runs/TASK/CONTESTANT/REPEAT.json     the record of one finished run (written atomically, last)
    OUT/runs/TASK/CONTESTANT/REPEAT/         its trace.jsonl or agent.log
    OUT/leaderboard.{md,json}, OUT/speedup_vs_budget.svg

A run whose record exists with the contestant's current fingerprint is not run again, so a benchmark that was
interrupted (Ctrl-C, a killed job, a reboot) continues where it stopped when the same command is run again.
A changed contestant setting, task file, scripted session or perfbot version changes the fingerprint, and the
affected runs are redone. Runs are executed blocked by task and repeat, with the contestants' order rotated each
repeat (`execution_order`), so a drift in machine load does not favour one contestant.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipelines.bench.contestants import AnyContestant, OverlayContestant
from pipelines.bench.provenance import run_fingerprint
from pipelines.bench.runs import run_one
from pipelines.bench.suite import Task
from pipelines.storage import write_whole
from sandbox.factory import SandboxKind

Say = Callable[[str], None]


@dataclass(frozen=True)
class Job:
    task: Task
    contestant: AnyContestant
    repeat: int

    @property
    def key(self) -> tuple[str, str, int]:
        return self.task.name, self.contestant.name, self.repeat

    def record_path(self, out: Path) -> Path:
        return out / "runs" / self.task.name / self.contestant.name / f"{self.repeat}.json"


def run_benchmark(
    tasks: list[Task],
    contestants: list[AnyContestant],
    *,
    repeats: int,
    out: Path,
    sandbox: SandboxKind | None,
    jobs: int | None = None,
    retry_errors: bool = False,
    report_only: bool = False,
    say: Say = lambda text: None,
) -> list[dict[str, Any]]:
    """Every run's record (stored ones reused), in task, contestant, repeat order. `report_only` runs nothing and
    returns the stored records whatever their fingerprint (saying how many are stale), to redraw a leaderboard."""
    plan = [Job(t, c, r) for t in tasks for c in contestants for r in range(1, repeats + 1) if _applies(c, t)]
    if report_only:
        return _stored(plan, out, say)
    records: dict[tuple[str, str, int], dict[str, Any]] = {}
    todo = []
    for job in plan:
        stored = load_record(job.record_path(out))
        current = stored is not None and stored.get("fingerprint") == run_fingerprint(job.contestant, job.task)
        if stored is not None and current and (stored.get("status") == "ok" or not retry_errors):
            records[job.key] = stored
            continue
        todo.append(job)
    say(f"{len(plan)} runs: {len(records)} already done, {len(todo)} to run")
    todo = execution_order(todo, [c.name for c in contestants])
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    lock = threading.Lock()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="perfbot-bench") as pool:
        futures = {pool.submit(_run, job, out, sandbox): job for job in todo}
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                job = futures[future]
                record = future.result()
                with lock:
                    records[job.key] = record
                verdict = record["error"] if record["status"] == "error" else _verdict_line(record)
                say(f"[{done}/{len(todo)}] {job.task.name} · {job.contestant.name} · #{job.repeat}: {verdict}")
        except KeyboardInterrupt:
            # Runs under way finish and store their records; the same command resumes from there.
            say("interrupted: finishing the runs under way; run the same command again to resume")
            pool.shutdown(wait=False, cancel_futures=True)
            raise
    return [records[job.key] for job in plan]


def execution_order(jobs: list[Job], contestants: list[str]) -> list[Job]:
    """Blocked and rotated, so no contestant's runs share one stretch of time (machine load drifts): per task and
    repeat, one run of every contestant, the contestants' order rotated by one each repeat."""
    position = {name: i for i, name in enumerate(contestants)}
    tasks = list(dict.fromkeys(job.task.name for job in jobs))
    n = max(len(contestants), 1)

    def key(job: Job) -> tuple[int, int, int]:
        return tasks.index(job.task.name), job.repeat, (position[job.contestant.name] - (job.repeat - 1)) % n

    return sorted(jobs, key=key)


def _stored(plan: list[Job], out: Path, say: Say) -> list[dict[str, Any]]:
    found = [(job, record) for job in plan if (record := load_record(job.record_path(out))) is not None]
    stale = sum(1 for job, record in found if record.get("fingerprint") != run_fingerprint(job.contestant, job.task))
    say(
        f"{len(plan)} runs: {len(found)} stored ({stale} made with other settings, code or task files), "
        f"{len(plan) - len(found)} missing; nothing is run"
    )
    return [record for _, record in found]


def _applies(contestant: AnyContestant, task: Task) -> bool:
    """An overlay contestant runs only on the tasks that ship its version."""
    return not isinstance(contestant, OverlayContestant) or contestant.kind in task.overlays


def _run(job: Job, out: Path, sandbox: SandboxKind | None) -> dict[str, Any]:
    path = job.record_path(out)
    record = run_one(job.task, job.contestant, job.repeat, path.with_suffix(""), sandbox)
    write_record(path, record)
    return record


def write_record(path: Path, record: dict[str, Any]) -> None:
    """Atomically: a run interrupted while writing leaves no half record behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_whole(path, json.dumps(record, indent=1, default=str).encode("utf-8"))


def load_record(path: Path) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    return record if isinstance(record, dict) else None


def _verdict_line(record: dict[str, Any]) -> str:
    if record["solved"]:
        return f"solved, {record['speedup']:.2f}x"
    return f"not solved ({record['reason'][:120]})"
