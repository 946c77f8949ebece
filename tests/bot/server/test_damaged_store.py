"""A damaged bot database stops `perfbot serve` at start with one message naming the file and the way out (exit 2)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.forge import StoreError
from bot.server.store import Store
from tests.bot.conftest import BOT_TOKEN, WEBHOOK_SECRET
from tests.conftest import ROOT


def damaged(path: Path) -> Path:
    """A database whose pages were overwritten after its header (a disk fault, a copy cut short)."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE jobs (id INTEGER PRIMARY KEY, payload TEXT)")
    db.executemany("INSERT INTO jobs (payload) VALUES (?)", [("x" * 500,) for _ in range(200)])
    db.commit()
    db.close()
    with path.open("r+b") as f:
        f.seek(4096 + 100)
        f.write(b"\xff" * 8192)
    return path


@pytest.mark.parametrize("content", ["not a database", "damaged pages"])
def test_perfbot_serve_names_a_damaged_database_says_what_to_do_and_exits_2(tmp_path: Path, content: str) -> None:
    db = tmp_path / "perfbot.db"
    if content == "not a database":
        db.write_bytes(b"these are not the bytes of a SQLite database\n" * 100)
    else:
        damaged(db)
    env = os.environ | {
        "PERFBOT_GITLAB_URL": "http://127.0.0.1:9",  # never reached: the database is checked first
        "PERFBOT_GITLAB_TOKEN": BOT_TOKEN,
        "PERFBOT_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "PERFBOT_DB": str(db),
    }
    server = subprocess.run(
        [sys.executable, "-m", "bot.cli", "serve"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert server.returncode == 2
    [line] = [ln for ln in server.stderr.splitlines() if ln.startswith("perfbot serve:")]
    assert f"{db} is not a valid perfbot database" in line
    assert f"mv {db} {db}.damaged" in line
    assert "Traceback" not in server.stderr
    assert BOT_TOKEN not in server.stderr


async def test_the_store_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    db = tmp_path / "perfbot.db"
    db.write_text("{}")
    store = Store(db)
    with pytest.raises(StoreError, match="not a valid perfbot database"):
        await store.open()
    await store.close()
