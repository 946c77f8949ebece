"""Structured JSON logs for the bot (structlog).

Every line is one JSON object with a stable `event` name (`webhook.received`, `pipeline.created`, …).
`bind_delivery(key)` puts the delivery id on every line logged in the current task, including lines logged
by the worker while it handles that delivery. `Redactor` replaces any configured secret by `[REDACTED]`
wherever it appears, so a token that slips into an error message never reaches the log.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, MutableMapping
from typing import Any, TextIO, cast

import structlog

REDACTED = "[REDACTED]"


class Redactor:
    """A structlog processor that blanks every occurrence of the given secrets in keys' values."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def __call__(self, _logger: Any, _name: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
        if self._secrets:
            for key, value in event.items():
                event[key] = self._scrub(value)
        return event

    def _scrub(self, value: Any) -> Any:
        if isinstance(value, str):
            for secret in self._secrets:
                value = value.replace(secret, REDACTED)
            return value
        if isinstance(value, dict):
            return {k: self._scrub(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self._scrub(v) for v in value]
        return value


def configure(secrets: Iterable[str], stream: TextIO = sys.stdout, level: int = logging.INFO) -> None:
    """JSON lines on `stream`; python-gitlab's and aiohttp's own loggers go through the same redaction."""
    redactor = Redactor(secrets)
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        redactor,
    ]
    structlog.configure(
        processors=[*shared, structlog.processors.JSONRenderer()],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(stream),
        cache_logger_on_first_use=False,
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.JSONRenderer(),
            ],
            foreign_pre_chain=[structlog.stdlib.add_logger_name, *shared],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)


def configure_stderr(secrets: Iterable[str]) -> None:
    """`configure` for a command whose stdout carries its result: JSON lines on whatever `sys.stderr` is when a
    line is written (a test's capture may replace it after logging was configured)."""
    configure(secrets, stream=cast(TextIO, _Stderr()))


class _Stderr:
    def write(self, text: str) -> int:
        return sys.stderr.write(text)

    def flush(self) -> None:
        sys.stderr.flush()


def bind_delivery(delivery: str) -> None:
    """Attach `delivery` to every log line of the current task (and of tasks it starts)."""
    structlog.contextvars.bind_contextvars(delivery=delivery)


def get_logger() -> Any:
    return structlog.get_logger("perfbot.bot")
