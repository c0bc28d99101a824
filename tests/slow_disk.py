"""A disk whose fsync takes as long as a test wants: `os.fsync` held until `release` is set.

Held only off the event loop's thread: an fsync on the loop (the old way) would hold the test's
own loop too, so there it passes at once and is only recorded (`on_loop`), for the test to fail
on it rather than hang.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable

# Generous: the hold ends when the test says so, this only keeps a broken test from hanging.
HOLD_LIMIT_SECONDS = 30.0


class SlowDisk:
    def __init__(self, fsync: Callable[[int], None] = os.fsync) -> None:
        self._fsync = fsync
        self._loop_thread = threading.get_ident()  # made on the test's loop
        self.entered = threading.Event()  # an fsync has begun
        self.release = threading.Event()
        self.on_loop = 0  # fsyncs made on the event loop's thread
        self.off_loop = 0

    def fsync(self, fd: int) -> None:
        if threading.get_ident() == self._loop_thread:
            self.on_loop += 1
        else:
            self.off_loop += 1
        self.entered.set()
        if threading.get_ident() != self._loop_thread:
            self.release.wait(HOLD_LIMIT_SECONDS)
        self._fsync(fd)

    async def begun(self) -> None:
        """Returns once an fsync has begun; it is held until `release` is set."""
        assert await asyncio.to_thread(self.entered.wait, HOLD_LIMIT_SECONDS), "no fsync began"
