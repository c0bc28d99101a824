"""Learned panel capabilities kept in the database, and the per-panel pace of one-at-a-time
requests (issue 20; the learning itself is in bot/panel/client.py)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from bot.panel.capabilities import RELEARN_SECONDS, Capabilities, Feature, Support
from bot.storage.capabilities import CapabilitiesRepo

log = logging.getLogger(__name__)

# Every panel call asks the book first; a short memory spares the database most of those reads.
CACHE_SECONDS = 30.0


class StoredBook:
    """A `CapabilityBook` on the `panel_capabilities` table. What was learned more than
    RELEARN_SECONDS ago reads as unknown, so it is learned again (daily)."""

    def __init__(
        self,
        repo: CapabilitiesRepo,
        *,
        clock: Callable[[], float] = time.time,
        relearn: float = RELEARN_SECONDS,
    ) -> None:
        self._repo = repo
        self._clock = clock
        self._relearn = relearn
        self._cache: dict[str, tuple[float, Capabilities]] = {}

    async def get(self, url: str) -> Capabilities:
        now = self._clock()
        cached = self._cache.get(url)
        if cached is not None and now - cached[0] < CACHE_SECONDS:
            return cached[1]
        rows = await self._repo.learned_since(url, now - self._relearn)
        known = {Feature(f): Support(s) for f, s in rows.items() if f in set(Feature)}
        caps = Capabilities(known)
        self._cache[url] = (now, caps)
        return caps

    async def learn(self, url: str, feature: Feature, support: Support) -> None:
        """Remember what a panel answered; never fails the panel call it came from."""
        if support is Support.UNKNOWN:
            return
        try:
            await self._repo.learn(url, feature.value, support.value)
        except Exception as exc:
            # A database refusing writes (full disk, a held lock) must not turn a bulk order
            # into "unknown": unremembered, the feature is simply asked about again later.
            log.warning("could not remember %s of a panel: %s", feature.value, exc)
        self._cache.pop(url, None)


class PanelPacer:
    """At most `rps` one-at-a-time requests a second per panel URL (PANEL_MAX_RPS), spread
    evenly: each caller gets the next free slot and waits for it."""

    def __init__(
        self,
        rps: float,
        *,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if rps <= 0:
            raise ValueError("rps must be positive")
        self._gap = 1.0 / rps
        self._clock = clock
        self._sleep = sleep
        self._next: dict[str, float] = {}

    def _now(self) -> float:
        return self._clock() if self._clock is not None else asyncio.get_running_loop().time()

    async def turn(self, url: str) -> None:
        now = self._now()
        slot = max(now, self._next.get(url, now))
        self._next[url] = slot + self._gap
        if slot > now:
            await self._sleep(slot - now)
