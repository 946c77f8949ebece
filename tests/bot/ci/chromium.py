"""Headless Chromium driven over the DevTools protocol (aiohttp's websocket client, loopback only), for testing
report.html as a browser renders it: evaluate JavaScript in the page, click, take screenshots.

    with Browser.launch() as browser:
        page = browser.open(Path("report.html"))
        page.evaluate("document.title")
        page.screenshot(Path("shot.png"))
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

CANDIDATES = ("chromium", "chromium-browser", "google-chrome")


def chromium_path() -> str | None:
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


class Page:
    def __init__(self, loop: asyncio.AbstractEventLoop, socket: aiohttp.ClientWebSocketResponse) -> None:
        self._loop, self._socket, self._ids = loop, socket, itertools.count(1)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        return self._loop.run_until_complete(self._call(method, params))

    async def _call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        ident = next(self._ids)
        await self._socket.send_json({"id": ident, "method": method, "params": params})
        while True:
            message = await asyncio.wait_for(self._socket.receive_json(), 30)
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression!r} raised: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path) -> None:
        height = self.evaluate("document.documentElement.scrollHeight")
        self.call(
            "Emulation.setDeviceMetricsOverride", width=1200, height=int(height), deviceScaleFactor=1, mobile=False
        )
        data = self.call("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))


class Browser:
    def __init__(self, process: subprocess.Popen[bytes], profile: tempfile.TemporaryDirectory[str], port: int) -> None:
        self.process, self.profile, self.port = process, profile, port
        self.loop = asyncio.new_event_loop()
        self.session: aiohttp.ClientSession | None = None

    @classmethod
    def launch(cls) -> Browser:
        binary = chromium_path()
        if binary is None:
            raise RuntimeError("no chromium on PATH (Debian: apt-get install chromium)")
        profile = tempfile.TemporaryDirectory(prefix="perfbot-chromium-")
        argv = [
            binary,
            "--headless=new",
            "--no-sandbox",  # tests may run as root, where Chromium's own sandbox refuses to start
            "--disable-gpu",
            "--no-first-run",
            "--disable-extensions",
            "--remote-debugging-address=127.0.0.1",
            "--remote-debugging-port=0",
            f"--user-data-dir={profile.name}",
            "about:blank",
        ]
        process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = Path(profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.is_file() and port_file.read_text().strip()):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"chromium did not start (exit {process.poll()})")
            time.sleep(0.05)
        return cls(process, profile, int(port_file.read_text().splitlines()[0]))

    def open(self, file: Path) -> Page:
        return self.loop.run_until_complete(self._open(file))

    async def _open(self, file: Path) -> Page:
        self.session = aiohttp.ClientSession()
        async with self.session.put(f"http://127.0.0.1:{self.port}/json/new?{file.resolve().as_uri()}") as reply:
            target = json.loads(await reply.text())
        socket = await self.session.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0)
        page = Page(self.loop, socket)
        await page._call("Page.enable", {})
        await self._loaded(page)
        return page

    async def _loaded(self, page: Page) -> None:
        """Wait until the file (not the about:blank a new tab starts with) has loaded."""
        ready = "location.protocol === 'file:' && document.readyState === 'complete'"
        deadline = time.monotonic() + 30
        while not (await page._call("Runtime.evaluate", {"expression": ready, "returnByValue": True}))["result"].get(
            "value"
        ):
            if time.monotonic() > deadline:
                raise RuntimeError("the page did not finish loading within 30 s")
            await asyncio.sleep(0.05)

    def close(self) -> None:
        if self.session is not None:
            self.loop.run_until_complete(self.session.close())
        self.loop.close()
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.profile.cleanup()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
