"""Keeps the bot under Telegram's global limit of about 30 messages per second.

PTB's AIORateLimiter uses a leaky bucket that lets a full second's worth through at once after a
quiet spell and then 30/s more, so any one-second window can see up to ~60 messages: Telegram
answers the excess with 429, and each 429 stalls every outgoing call. Counting the messages sent in
the last second (plus a small guard for network jitter) and waiting only when that window is full
keeps replies immediate at normal load and never exceeds the limit in a burst.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections import deque
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

# Methods that put a message on a screen; Telegram's flood limits count these.
COUNTED_PREFIXES = ("send", "edit", "copy", "forward")

JSONDict = dict[str, Any]
Result = bool | JSONDict | list[JSONDict]


def retry_seconds(exc: RetryAfter) -> float:
    # PTB 22 warns on every read of `retry_after` while it migrates the type; the value is fine.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


class SlidingWindowRateLimiter(BaseRateLimiter[int]):
    """At most `max_per_window` counted calls in any `window` (+`guard`) seconds, FIFO.

    A 429 pauses every counted call for its `retry_after`, then the call is retried (up to
    `max_retries` times, or `rate_limit_args` for one call): flood control is waited out, never
    turned into a lost message.
    """

    def __init__(
        self,
        max_per_window: int = 29,
        window: float = 1.0,
        *,
        guard: float = 0.1,
        max_retries: int = 5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_per_window < 1 or window <= 0:
            raise ValueError("the window must allow at least one call")
        self._max = max_per_window
        self._span = window + guard
        self._max_retries = max_retries
        self._clock = clock
        self._sent: deque[float] = deque()
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def describe(self) -> str:
        """The window's state, for diagnostics: calls counted, oldest age, pause left."""
        now = self._clock()
        oldest = now - self._sent[0] if self._sent else 0.0
        pause = max(0.0, self._paused_until - now)
        waiting = "locked" if self._lock.locked() else "free"
        return (
            f"{len(self._sent)} in window, oldest {oldest:.2f} s ago, pause {pause:.2f} s, "
            f"{waiting}"
        )

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def _acquire(self) -> None:
        # The lock makes waiters queue in arrival order; the holder sleeps for everyone.
        async with self._lock:
            while True:
                now = self._clock()
                if now < self._paused_until:
                    await asyncio.sleep(self._paused_until - now)
                    continue
                horizon = now - self._span
                while self._sent and self._sent[0] <= horizon:
                    self._sent.popleft()
                if len(self._sent) < self._max:
                    self._sent.append(now)
                    return
                await asyncio.sleep(self._sent[0] - horizon)

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Result:
        counted = endpoint.startswith(COUNTED_PREFIXES)
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        attempt = 0
        while True:
            if counted:
                await self._acquire()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt >= retries:
                    raise
                attempt += 1
                delay = retry_seconds(exc) + 0.1
                log.info("flood control: waiting %.1f s before retrying %s", delay, endpoint)
                self._paused_until = max(self._paused_until, self._clock() + delay)
                if not counted:
                    await asyncio.sleep(delay)
