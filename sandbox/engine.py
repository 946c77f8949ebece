"""Calls to the Docker Engine over a connection that may drop: blips retried, the rest named for a person.

docker-py raises `docker.errors.DockerException` for what the engine answers, but a bare `requests` error (or an
`OSError` from the socket) when it does not answer at all. `call` retries those with exponential backoff for
`retry_s` seconds (a daemon restarting, a socket briefly cut) and then raises `EngineUnreachable`, which says what
happened and what to do; what the engine did answer (an `APIError`) is the caller's to handle.

    created = call(api.exec_create, container_id, argv, what="starting a command", retry_s=20)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import requests
import structlog
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_delay, wait_exponential

from sandbox.base import SandboxUnavailable

T = TypeVar("T")
RETRY_S = 20.0
"""How long a call keeps trying while the engine does not answer."""

log = structlog.get_logger(__name__)


class EngineUnreachable(SandboxUnavailable):
    """The Docker Engine stopped answering and did not come back within the retry window."""

    def __init__(self, what: str, retry_s: float, error: BaseException) -> None:
        super().__init__(
            f"the Docker Engine stopped answering while {what} (tried again for {retry_s:.0f} s; last error: "
            f"{type(error).__name__}: {_short(error)}). Check that the engine runs (`docker info`; restart it with "
            "`systemctl restart docker` or Docker Desktop) and run perfbot again; the containers and volumes this run "
            "left behind are removed by `perfbot sandbox reap` or the next run"
        )


def is_unanswered(error: BaseException) -> bool:
    """The engine did not answer (connection refused, reset or timed out; socket gone) rather than said no."""
    return isinstance(error, requests.exceptions.ConnectionError | requests.exceptions.Timeout | ConnectionError)


def call(fn: Callable[..., T], *args: Any, what: str, retry_s: float = RETRY_S, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)`, retried while the engine does not answer; `EngineUnreachable` once `retry_s` is spent."""
    try:
        for attempt in Retrying(
            retry=retry_if_exception(is_unanswered),
            stop=stop_after_delay(retry_s),
            wait=wait_exponential(multiplier=0.1, min=0.1, max=2),
            before_sleep=_said(what),
            reraise=True,
        ):
            with attempt:
                return fn(*args, **kwargs)
    except Exception as e:
        if is_unanswered(e):
            raise EngineUnreachable(what, retry_s, e) from e
        raise
    raise AssertionError("unreachable: tenacity reraises the last error")


def _said(what: str) -> Callable[[RetryCallState], None]:
    def say(state: RetryCallState) -> None:
        if state.attempt_number == 1:
            error = state.outcome.exception() if state.outcome else None
            log.warning("sandbox.engine_unanswered", doing=what, error=_short(error) if error else "")

    return say


def _short(error: BaseException) -> str:
    text = str(error)
    return text if len(text) <= 300 else text[:297] + "..."
