"""Running `Forge` calls off the event loop, with the bot's one retry policy.

`read` retries a call that GitLab answered with a transient status (5xx) or did not answer. `ensure` is for
POSTs: before every attempt it looks for what an earlier attempt may already have created, so a retry never
duplicates a note or a pipeline. Anything else (403, 404, 400…) fails at once with the `ForgeError`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential

from bot.errors import ForgeError

T = TypeVar("T")


def is_transient(error: BaseException) -> bool:
    """GitLab did not answer, was overloaded, or failed inside: trying again may succeed."""
    if not isinstance(error, ForgeError):
        return False
    return error.status is None or error.status == 429 or error.status >= 500


class Calls:
    def __init__(self, attempts: int = 6, first_wait: float = 0.5, max_wait: float = 30.0) -> None:
        self._attempts = attempts
        self._first_wait = first_wait
        self._max_wait = max_wait

    async def read(self, fn: Callable[..., T], *args: Any) -> T:
        async for attempt in self._retrying():
            with attempt:
                return await asyncio.to_thread(fn, *args)
        raise AssertionError("unreachable: tenacity reraises the last error")

    async def ensure(self, find: Callable[[], T | None], create: Callable[[], T]) -> tuple[T, bool]:
        """The existing result of `find`, else the result of `create`; the flag says whether it was created now."""
        async for attempt in self._retrying():
            with attempt:
                found = await asyncio.to_thread(find)
                if found is not None:
                    return found, False
                return await asyncio.to_thread(create), True
        raise AssertionError("unreachable: tenacity reraises the last error")

    def _retrying(self) -> AsyncRetrying:
        return AsyncRetrying(
            retry=retry_if_exception(is_transient),
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential(multiplier=self._first_wait, max=self._max_wait),
            reraise=True,
        )
