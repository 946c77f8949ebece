"""The artifacts of a run that could not be carried out (DESIGN §5: a failed run says why in the report).

report.json has the usual top-level fields (nothing measured: no candidates, `selected` null, the baseline's
tests when they ran and no points) plus `error`: which stage failed, the message, the failing test and the first
lines of its output. report.md and report.html say the same for a person; patch.diff is empty.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from pipelines.config import Config
from pipelines.errors import BaselineError
from pipelines.evaluate.results import TestsResult
from pipelines.interrupt import signal_name
from pipelines.report.model import SCHEMA_VERSION, settings_json
from pipelines.storage import write_files

NOT_MEASURED = "Nothing was measured: the run stopped before the baseline could be timed."


@dataclass
class FailedRun:
    error: BaseException
    """What stopped the run: a PerfbotError, a SandboxError, or a KeyboardInterrupt (SIGINT, SIGTERM)."""
    config: Config
    sandbox_kind: str
    run_id: str = ""
    repo: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    created_at: str = field(default_factory=lambda: datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"))

    @property
    def tests(self) -> TestsResult | None:
        """The baseline's tests, when they ran."""
        return self.error.tests if isinstance(self.error, BaselineError) else None

    @property
    def stage(self) -> str:
        """`baseline-tests`, `baseline-benchmark`, `interrupted` (a signal) or `run` (anything else: the sandbox, the
        measuring script)."""
        if isinstance(self.error, KeyboardInterrupt):
            return "interrupted"
        if self.tests is None:
            return "run"
        return "baseline-benchmark" if self.tests.passed else "baseline-tests"

    @property
    def message(self) -> str:
        if isinstance(self.error, KeyboardInterrupt):
            return f"the run was interrupted by {signal_name(self.error)} before the baseline was measured"
        return str(self.error)

    def error_json(self) -> dict[str, Any]:
        tests = self.tests
        return {
            "stage": self.stage,
            "message": self.message,
            "test": tests.failure if tests is not None and not tests.passed else None,
            "output": failed_test_output(self.error),
            **({"signal": signal_name(self.error)} if isinstance(self.error, KeyboardInterrupt) else {}),
        }

    def to_json(self) -> dict[str, Any]:
        baseline: dict[str, Any] = {"points": []}
        if self.tests is not None:
            baseline["tests"] = self.tests.to_json()
        return {
            "schema_version": SCHEMA_VERSION,
            "run_id": self.run_id,
            "created_at": self.created_at,
            "repo": self.repo,
            **settings_json(self.config, self.config.benchmark.repeat),
            "sandbox": {"kind": self.sandbox_kind, "isolated": self.sandbox_kind != "local"},
            "method": NOT_MEASURED,
            "baseline": baseline,
            "candidates": [],
            "selected": None,
            "cost": {"input_tokens": 0, "output_tokens": 0, "usd": 0.0},
            "agents": [],
            "extra": self.extra,
            "error": self.error_json(),
        }


def failed_test_output(error: BaseException) -> str:
    """The first lines of the output of the baseline's failing test, when that is why `error` was raised."""
    if isinstance(error, BaselineError) and not error.tests.passed:
        return error.tests.output
    return ""


def render_failure_markdown(run: FailedRun) -> str:
    error = run.error_json()
    parts = ["## perfbot: the run could not be carried out", "", run.message]
    if error["test"]:
        parts += ["", "### The failing test", "", f"`{error['test']}`"]
    if error["output"]:
        parts += ["", "```", error["output"].replace("```", "` ` `"), "```"]
    parts += ["", "Nothing was changed: no candidate was measured, no branch or merge request was written."]
    return "\n".join(parts) + "\n"


_PAGE = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>perfbot: the run could not be carried out</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
pre{background:#f4f4f4;padding:1rem;overflow-x:auto}</style></head>
<body><h1>perfbot: the run could not be carried out</h1>
<p>{{ message }}</p>
{% if test %}<h2>The failing test</h2><p><code>{{ test }}</code></p>{% endif %}
{% if output %}<pre>{{ output }}</pre>{% endif %}
<p>Nothing was changed: no candidate was measured, no branch or merge request was written.</p>
</body></html>
"""
)


def write_failure_artifacts(run: FailedRun, out_dir: Path) -> dict[str, Path]:
    """Write report.json, report.md, report.html and an empty patch.diff into `out_dir`, each file atomically
    (a stale selected candidate's patch from an earlier run in the same directory is replaced too)."""
    error = run.error_json()
    contents = {
        "report.json": json.dumps(run.to_json(), indent=2, ensure_ascii=False) + "\n",
        "report.md": render_failure_markdown(run),
        "report.html": _PAGE.render(message=error["message"], test=error["test"], output=error["output"]),
        "patch.diff": "",
    }
    return write_files(out_dir, contents)
