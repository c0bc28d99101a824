"""Keeps the bot under Telegram's global limit of about 30 messages per second.

PTB's AIORateLimiter uses a leaky bucket that lets a full second's worth through at once after a
quiet spell and then 30/s more, so any one-second window can see up to ~60 messages: Telegram
answers the excess with 429, and each 429 stalls every outgoing call.

This limiter counts the messages of the last second instead, and waits only when that window is
full, so replies stay immediate at normal load and a burst never exceeds the limit. The subtle part
is *when* Telegram counted a message: somewhere between our sending it and its answer arriving.
A call therefore occupies the window from the moment it starts until one window after its answer
came back. That bound holds whatever the network's jitter, so no guessed safety margin is needed,
and on a fast link the window is barely longer than a second.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
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


@dataclass(slots=True)
class _Slot:
    """One counted call: `done` is when its answer (or failure) came back; None while in flight."""

    started: float
    done: float | None = None


class SlidingWindowRateLimiter(BaseRateLimiter[int]):
    """At most `max_per_window` counted calls in any `window` seconds as Telegram sees them, FIFO.

    `guard` adds a fixed margin to the window on top of that (0 by default: the answer time
    already bounds when Telegram counted the call). A 429 pauses every counted call for its
    `retry_after`, then the call is retried (up to `max_retries` times, or `rate_limit_args` for
    one call): flood control is waited out, never turned into a lost message.
    """

    def __init__(
        self,
        max_per_window: int = 29,
        window: float = 1.0,
        *,
        guard: float = 0.0,
        max_retries: int = 5,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_per_window < 1 or window <= 0:
            raise ValueError("the window must allow at least one call")
        self._max = max_per_window
        self._span = window + guard
        self._max_retries = max_retries
        self._clock = clock
        self._slots: list[_Slot] = []
        self._paused_until = 0.0
        self._lock = asyncio.Lock()
        self._finished = asyncio.Event()

    def describe(self) -> str:
        """The window's state, for diagnostics: calls counted, in flight, pause left."""
        now = self._clock()
        flying = sum(1 for s in self._slots if s.done is None)
        pause = max(0.0, self._paused_until - now)
        waiting = "locked" if self._lock.locked() else "free"
        return f"{len(self._slots)} in window ({flying} in flight), pause {pause:.2f} s, {waiting}"

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def _acquire(self) -> _Slot:
        # The lock makes waiters queue in arrival order; the holder sleeps for everyone.
        async with self._lock:
            while True:
                now = self._clock()
                if now < self._paused_until:
                    await asyncio.sleep(self._paused_until - now)
                    continue
                self._slots = [
                    s for s in self._slots if s.done is None or s.done + self._span > now
                ]
                if len(self._slots) < self._max:
                    slot = _Slot(now)
                    self._slots.append(slot)
                    return slot
                expiries = [s.done + self._span for s in self._slots if s.done is not None]
                if expiries:
                    await asyncio.sleep(min(expiries) - now)
                else:
                    # Every counted call is still waiting for its answer: wait for one.
                    self._finished.clear()
                    await self._finished.wait()

    def _release(self, slot: _Slot) -> None:
        slot.done = self._clock()
        self._finished.set()

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
            slot = await self._acquire() if counted else None
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
            finally:
                if slot is not None:
                    self._release(slot)
