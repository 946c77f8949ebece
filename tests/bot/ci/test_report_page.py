"""report.html as a browser shows it (headless Chromium, Debian's `chromium` package): it renders with no request
beyond the file itself, the runtime plot is visible, the selection tree marks the selected candidate, and an
agent's trace opens step by step. The test saves a screenshot of the opened page next to the report."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bot.ci.chromium import Browser, chromium_path

SCREENSHOT = "report.png"


@pytest.fixture
def browser() -> Iterator[Browser]:
    if chromium_path() is None:
        pytest.skip("Chromium is not installed (Debian: apt-get install chromium; scripts/bootstrap installs it)")
    with Browser.launch() as launched:
        yield launched


def test_the_report_page_renders_self_contained_with_a_visible_plot_and_a_trace_that_opens_step_by_step(
    finished_run: Path, browser: Browser
) -> None:
    page = browser.open(finished_run / "report.html")
    report = json.loads((finished_run / "report.json").read_text())

    assert page.evaluate("document.title").startswith("perfbot: ")
    assert page.evaluate("performance.getEntriesByType('resource').length") == 0
    html = (finished_run / "report.html").read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html) and "<script" not in html

    plot = page.evaluate(
        "(() => { const r = document.querySelector('svg.plot').getBoundingClientRect();"
        " return {w: r.width, h: r.height, lines: document.querySelectorAll('svg.plot polyline').length,"
        " dots: document.querySelectorAll('svg.plot circle').length}; })()"
    )
    assert plot["w"] > 400 and plot["h"] > 250
    assert plot["lines"] >= 2 and plot["dots"] >= 4  # the baseline and the finalist, one marker per size
    assert page.evaluate("document.querySelectorAll('table').length") >= 2

    selected = page.evaluate("document.querySelector('#selection li.selected > span.label').textContent")
    assert selected.startswith(report["selected"])

    step = "document.querySelector('details.agent details.step')"
    say = f"{step}.querySelector('.say')"
    assert page.evaluate(f"{step}.open") is False
    assert page.evaluate(f"{say}.checkVisibility()") is False
    page.evaluate("document.querySelector('details.agent > summary').click()")
    page.evaluate(f"{step}.querySelector('summary').click()")
    assert page.evaluate(f"{step}.open") is True
    assert page.evaluate(f"{say}.checkVisibility()") is True
    assert page.evaluate(f"{say}.getBoundingClientRect().height") > 0
    assert "Let me read the target function" in page.evaluate(f"{say}.textContent")
    page.evaluate(f"{step}.querySelector('details.call > summary').click()")
    assert "geometry.py" in page.evaluate(f"{step}.querySelector('details.call').innerText")

    shot = finished_run / SCREENSHOT
    page.screenshot(shot)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
