"""What each panel's API takes, by panel URL (bot/panel/capabilities.py says why)."""

from __future__ import annotations

import time
from collections.abc import Callable

from bot.storage.db import Database


class CapabilitiesRepo:
    __slots__ = ("_clock", "_db")

    def __init__(self, db: Database, *, clock: Callable[[], float] = time.time) -> None:
        self._db = db
        self._clock = clock

    async def learned_since(self, url: str, since: float) -> dict[str, str]:
        """feature → "yes"/"no" for what was learned about `url` at or after `since`."""
        rows = await self._db.fetchall(
            "SELECT feature, support FROM panel_capabilities WHERE url = ? AND learned_at >= ?",
            (url, since),
        )
        return {str(row["feature"]): str(row["support"]) for row in rows}

    async def learn(self, url: str, feature: str, support: str) -> None:
        await self._db.execute(
            "INSERT INTO panel_capabilities (url, feature, support, learned_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (url, feature) DO UPDATE SET "
            "support = excluded.support, learned_at = excluded.learned_at",
            (url, feature, support, self._clock()),
        )
