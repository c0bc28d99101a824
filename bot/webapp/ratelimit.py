"""A per-user token bucket for the Mini App's API (no shared state between processes)."""

from __future__ import annotations

import time
from collections.abc import Callable

# A page opening makes a handful of calls; typing never calls (search runs in the page).
BURST = 40
PER_SECOND = 2.0
# Buckets kept at most; past it the full ones (users idle long enough) are dropped.
MAX_BUCKETS = 10_000


class UserRateLimiter:
    """At most `burst` requests at once per user, refilled at `per_second`."""

    __slots__ = ("_buckets", "_burst", "_clock", "_rate")

    def __init__(
        self,
        burst: int = BURST,
        per_second: float = PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._burst = float(burst)
        self._rate = per_second
        self._clock = clock
        # user id -> (tokens left, when they were counted)
        self._buckets: dict[int, tuple[float, float]] = {}

    def allow(self, user_id: int) -> bool:
        now = self._clock()
        tokens, then = self._buckets.get(user_id, (self._burst, now))
        tokens = min(self._burst, tokens + (now - then) * self._rate)
        if tokens < 1:
            self._buckets[user_id] = (tokens, now)
            return False
        self._buckets[user_id] = (tokens - 1, now)
        if len(self._buckets) > MAX_BUCKETS:
            self._prune(now)
        return True

    def _prune(self, now: float) -> None:
        full = [
            uid
            for uid, (tokens, then) in self._buckets.items()
            if tokens + (now - then) * self._rate >= self._burst
        ]
        for uid in full:
            del self._buckets[uid]
