"""The one test clock: time moves only when a test (or the code's own sleep) says so (issue 22)."""

from __future__ import annotations

import time


class TestClock:
    """A clock that starts at the real time (or `now`) and then moves only when `advance` says
    so, or when the code under test sleeps on it (each sleep is recorded in `sleeps`)."""

    __test__ = False  # not a test class, whatever pytest makes of its name

    def __init__(self, now: float | None = None) -> None:
        self.now = time.time() if now is None else now
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
