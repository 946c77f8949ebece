"""What a check before the run found: a problem (the run must not start) or a warning (it may), each naming the
file, the key and the fix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal


@dataclass(frozen=True)
class Finding:
    key: str
    """The config key at fault (`target.files`), or the thing checked (`git`)."""
    problem: str
    fix: str
    level: Literal["problem", "warning"] = "problem"
    file: str = ""
    """The file at fault; the config file when empty."""

    def line(self, source: str) -> str:
        return f"{self.file or source}: {self.key}: {self.problem}\n    fix: {self.fix}"

    def to_json(self, source: str) -> dict[str, Any]:
        return {
            "level": self.level,
            "file": self.file or source,
            "key": self.key,
            "problem": self.problem,
            "fix": self.fix,
        }


def warning(key: str, problem: str, fix: str, file: str = "") -> Finding:
    return Finding(key, problem, fix, "warning", file)


def problems(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.level == "problem"]


def report(findings: Sequence[Finding], source: str) -> str:
    """The message of a run stopped before it started: every problem, then every warning."""
    stopping = problems(findings)
    lines = [f"{len(stopping)} problem(s) found before anything ran (nothing was measured or changed):"]
    lines += [f"  {f.line(source)}" for f in stopping]
    lines += [f"  warning: {f.line(source)}" for f in findings if f.level == "warning"]
    return "\n".join(lines)
