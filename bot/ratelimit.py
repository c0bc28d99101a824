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

Replies come before pushes. A user who just tapped a button is waiting for the answer; a
notification from the outbox is not urgent. Calls carry a `Priority` (`rate_limit_args`); a free
place in the window goes to the oldest waiting reply, and pushes get what replies leave, with
three rules around that: pushes always get `push_reserve` places per window when they are waiting
(so a stream of replies cannot starve them); pushes are spaced evenly (so their places free up
one by one, never a whole window at once); and while users are active pushes leave
`reply_headroom` places free, so that a reply arriving a moment later finds one at once.

A call that fails for a transient reason (a 5xx from Telegram, a reset connection; see
`bot.telegram_http.is_transient`) is repeated a few times with growing pauses within about ten
seconds; the place in the window is given back during each pause.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any

from telegram.error import RetryAfter, TelegramError
from telegram.ext import BaseRateLimiter

from bot.telegram_http import is_transient

log = logging.getLogger(__name__)

# Methods that put a message on a screen; Telegram's flood limits count these.
COUNTED_PREFIXES = ("send", "edit", "copy", "forward")
# Methods repeated after a transient failure: the ones that show the user something. A repeated
# sendMessage/sendDocument after a 5xx or a reset may show the message twice (Telegram may have
# delivered it before the failure); that is accepted, because the alternative is losing the
# reply, and a lost order result is worse than a duplicate. Edits and deletes are idempotent.
# Not repeated: getUpdates (the poller has its own loop), answerCallbackQuery (a late answer is
# refused as too old, and the spinner stops by itself), sendChatAction (cosmetic; a repeat would
# only hold the user's handler).
RETRIED_PREFIXES = ("send", "edit", "copy", "forward", "delete")
NOT_RETRIED = frozenset({"sendChatAction"})
IDEMPOTENT_PREFIXES = ("edit", "delete")
# Pauses before the repeats (seconds): four repeats within TRANSIENT_BUDGET.
TRANSIENT_BACKOFF = (0.5, 1.0, 2.0, 4.0)
TRANSIENT_BUDGET = 10.0

JSONDict = dict[str, Any]
Result = bool | JSONDict | list[JSONDict]


def retry_seconds(exc: RetryAfter) -> float:
    # PTB 22 warns on every read of `retry_after` while it migrates the type; the value is fine.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)


class Priority(IntEnum):
    REPLY = 0  # answers and edits for a user's own action (the default)
    PUSH = 1  # notifications from the outbox


@dataclass(frozen=True, slots=True)
class CallOptions:
    """`rate_limit_args` of a Bot API call made through this limiter."""

    priority: Priority = Priority.REPLY
    max_retries: int | None = None  # 429 repeats; None: the limiter's default


PUSH = CallOptions(Priority.PUSH)


@dataclass(slots=True)
class _Slot:
    """One counted call: `done` is when its answer (or failure) came back; None while in flight."""

    started: float
    priority: Priority = Priority.REPLY
    done: float | None = None


@dataclass(slots=True)
class _Waiter:
    priority: Priority
    future: asyncio.Future[_Slot] = field(repr=False)


class SlidingWindowRateLimiter(BaseRateLimiter[CallOptions]):
    """At most `max_per_window` counted calls in any `window` seconds as Telegram sees them.

    `guard` adds a fixed margin to the window on top of that (0 by default: the answer time
    already bounds when Telegram counted the call). A 429 pauses every counted call for its
    `retry_after`, then the call is retried (up to `max_retries` times, or
    `CallOptions.max_retries` for one call): flood control is waited out, never turned into a
    lost message. Waiting calls are served replies first, each priority in arrival order.
    """

    def __init__(
        self,
        max_per_window: int = 29,
        window: float = 1.0,
        *,
        guard: float = 0.0,
        max_retries: int = 5,
        push_reserve: int = 3,
        reply_headroom: int = 2,
        transient_backoff: tuple[float, ...] = TRANSIENT_BACKOFF,
        transient_budget: float = TRANSIENT_BUDGET,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_per_window < 1 or window <= 0:
            raise ValueError("the window must allow at least one call")
        self._max = max_per_window
        self._span = window + guard
        self._max_retries = max_retries
        # Never more than the window holds, and replies always keep at least one place.
        self._reserve = max(0, min(push_reserve, max_per_window - 1))
        self._headroom = max(0, min(reply_headroom, max_per_window - 1))
        self._backoff = transient_backoff
        self._budget = transient_budget
        self._clock = clock
        self._slots: list[_Slot] = []
        self._waiting: dict[Priority, deque[_Waiter]] = {p: deque() for p in Priority}
        self._paused_until = 0.0
        self._last_reply = -float("inf")
        # Pushes are spaced evenly over the window: a backlog granted all at once would free
        # its places all at once a window later, and a reply arriving in between would wait
        # for up to a whole window. Spaced, a place frees up every 1/max_per_window seconds.
        self._push_gap = self._span / max_per_window
        self._next_push = -float("inf")
        self._timer: asyncio.TimerHandle | None = None

    def describe(self) -> str:
        """The window's state, for diagnostics: calls counted, in flight, pause left, queues."""
        now = self._clock()
        flying = sum(1 for s in self._slots if s.done is None)
        pause = max(0.0, self._paused_until - now)
        replies = len(self._waiting[Priority.REPLY])
        pushes = len(self._waiting[Priority.PUSH])
        waiting = f"{replies} replies, {pushes} pushes waiting" if replies or pushes else "free"
        return f"{len(self._slots)} in window ({flying} in flight), pause {pause:.2f} s, {waiting}"

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    # --- the window ---------------------------------------------------------------------------

    async def _acquire(self, priority: Priority = Priority.REPLY) -> _Slot:
        loop = asyncio.get_running_loop()
        waiter = _Waiter(priority, loop.create_future())
        self._waiting[priority].append(waiter)
        self._schedule()
        try:
            # Already granted when there was room: awaiting a finished future does not yield.
            return await waiter.future
        except asyncio.CancelledError:
            if waiter.future.done() and not waiter.future.cancelled():
                self._release(waiter.future.result())  # granted, but nobody will use it
            else:
                waiter.future.cancel()
            raise

    def _release(self, slot: _Slot) -> None:
        slot.done = self._clock()
        self._schedule()

    def _schedule(self) -> None:
        """Hand free places to waiters; arm a timer for when the next place frees up."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        for queue in self._waiting.values():
            while queue and queue[0].future.done():  # cancelled while waiting
                queue.popleft()
        if not any(self._waiting.values()):
            return
        now = self._clock()
        if now < self._paused_until:
            self._arm(self._paused_until - now)
            return
        self._slots = [s for s in self._slots if s.done is None or s.done + self._span > now]
        while (priority := self._next(now)) is not None:
            waiter = self._waiting[priority].popleft()
            slot = _Slot(now, priority)
            self._slots.append(slot)
            if priority is Priority.REPLY:
                self._last_reply = now
            else:
                self._next_push = now + self._push_gap
            waiter.future.set_result(slot)
            while self._waiting[priority] and self._waiting[priority][0].future.done():
                self._waiting[priority].popleft()
        if not any(self._waiting.values()):
            return
        wake = [s.done + self._span for s in self._slots if s.done is not None]
        if self._waiting[Priority.PUSH] and self._next_push > now:
            wake.append(self._next_push)
        if wake:
            self._arm(max(0.0, min(wake) - now))
        # Otherwise every counted call is in flight: the next `_release` schedules again.

    def _next(self, now: float) -> Priority | None:
        """Who gets the next free place now, if anyone."""
        free = self._max - len(self._slots)
        if free <= 0:
            return None
        replies = bool(self._waiting[Priority.REPLY])
        pushes = bool(self._waiting[Priority.PUSH])
        push_used = sum(1 for s in self._slots if s.priority is Priority.PUSH)
        reserved = max(0, self._reserve - push_used) if pushes else 0
        if replies and free > reserved:
            return Priority.REPLY
        if not pushes or now < self._next_push:
            return None
        if push_used < self._reserve:
            return Priority.PUSH
        # Users are active: keep a few places free so that their next reply need not wait.
        active = now - self._last_reply < self._span
        if replies or (active and free <= self._headroom):
            return None
        return Priority.PUSH

    def _arm(self, delay: float) -> None:
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(delay, self._schedule)

    # --- calls --------------------------------------------------------------------------------

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Result]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: CallOptions | None,
    ) -> Result:
        options = rate_limit_args if isinstance(rate_limit_args, CallOptions) else CallOptions()
        counted = endpoint.startswith(COUNTED_PREFIXES)
        # Pushes are not repeated here: the notifier defers a failed one and sends it later,
        # with its own backoff, instead of holding the outbox drain for seconds.
        retried = (
            options.priority is Priority.REPLY
            and endpoint.startswith(RETRIED_PREFIXES)
            and endpoint not in NOT_RETRIED
        )
        idempotent = endpoint.startswith(IDEMPOTENT_PREFIXES)
        retries = self._max_retries if options.max_retries is None else options.max_retries
        flood_attempt = 0
        transient_attempt = 0
        give_up_at = self._clock() + self._budget
        while True:
            slot = await self._acquire(options.priority) if counted else None
            pause = 0.0
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if flood_attempt >= retries:
                    raise
                flood_attempt += 1
                delay = retry_seconds(exc) + 0.1
                log.info("flood control: waiting %.1f s before retrying %s", delay, endpoint)
                self._paused_until = max(self._paused_until, self._clock() + delay)
                if not counted:
                    pause = delay
            except TelegramError as exc:
                if not (retried and is_transient(exc, idempotent=idempotent)):
                    raise
                if transient_attempt >= len(self._backoff):
                    raise
                pause = self._backoff[transient_attempt]
                if self._clock() + pause > give_up_at:
                    raise
                transient_attempt += 1
                log.info(
                    "Telegram: %s on %s; repeat %d in %.1f s",
                    exc.message,
                    endpoint,
                    transient_attempt,
                    pause,
                )
            finally:
                if slot is not None:
                    self._release(slot)
            if pause:
                # The place in the window was given back: others go on during the pause.
                await asyncio.sleep(pause)


class Throttle:
    """`ready()` is True at most once per `every` seconds (the first call always): for progress
    edits that must not become one Telegram call per step."""

    def __init__(self, every: float, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._every = every
        self._clock = clock
        self._last: float | None = None

    def ready(self) -> bool:
        now = self._clock()
        if self._last is not None and now - self._last < self._every:
            return False
        self._last = now
        return True
