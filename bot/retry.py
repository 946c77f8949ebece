"""The bot's one retry policy for `Forge` calls, used by the server's worker and by the publisher.

`read` retries a call that GitLab answered with a transient status (429, 5xx) or did not answer. `ensure` is for
POSTs: before every attempt it looks for what an earlier attempt may already have created, so a retry never
duplicates a note, a pipeline, a commit or a merge request. Anything else (403, 404, 400…) fails at once with the
`ForgeError`. The `_async` forms are for the event loop: the call runs in a thread, the waits on the loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from tenacity import AsyncRetrying, Retrying, retry_if_exception, stop_after_attempt, wait_exponential

from bot.forge import ForgeError

T = TypeVar("T")


def is_transient(error: BaseException) -> bool:
    """GitLab did not answer, was overloaded, or failed inside: trying again may succeed."""
    if not isinstance(error, ForgeError):
        return False
    return error.status is None or error.status == 429 or error.status >= 500


class Retry:
    def __init__(self, attempts: int = 6, first_wait: float = 0.5, max_wait: float = 30.0) -> None:
        self._attempts = attempts
        self._first_wait = first_wait
        self._max_wait = max_wait

    def read(self, fn: Callable[..., T], *args: Any) -> T:
        for attempt in Retrying(**self._policy()):
            with attempt:
                return fn(*args)
        raise AssertionError("unreachable: tenacity reraises the last error")

    def ensure(self, find: Callable[[], T | None], create: Callable[[], T], *, fresh: bool = False) -> tuple[T, bool]:
        """The existing result of `find`, else the result of `create`; the flag says whether it was created now.
        `fresh`: the caller knows nothing can exist yet, so the first attempt creates without looking (every later
        attempt looks, since a failed attempt may have created it)."""
        return self.read(_Ensure(find, create, fresh))

    async def read_async(self, fn: Callable[..., T], *args: Any) -> T:
        async for attempt in AsyncRetrying(**self._policy()):
            with attempt:
                return await asyncio.to_thread(fn, *args)
        raise AssertionError("unreachable: tenacity reraises the last error")

    async def ensure_async(
        self, find: Callable[[], T | None], create: Callable[[], T], *, fresh: bool = False
    ) -> tuple[T, bool]:
        return await self.read_async(_Ensure(find, create, fresh))

    def _policy(self) -> dict[str, Any]:
        return {
            "retry": retry_if_exception(is_transient),
            "stop": stop_after_attempt(self._attempts),
            "wait": wait_exponential(multiplier=self._first_wait, max=self._max_wait),
            "reraise": True,
        }


class _Ensure(Generic[T]):
    """One attempt of `ensure`: look, then create if nothing was found (the first one of a fresh call only creates)."""

    def __init__(self, find: Callable[[], T | None], create: Callable[[], T], fresh: bool) -> None:
        self._find, self._create, self._look = find, create, not fresh

    def __call__(self) -> tuple[T, bool]:
        found = self._find() if self._look else None
        self._look = True
        return (found, False) if found is not None else (self._create(), True)
