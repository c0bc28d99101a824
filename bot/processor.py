"""Update processor: one user's updates in order, different users in parallel.

python-telegram-bot's default processor handles one update at a time, so a slow panel call for
one user stalls everybody; its plain concurrent mode breaks ConversationHandler, which assumes a
user's updates arrive one after another. This processor serialises per user and bounds the
number of handlers running at once.

The base class wraps `do_process_update` in a semaphore of `max_concurrent_updates`. A task that
is merely waiting for its user's earlier update would hold one of those slots, so a user who
floods the bot could take every slot and starve everyone else. We therefore give the base an
effectively unlimited bound and take our own slot only after the per-user lock is held: a
waiting task costs a lock-queue entry, never a slot.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Hashable
from typing import Any, Final

from telegram import Update
from telegram.ext import BaseUpdateProcessor

ANONYMOUS_KEY: Final = "anonymous"

# `Application` creates one task per update only when the bound is > 1; the real bound is ours.
_UNBOUNDED: Final = sys.maxsize


def user_key(update: object) -> Hashable:
    """The key whose updates must be handled in order.

    In a private chat the chat id equals the user id, so updates that only carry a chat still
    line up behind the same user's other updates.
    """
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return ANONYMOUS_KEY


class _UserQueue:
    __slots__ = ("lock", "pending")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        # Tasks that hold or wait for `lock`; the entry is dropped when it reaches zero.
        self.pending = 0


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Per-user FIFO processing with at most `max_concurrent` handlers running at once."""

    __slots__ = ("_active", "_max_concurrent", "_queues", "_slots", "_waiting")

    def __init__(self, max_concurrent: int = 256) -> None:
        if max_concurrent < 1:
            raise ValueError("max_concurrent must be a positive integer")
        super().__init__(max_concurrent_updates=_UNBOUNDED)
        self._max_concurrent = max_concurrent
        self._slots = asyncio.Semaphore(max_concurrent)
        self._queues: dict[Hashable, _UserQueue] = {}
        self._active = 0
        self._waiting = 0

    @property
    def max_concurrent(self) -> int:
        """Upper bound on handlers running at the same time."""
        return self._max_concurrent

    @property
    def active(self) -> int:
        """Handlers running right now."""
        return self._active

    @property
    def waiting(self) -> int:
        """Updates accepted but not yet running (behind their user's earlier update or a slot)."""
        return self._waiting

    @property
    def tracked_keys(self) -> int:
        """Users with at least one update running or queued; stays bounded (no lock leak)."""
        return len(self._queues)

    async def initialize(self) -> None:
        # A fresh semaphore lets an idle processor be reused on a new event loop.
        if self._active == 0 and self._waiting == 0:
            self._slots = asyncio.Semaphore(self._max_concurrent)

    async def shutdown(self) -> None:
        # Nothing to release: running tasks are owned and awaited by the Application.
        return None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        # No await may come before the lock request: tasks start in arrival order and must reach
        # the lock's FIFO queue in that same order.
        key = user_key(update)
        queue = self._queues.get(key)
        if queue is None:
            queue = self._queues[key] = _UserQueue()
        queue.pending += 1
        self._waiting += 1
        started = False
        try:
            async with queue.lock, self._slots:
                self._waiting -= 1
                self._active += 1
                started = True
                try:
                    await coroutine
                finally:
                    self._active -= 1
        finally:
            if not started:
                self._waiting -= 1
                # Cancelled before running: close it so it is not reported as never awaited.
                close = getattr(coroutine, "close", None)
                if close is not None:
                    close()
            queue.pending -= 1
            if queue.pending == 0:
                del self._queues[key]
