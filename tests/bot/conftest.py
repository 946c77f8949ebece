"""Fixtures for the bot: a seeded fake GitLab, settings, a recording publisher, and `BotHarness`, which runs
the real aiohttp app (python-gitlab inside it talks to the fake over loopback) and can restart it on the
same SQLite file."""

from __future__ import annotations

import asyncio
import copy
import io
import itertools
import json
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot import logs
from bot.gitlab import GitLabForge
from bot.retry import Retry
from bot.server.app import STATE, make_app
from bot.server.handoff import Handoff
from bot.server.settings import Settings
from tests.bot.server import raw_http
from tests.fakes.gitlab import USES_PERFBOT, FakeGitLab
from tests.fakes.gitlab_api import Project

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "gitlab"
BOT_TOKEN = "glpat-bot-secret-token-123"
WEBHOOK_SECRET = "hook-secret-456"
HOOK_NAMES = {
    "note": "Note Hook",
    "issue": "Issue Hook",
    "merge_request": "Merge Request Hook",
    "pipeline": "Pipeline Hook",
    "push": "Push Hook",
    "wiki_page": "Wiki Page Hook",
}


_stamps = itertools.count()


def _stamp() -> str:
    n = next(_stamps)
    return f"2026-01-01T{n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}Z"


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text())


@dataclass
class World:
    fake: FakeGitLab
    project: Project
    bot: dict[str, Any]
    developer: dict[str, Any]
    reporter: dict[str, Any]
    outsider: dict[str, Any]
    mr: dict[str, Any]
    issue: dict[str, Any]


@pytest.fixture
def world() -> Iterator[World]:
    with FakeGitLab() as fake:
        bot = fake.add_user("perfbot", token=BOT_TOKEN)
        developer, reporter, outsider = (fake.add_user(n) for n in ("dana", "rita", "olga"))
        files = {
            "src/stats.py": b"def mean(xs):\n    return sum(xs) / len(xs)\n",
            ".gitlab-ci.yml": USES_PERFBOT.encode(),
        }
        project = fake.add_project("acme/stats", files=files)
        fake.add_member(project, bot, 30)
        project.mergers.add(bot["id"])  # allowed to merge into `main`, so it may run pipelines there (docs/bot.md)
        fake.add_member(project, developer, 30)
        fake.add_member(project, reporter, 20)
        with fake.lock:
            project.branches["feature"] = project.branches["main"]
        mr = fake.add_merge_request(project, "feature", "Speed up mean")
        issue = fake.add_issue(project, "mean is slow")
        yield World(fake, project, bot, developer, reporter, outsider, mr, issue)
        assert fake.unexpected == [], f"unexpected calls to the fake GitLab: {fake.unexpected}"


@pytest.fixture
def settings(world: World, tmp_path: Path) -> Settings:
    return Settings(
        gitlab_url=world.fake.url,
        gitlab_token=SecretStr(BOT_TOKEN),
        webhook_secret=SecretStr(WEBHOOK_SECRET),
        listen="127.0.0.1:0",
        db=tmp_path / "perfbot.db",
    )


class RecordingPublisher:
    def __init__(self) -> None:
        self.handoffs: list[Handoff] = []
        self.reasons: dict[int, str] = {}
        """What `explain` answers for a job id (what the failed job's report would say)."""

    def __call__(self, handoff: Handoff) -> str | None:
        self.handoffs.append(handoff)
        return f"{handoff.origin.project_url}/-/merge_requests/99"

    def explain(self, project_id: int, job_id: int) -> str | None:
        return self.reasons.get(job_id)


class BotHarness:
    """The real server on loopback; `post` sends a delivery as GitLab would, `restart` keeps the database."""

    def __init__(self, world: World, settings: Settings, log_stream: io.StringIO) -> None:
        self.world, self.settings, self.log_stream = world, settings, log_stream
        self.publisher = RecordingPublisher()
        self.client: TestClient[Any, Any] | None = None

    async def start(
        self,
        *,
        worker_tasks: int = 2,
        attempts: int = 4,
        retry_after: float = 0.2,
        poll_after: float = 60.0,
        read_timeout: float = 10.0,
        settings: Settings | None = None,
    ) -> None:
        self.settings = settings or self.settings
        forge = GitLabForge(self.settings.gitlab_url, self.settings.gitlab_token.get_secret_value(), timeout=10)
        retry = Retry(attempts=attempts, first_wait=0.01, max_wait=0.05)
        app = make_app(
            self.settings,
            forge,
            self.publisher,
            retry=retry,
            worker_tasks=worker_tasks,
            retry_after=retry_after,
            poll_after=poll_after,
            read_timeout=read_timeout,
        )
        self.client = TestClient(TestServer(app))
        await self.client.start_server()

    async def stop(self) -> None:
        if self.client is not None:
            await self.client.close()
            self.client = None

    async def restart(self, **kwargs: Any) -> None:
        await self.stop()
        await self.start(**kwargs)

    async def post(
        self,
        payload: Any,
        *,
        event: str | None = None,
        key: str | None = None,
        token: str | None = WEBHOOK_SECRET,
        raw: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        assert self.client is not None
        kind = payload.get("object_kind") if isinstance(payload, dict) else None
        sent = {
            "Content-Type": "application/json",
            "X-Gitlab-Event": event or HOOK_NAMES.get(str(kind), "Unknown"),
            "Idempotency-Key": key or str(uuid.uuid4()),
            "X-Gitlab-Event-UUID": str(uuid.uuid4()),
        }
        if token is not None:
            sent["X-Gitlab-Token"] = token
        sent.update(headers or {})
        response = await self.client.post(
            "/webhook", data=raw if raw is not None else json.dumps(payload), headers=sent
        )
        return response.status, await response.json()

    async def post_raw(
        self,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
        *,
        token: bytes | None = WEBHOOK_SECRET.encode(),
        send_body: bool = True,
    ) -> tuple[int, dict[str, Any]]:
        """A delivery with header values as raw bytes (GitLab's usual headers unless given), over a bare socket."""
        assert self.client is not None
        given = {name.lower() for name, _ in headers}
        usual = [(b"Content-Type", b"application/json"), (b"X-Gitlab-Event", b"Note Hook")]
        sent = [(name, value) for name, value in usual if name.lower() not in given] + headers
        if token is not None:
            sent.append((b"X-Gitlab-Token", token))
        status, payload = await raw_http.post("127.0.0.1", self.client.port, sent, body, send_body=send_body)
        try:
            return status, json.loads(payload)
        except ValueError:  # aiohttp's own answer to a malformed request is plain text
            return status, {"text": payload.decode(errors="replace")}

    @property
    def idle(self) -> bool:
        assert self.client is not None
        worker = self.client.app[STATE].worker
        return worker is not None and worker.idle

    async def settle(self) -> None:
        """Wait until the worker has nothing queued or running."""
        await wait_for(lambda: self.idle)

    def log_lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.log_stream.getvalue().splitlines() if line.startswith("{")]

    # --- payloads, built from GitLab's documented examples ---------------------------------------------
    def note(
        self, text: str, *, on: str = "merge_request", author: dict[str, Any] | None = None, **attrs: Any
    ) -> dict[str, Any]:
        w = self.world
        author = author or w.developer
        iid = w.mr["iid"] if on == "merge_request" else w.issue["iid"]
        note = w.fake.add_note(w.project, on, iid, author, text)
        payload = fixture("note_merge_request" if on == "merge_request" else "note_issue")
        payload["object_attributes"].update(id=note["id"], note=text, project_id=w.project.id, **attrs)
        self._who_and_where(payload, author)
        if on == "merge_request":
            payload["merge_request"].update(
                iid=iid,
                source_branch="feature",
                source_project_id=w.project.id,
                target_project_id=w.project.id,
                target_branch="main",
            )
        else:
            payload["issue"].update(iid=iid, project_id=w.project.id, state="opened")
        return payload

    def labelled(self, kind: str, *, added: bool = True, author: dict[str, Any] | None = None) -> dict[str, Any]:
        w = self.world
        payload = fixture(kind)
        self._who_and_where(payload, author or w.developer)
        target = w.mr if kind == "merge_request" else w.issue
        payload["object_attributes"].update(iid=target["iid"], action="update", state="opened", updated_at=_stamp())
        if kind == "merge_request":
            payload["object_attributes"].update(source_branch="feature", source_project_id=w.project.id)
        api = copy.deepcopy(payload["changes"]["labels"]["previous"][0])
        mine = dict(api, title=self.settings.label if added else "Platform")
        payload["changes"]["labels"] = {"previous": [api], "current": [api, mine]}
        return payload

    def _who_and_where(self, payload: dict[str, Any], author: dict[str, Any]) -> None:
        payload["user"].update(id=author["id"], username=author["username"], name=author["name"])
        payload["project"].update(
            id=self.world.project.id,
            web_url=self.world.project.web_url,
            path_with_namespace=self.world.project.path,
            default_branch="main",
        )
        if "project_id" in payload:
            payload["project_id"] = self.world.project.id


async def wait_for(condition: Callable[[], Any], timeout: float = 10.0) -> Any:
    """Poll `condition` until it is truthy; fail with a clear message after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s: {condition}")
        await asyncio.sleep(0.01)


@pytest.fixture
async def harness(world: World, settings: Settings) -> AsyncIterator[BotHarness]:
    stream = io.StringIO()
    logs.configure([BOT_TOKEN, WEBHOOK_SECRET], stream=stream)
    bot = BotHarness(world, settings, stream)
    await bot.start()
    yield bot
    await bot.stop()
