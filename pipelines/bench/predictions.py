"""Predictions: one JSON line per run (task, contestant, repeat, patch), and re-measuring them elsewhere.

`write` stores what every run would ship (its unified diff against the task's repo, empty when nothing shipped)
beside the leaderboard. `rescore` re-measures those patches with perfbot's judge on another machine: one
benchmark sandbox per task measures all of that task's patches against the same baseline, so a reviewer can
check the figures without rerunning any agent.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pipelines.bench.suite import Task
from pipelines.errors import ConfigError
from pipelines.evaluate import Candidate
from pipelines.select.selection import measure_and_select
from sandbox.factory import SandboxKind

KEYS = ("task", "contestant", "repeat", "patch")


def write(path: Path, records: list[dict[str, Any]]) -> None:
    lines = []
    for r in records:
        if r["status"] != "ok":
            continue
        line = {key: r.get("diff", "") if key == "patch" else r[key] for key in KEYS}
        line |= {"solved": r["solved"], "speedup": r["speedup"], "fingerprint": r.get("fingerprint")}
        lines.append(json.dumps(line, ensure_ascii=False))
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def read(path: Path) -> list[dict[str, Any]]:
    """The predictions of a file; ConfigError naming the line that is not a prediction."""
    out = []
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the predictions file: {e}") from e
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as e:
            raise ConfigError(f"{path}:{number}: not a JSON line: {e}") from e
        missing = [k for k in KEYS if not isinstance(item, dict) or k not in item]
        if missing:
            raise ConfigError(f"{path}:{number}: a prediction needs {list(KEYS)}; missing {missing}")
        out.append(item)
    return out


def patched_files(repo: Path, patch: str) -> dict[str, str]:
    """repo-relative path -> text of every file the patch changes, applied to a copy of `repo` with `git apply`."""
    if not patch.strip():
        return {}
    with tempfile.TemporaryDirectory(prefix="perfbot-rescore-") as tmp:
        copy = Path(tmp) / "repo"
        shutil.copytree(repo, copy)
        result = subprocess.run(
            ["git", "apply", "--numstat", "--apply", "-"],
            input=patch,
            text=True,
            capture_output=True,
            cwd=copy,
            check=False,
        )
        if result.returncode != 0:
            raise ConfigError(f"the patch does not apply to {repo}: {result.stderr.strip()}")
        changed = [line.split("\t", 2)[2] for line in result.stdout.splitlines() if line.count("\t") >= 2]
        return {rel: (copy / rel).read_text(encoding="utf-8") for rel in changed if (copy / rel).is_file()}


def rescore(
    items: list[dict[str, Any]],
    tasks: dict[str, Task],
    sandbox: SandboxKind | None,
    say: Callable[[str], None] = lambda _: None,
) -> list[dict[str, Any]]:
    """Each prediction re-measured: {task, contestant, repeat, was (solved, speedup), solved, speedup, reason}."""
    unknown = sorted({i["task"] for i in items} - set(tasks))
    if unknown:
        raise ConfigError(f"predictions name task(s) {unknown} that the suite does not have")
    out = []
    for name, task in tasks.items():
        mine = [i for i in items if i["task"] == name]
        if not mine:
            continue
        candidates = {}
        for i in mine:
            files = patched_files(task.repo, i["patch"])
            if files:
                ident = f"{i['contestant']}-r{i['repeat']}"
                candidates[ident] = Candidate(id=ident, origin=f"prediction of {i['contestant']}", files=files)
        say(f"{name}: measuring {len(candidates)} patch(es) of {len(mine)} prediction(s)")
        measured = measure_and_select(
            task.repo, task.config, list(candidates.values()), sandbox_kind=sandbox, label=f"bench-rescore-{name}"
        )
        results = {r.id: r for r in measured.results}
        for i in mine:
            result = results.get(f"{i['contestant']}-r{i['repeat']}")
            accepted = result is not None and result.accepted
            out.append(
                {
                    "task": name,
                    "contestant": i["contestant"],
                    "repeat": i["repeat"],
                    "was": {"solved": i.get("solved"), "speedup": i.get("speedup")},
                    "solved": accepted,
                    "speedup": round(result.score, 4) if accepted and result is not None and result.score else 1.0,
                    "reason": result.reason if result is not None else "no patch: nothing shipped",
                }
            )
    return out
