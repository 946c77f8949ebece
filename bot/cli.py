"""`perfbot`: one dispatcher; each command lives in its own module and is imported only when it runs.

A command module provides `add_arguments(parser)` and `run(args) -> int`. Exit codes (DESIGN §3.1):
0 the command ran (whether or not a faster candidate was found), 2 bad usage or config, 1 internal failure.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import json
import logging
import sys
from collections.abc import Sequence

import structlog

from pipelines.errors import PerfbotError
from sandbox.base import SandboxError

COMMANDS: dict[str, tuple[str, str]] = {
    "optimize": ("pipelines.commands.optimize", "run the whole workflow on a local checkout and write a branch"),
    "evaluate": ("pipelines.commands.evaluate", "evaluate given versions of a file against the baseline"),
    "init": ("pipelines.commands.init", "write a commented starter .perfbot.yml"),
    "doctor": ("bot.commands.doctor", "say what is missing: Docker, the sandbox image, isolation, an API key, GitLab"),
    "sandbox": ("sandbox.command", "build the offline base image, the sandbox image; reap leftovers"),
    "serve": ("bot.commands.serve", "the GitLab webhook server"),
    "ci": ("bot.commands.ci", "the entry point of the GitLab CI job"),
    "publish": ("bot.commands.publish", "open the merge request for a finished run"),
    "bench": ("pipelines.commands.bench", "compare strategies and coding agents on a task suite"),
    "trace": ("pipelines.commands.trace", "export a run's trace (e.g. as training data)"),
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    top = argparse.ArgumentParser(
        prog="perfbot",
        description="Make Python code faster without changing what it does, and prove it.",
        epilog="Run 'perfbot COMMAND --help' for a command's options.",
    )
    top.add_argument("--version", action="version", version=f"perfbot {_version()}")
    commands = top.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_module, summary) in COMMANDS.items():
        commands.add_parser(name, help=summary, add_help=False)
    if not args:
        top.print_help(sys.stderr)
        return 2
    if args[0] not in COMMANDS:
        close = difflib.get_close_matches(args[0], COMMANDS, n=1) if not args[0].startswith("-") else []
        if close:
            top.error(f"unknown command {args[0]!r}; did you mean {close[0]!r}?")
        top.parse_args(args)
        return 2
    name = args[0]
    _log_to_stderr()
    module = importlib.import_module(COMMANDS[name][0])
    parser = argparse.ArgumentParser(prog=f"perfbot {name}", description=COMMANDS[name][1])
    module.add_arguments(parser)
    parsed = parser.parse_args(args[1:])
    try:
        return int(module.run(parsed))
    except PerfbotError as e:
        print(f"perfbot {name}: {e}", file=sys.stderr)
        if getattr(parsed, "json", False):
            print(json.dumps({"error": str(e), "exit_code": e.exit_code, "findings": getattr(e, "findings", [])}))
        return e.exit_code
    except SandboxError as e:
        print(f"perfbot {name}: sandbox: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"perfbot {name}: interrupted", file=sys.stderr)
        return 130


def _log_to_stderr() -> None:
    """Structured warnings (e.g. `sandbox.restarted`) go to stderr, so a command's own output on stdout stays clean.
    Commands with their own log setup (`serve`, `publish`: JSON logs with secrets redacted) replace this."""
    structlog.configure(
        processors=[
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="%Y-%m-%d %H:%M:%S"),
            structlog.dev.ConsoleRenderer(colors=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )


def _stderr_logger(*_args: object) -> structlog.PrintLogger:
    # Looked up at each use, not once: whoever replaced sys.stderr since (a test's capture, a pager) gets the lines.
    return structlog.PrintLogger(sys.stderr)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("perfbot")
    except PackageNotFoundError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
